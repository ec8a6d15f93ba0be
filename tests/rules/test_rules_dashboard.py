"""The dashboard's findings and barometer on a picked day (GET ``as_of``), on both databases: the
present by default (the latest current run); a past day from the run stored for it, else evaluated
on the fly and said so; a day before any barometer still shows the page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database
from govkit.rules import service as rules
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-mines-ales"


def _page(api: Api, token: str, as_of: str | None = None) -> httpx.Response:
    query = f"?as_of={as_of}&lang=en" if as_of else "?lang=en"
    return api.request("GET", f"/ui/schools/{SCHOOL}{query}", headers={"Cookie": f"govkit_session={token}"})


def _findings(html: str) -> str:
    """The text of the findings section, tags dropped and spaces collapsed."""
    section = html.split('id="findings"', 1)[1].split('id="barometer"', 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_the_dashboard_shows_findings_and_the_barometer_on_a_picked_day(
    api: Api, db: Database, token: TokenFactory
) -> None:
    admin = token("school_admin", SCHOOL)
    rules.run_rules(db=db, actor=SYSTEM)
    present = _page(api, admin)
    assert present.status_code == 200
    assert 'name="as_of"' in present.text and 'value=""' in present.text
    assert "evaluated on the fly" not in present.text
    year = utc_today().year
    assert f"Barometer {year}" in re.sub(r"\s+", " ", present.text)

    fly = _page(api, admin, "2021-06-01")
    assert fly.status_code == 200, fly.text
    assert 'value="2021-06-01"' in fly.text
    text = _findings(fly.text)
    assert "evaluated on the fly" in text and "Not documented" in text  # dated "2021": not documented yet
    assert "Barometer 2021 — As of 01/06/2021" in re.sub(r"\s+", " ", fly.text)  # dates as the pages write them

    rules.run_rules(db=db, actor=SYSTEM, as_of=date(2022, 12, 31))
    stored = _page(api, admin, "2022-12-31")
    assert stored.status_code == 200
    assert "evaluated on the fly" not in stored.text  # the run stored for that day
    assert "Findings — 31/12/2022" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", stored.text))

    before_any = _page(api, admin, "2010-01-01")
    assert before_any.status_code == 200
    assert "No barometer for that year." in before_any.text

    assert _page(api, admin, "31/12/2022").status_code == 400
    assert _page(api, admin, (utc_today() + timedelta(days=30)).isoformat()).status_code == 200
