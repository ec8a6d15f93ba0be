"""E-mail notices to the persons a campaign concerns, and digests to their school's administration.

- ``models``: the messages (``notice_message``: one row per notice, never created twice) and the
  reminder schedule of each school (``notice_schedule``, append-only);
- ``schedule``: which notice is due for a person on a day (pure), and a school's schedule;
- ``rendering``: the message texts, from the templates of ``templates/`` in French and English,
  rendered in a sandboxed Jinja environment;
- ``service``: ``bring_up_to_date`` creates the due notices and digests, then defers their sending;
- ``digests``: who administers a school (their address) and what their digest says;
- ``sending``: the SMTP client (``Mailer``, built once by govkit.composition) and the answers;
- ``delivery``: one ``notices.send`` job: sign-in links issued, one SMTP connection, answers recorded;
- ``reads``: the notices, the templates and the local outbox as their readers see them;
- ``types``, ``resolvers``: GraphQL.

Entry points: govkit.tasks.notices (the jobs), the resolvers here, govkit.web.outbox (dev page).
"""
