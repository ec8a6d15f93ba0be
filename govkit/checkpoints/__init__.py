"""Checkpoints of the acknowledgement chain: the chain anchored outside govkit.

A checkpoint states how many records the chain held, the hash of the last one and enough of the
others' hashes to name the first record rewritten later (``file_format`` explains the trade-off);
it is signed by govkit's sealing identity and timestamped by a time-stamping authority when one is
configured, published without a token, e-mailed to the configured recipients and downloadable, so
that its holders keep a copy govkit cannot rewrite.

- ``models``: the checkpoints and their sendings (append-only);
- ``file_format``: the file (format ``govkit-chain-checkpoint/1``), written and read back (pure);
- ``comparison``: the chain of today compared with a checkpoint, its first divergence (pure);
- ``chain_reading``: the chain's ids and hashes, in chain order, read-only;
- ``sealing``: what a checkpoint needs of signing and trusted time (govkit.proof provides it);
- ``service``: making (on demand, daily), listing and publishing checkpoints;
- ``delivery``: e-mailing a checkpoint to the recipients, each sending recorded;
- ``verification``: a file checked against the chain (`govkit audit verify --checkpoint`);
- ``types``, ``resolvers``: GraphQL.

Entry points: govkit.tasks.checkpoints (jobs), govkit.cli.audit, govkit.web.checkpoints (public
routes), the resolvers here.
"""
