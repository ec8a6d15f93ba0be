"""The pages show documents over time: the dashboard and the template editor list each version's
period in force and take a date (GET ``as_of``); the member page lists the versions the person
acknowledged, with the dates and verification codes — in French and in English, on both databases."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents import service as documents
from govkit.web.filters import paris
from tests.ack_helpers import acknowledge, current, member, republish
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"


def _page(api: Api, url: str, token: str) -> httpx.Response:
    return api.request("GET", url, headers={"Cookie": f"govkit_session={token}"})


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, marker: str) -> str:
    """The text of the table row holding ``marker``."""
    found = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S) if marker in r)
    return _text(found)


def _future_version(db: Database) -> tuple[date, int, int]:
    """A second internal regulation at the school, in force 30 days after the first one's later of
    today and its own date: (that day, the first version's number, the new one's)."""
    first = current(db, SCHOOL)
    starts = max(utc_today(), first.effective_from) + timedelta(days=30)
    second = republish(db, SCHOOL, effective_from=starts)
    return starts, first.number, second.number


def test_the_dashboard_shows_the_history_and_the_documents_in_force_on_a_picked_date(
    api: Api, db: Database, token: TokenFactory
) -> None:
    starts, first, second = _future_version(db)
    admin = token("school_admin", SCHOOL)
    today = _page(api, f"/ui/schools/{SCHOOL}", admin)
    assert today.status_code == 200
    assert '<input id="as_of" name="as_of" type="date"' in today.text
    assert "Historique des versions en vigueur" in today.text
    history = re.search(
        r'<details class="card history-of" data-kind="internal" data-language="fr".*?</details>', today.text, re.S
    )
    assert history is not None
    block = history.group(0)
    assert f"{_text(block).split('·')[0].strip()}".endswith(f"version {first} en vigueur au {utc_today():%d/%m/%Y}")
    last_day = starts - timedelta(days=1)
    assert f"au {last_day:%d/%m/%Y}" in _row(block, f'data-label="version">{first}')
    assert f"à partir du {starts:%d/%m/%Y}" in _row(block, f'data-label="version">{second}')
    # on the new version's first day: it is the one in force, in the documents table and the history
    later = _page(api, f"/ui/schools/{SCHOOL}?as_of={starts.isoformat()}", admin)
    assert later.status_code == 200
    assert f"Documents en vigueur au {starts:%d/%m/%Y}" in later.text
    assert f'value="{starts.isoformat()}"' in later.text
    internal = next(
        r for r in re.findall(r"<tr>.*?</tr>", later.text, re.S) if "Règlement intérieur" in r and ">français</td>" in r
    )
    assert f'data-label="version">{second}</td>' in internal
    assert f"en vigueur au {starts:%d/%m/%Y}" in _row(later.text, 'class="picked"')
    # before anything was in force: no document, and the words say so
    before = min(h.periods[-1].effective_from for h in documents.histories(db=db, actor=SYSTEM, school=SCHOOL))
    before -= timedelta(days=1)
    early = _page(api, f"/ui/schools/{SCHOOL}?as_of={before.isoformat()}&lang=en", admin)
    assert early.status_code == 200
    assert f"Documents in force on {before:%d/%m/%Y}" in early.text
    assert "No document published." in early.text
    assert "History of the versions in force" in early.text
    # switching to French keeps the picked date
    assert f'href="?as_of={before.isoformat()}&amp;lang=fr"' in early.text
    # a date that is not one: a precise refusal, in both languages
    wrong = _page(api, f"/ui/schools/{SCHOOL}?as_of=31/12/2022", admin)
    assert wrong.status_code == 400
    assert "AAAA-MM-JJ" in wrong.text


def test_the_pending_persons_follow_the_picked_date(api: Api, db: Database, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    dashboard = _page(api, f"/ui/schools/{SCHOOL}", admin)
    campaign = re.search(rf"/ui/schools/{SCHOOL}/campaigns/(\d+)", dashboard.text)
    assert campaign is not None
    url = f"/ui/schools/{SCHOOL}/campaigns/{campaign.group(1)}"
    yesterday = (utc_today() - timedelta(days=1)).isoformat()
    page = _page(api, f"{url}?as_of={yesterday}", admin)
    assert page.status_code == 200
    assert f'<input type="hidden" name="as_of" value="{yesterday}">' in page.text
    assert f"pending.csv?as_of={yesterday}" in page.text
    csv = _page(api, f"{url}/pending.csv?as_of={yesterday}", admin)
    assert csv.status_code == 200
    assert f"-{yesterday}.csv" in csv.headers["content-disposition"]


def test_the_template_editor_shows_each_schools_version_in_force_on_a_date(
    api: Api, db: Database, token: TokenFactory
) -> None:
    starts, first, second = _future_version(db)
    legal = token("legal")
    today = _page(api, "/ui/templates/internal/fr", legal)
    assert today.status_code == 200
    assert "Versions en vigueur dans les écoles" in today.text
    assert '<input id="as_of" name="as_of" type="date"' in today.text
    row = _row(today.text, f'data-school="{SCHOOL}"')
    assert row.startswith(f" IMT Atlantique {first} du ")  # in force today, until the day before the new one
    assert f" au {starts - timedelta(days=1):%d/%m/%Y}" in row
    assert "telecom-paris" in today.text  # every school the caller may read
    later = _page(api, f"/ui/templates/internal/fr?as_of={starts.isoformat()}&lang=en", legal)
    assert later.status_code == 200
    assert "Versions in force at the schools" in later.text
    assert _row(later.text, f'data-school="{SCHOOL}"').startswith(f" IMT Atlantique {second} from {starts:%d/%m/%Y}")
    assert f"in force on {starts:%d/%m/%Y}" in later.text
    # a school's administration sees its own school only
    admin = _page(api, "/ui/templates/internal/fr", token("school_admin", SCHOOL))
    assert admin.status_code == 200
    assert f'data-school="{SCHOOL}"' in admin.text
    assert 'data-school="telecom-paris"' not in admin.text


def test_the_member_page_lists_each_documents_acknowledged_versions_with_their_codes(
    api: Api, db: Database, token: TokenFactory
) -> None:
    student = "E00001"
    principal = member(db, SCHOOL, student)
    first = current(db, SCHOOL)
    earlier = acknowledge(db=db, actor=principal, document_version_id=first.id)
    second = republish(db, SCHOOL)
    later = acknowledge(db=db, actor=principal, document_version_id=second.id)
    page = _page(api, "/ui/me", token("member", SCHOOL, student))
    assert page.status_code == 200
    section = re.search(
        r'<section class="card" aria-labelledby="acknowledged-internal-fr">.*?</section>', page.text, re.S
    )
    assert section is not None
    rows = re.findall(r"<tr>.*?</tr>", section.group(0), re.S)[1:]
    assert [_text(r).split()[0] for r in rows] == [str(second.number), str(first.number)]
    assert later.record.verification_code in rows[0]
    assert "version en vigueur" in rows[0]
    assert earlier.record.verification_code in rows[1]
    assert "version antérieure" in rows[1]
    assert paris(earlier.record.acknowledged_at) in rows[1]  # in Paris time (UTC in the API)
    english = _page(api, "/ui/me?lang=en", token("member", SCHOOL, student))
    assert "The versions of each document you acknowledged, newest first." in english.text
    assert "earlier version" in english.text
