"""The names of the checkpoints' jobs and addresses."""

from __future__ import annotations

#: The daily job making a checkpoint (when the chain moved since the last one).
MAKE = "checkpoints.make"
#: The job e-mailing one checkpoint to the recipients not served yet (args: ``checkpoint_id``).
SEND = "checkpoints.send"
#: The key of ``JobDeps.extras`` (and of the resolvers' wiring) holding the ``Sealer``.
SEALER_KEY = "checkpoint_sealer"
#: Where the checkpoints are published, without a token.
PUBLIC_PATH = "/public/chain/checkpoints"


def send_key(checkpoint_id: int) -> str:
    return f"checkpoint-send:{checkpoint_id}"


def public_url(base: str, checkpoint_id: int | str) -> str:
    """The address of a checkpoint's file (``latest`` for the newest); absolute with GOVKIT_PUBLIC_URL."""
    return f"{base.rstrip('/')}{PUBLIC_PATH}/{checkpoint_id}.json"
