"""The evidence file of a person on a date: for each regulation that concerned them, the version in
force that day, whether (and when) they had acknowledged it, the exact words, the receipt's
verification code and the proof of the record's place in the acknowledgement chain.

- ``facts``: what an evidence file holds (frozen dataclasses) and its plain statements (pure);
- ``service``: ``evidence_file`` reads it in one transaction, authorised (``Action.EXPORT_EVIDENCE``)
  and written to the audit log in that same transaction;
- ``export``: the file as plain JSON data (pure), what the CLI prints and the layout reads;
- ``layout``: the document a board files, as headings, tables and paragraphs (pure);
- ``document``: that layout as a Word document (.docx) — the one module a PDF renderer replaces;
- ``types`` and ``resolvers``: the GraphQL query ``evidence(school, person, date)``.

Nothing but the entry points (GraphQL, the web route, the CLI) imports this package.
"""
