"""The govkit command line (`govkit`, `python -m govkit`): thin commands over the services.

One module per area: ``serving`` (serve, demo), ``database`` (db, schema), ``templates``
(templates, render), ``persons`` (import-persons, persons export), ``audit`` (audit),
``reminders`` (remind), ``renditions`` (documents convert), ``rules`` (check, barometer),
``evidence`` (evidence), ``tokens`` (token),
``worker`` (worker); ``root`` registers them on the ``govkit`` group. Beside them: ``errors`` (one line on stderr, exit
status 1), ``tables`` (80-column tables), ``wiring`` (the settings and govkit.composition's wiring).
"""

from govkit.cli.root import app, main

__all__ = ["app", "main"]
