"""One-click sign-in links, through the ASGI app on both databases: the GET page changes nothing,
the POST signs in once and lands on the document to read, and every refusal is a precise 4xx."""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import col, select

from govkit import migrations
from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import Campaign, Person
from govkit.auth import sign_in_links as links
from govkit.auth.models import SignInLink
from govkit.db import Database, create_db_engine, stored_id, utcnow
from govkit.demo.loader import load_demo
from govkit.organisations.models import Organisation
from govkit.settings import Settings
from tests.ack_helpers import acknowledge, current, member
from tests.conftest import BACKENDS, Api, fresh_database_url, make_settings

SCHOOL = "imt-atlantique"
PERSON = "E00001"
T = TypeVar("T")


def _person(db: Database, external_id: str = PERSON, school: str = SCHOOL) -> Person:
    with db.reading() as session:
        return session.exec(
            select(Person)
            .join(Organisation, col(Organisation.id) == Person.organisation_id)
            .where(Organisation.code == school, Person.external_id == external_id)
        ).one()


def _nth_person(db: Database, index: int) -> Person:
    """The ``index``-th active person of the database (a live database of few persons)."""
    with db.reading() as session:
        return session.exec(select(Person).where(Person.status == "active").order_by(col(Person.id))).all()[index]


def _campaign_id(db: Database, document_version_id: int) -> int:
    with db.reading() as session:
        found = session.exec(select(Campaign).where(Campaign.document_version_id == document_version_id)).one()
    return stored_id(found)


def _issue(db: Database, settings: Settings, *, person_id: int, campaign_id: int | None, **given: Any) -> str:
    """A new link's path (the settings' public URL is empty: the URL is the path)."""
    with db.transaction() as session:
        url = links.issue(session, person_id=person_id, campaign_id=campaign_id, settings=settings, **given)
    assert url.startswith(links.PATH)
    return url


def _browse(app: Any, steps: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """``steps`` with one client (its cookies kept between requests), as one browser."""

    async def go() -> T:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://govkit.test") as client:
            return await steps(client)

    return anyio.run(go)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def _open_and_continue(client: httpx.AsyncClient, url: str) -> httpx.Response:
    page = await client.get(url)
    assert page.status_code == 200, page.text
    return await client.post(url, data={"csrf": _csrf(page)})


def _link(db: Database, url: str) -> SignInLink:
    with db.reading() as session:
        return session.exec(
            select(SignInLink).where(SignInLink.token_sha256 == links.token_digest(url.rsplit("/", 1)[1]))
        ).one()


@pytest.fixture
def pending(db: Database) -> tuple[Person, int, int]:
    """The person, the document version they must acknowledge, and its campaign."""
    version = stored_id(current(db, SCHOOL))
    return _person(db), version, _campaign_id(db, version)


def test_the_link_is_an_absolute_url_and_stores_only_a_digest(db: Database, pending: tuple[Person, int, int]) -> None:
    person, _version, campaign = pending
    settings = make_settings(public_url="https://govkit.example.org")
    with db.transaction() as session:
        url = links.issue(session, person_id=stored_id(person), campaign_id=campaign, settings=settings)
    token = url.removeprefix("https://govkit.example.org/ui/signin/link/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 random bits
    link = _link(db, url)
    assert link.token_sha256 == links.token_digest(token) != token
    assert link.expires_at - link.created_at == timedelta(days=settings.sign_in_link_days)
    with db.reading() as session:
        stored = session.connection().execute(sa.text("SELECT * FROM sign_in_link WHERE id = :i"), {"i": link.id})
        assert token not in repr(stored.one())


def test_get_does_not_use_the_link_and_post_signs_in_once_on_the_document(
    api: Api, db: Database, settings: Settings, pending: tuple[Person, int, int]
) -> None:
    person, version, campaign = pending
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=campaign)

    async def steps(client: httpx.AsyncClient) -> None:
        for _ in range(3):  # a mail scanner, then the person
            seen = await client.get(url)
            assert seen.status_code == 200
            assert "Continuer vers mes documents" in seen.text
            assert person.given_name not in seen.text and person.email not in seen.text
            assert seen.headers["referrer-policy"] == "no-referrer"
        assert _link(db, url).used_at is None
        signed = await client.post(url, data={"csrf": _csrf(seen)})
        assert signed.status_code == 303
        assert signed.headers["location"] == f"/ui/me/documents/{version}"
        assert "govkit_session" in client.cookies
        document = await client.get(signed.headers["location"])
        assert document.status_code == 200
        assert "J&#39;ai lu et j&#39;accepte" in document.text
        me = await client.get("/ui/me")  # the session cookie works on the member page
        assert me.status_code == 200 and "Mes documents" in me.text
        again = await client.post(url, data={"csrf": _csrf(seen)})
        assert again.status_code == 410
        assert "déjà servi" in html.unescape(again.text)
        reopened = await client.get(url)
        assert reopened.status_code == 410

    _browse(api.app, steps)
    link = _link(db, url)
    assert link.used_at is not None and link.used_from == "127.0.0.1"
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "signin.link")).all()
    assert [(e.outcome, e.target["person"], e.role) for e in events] == [("ok", person.id, "member")]


def test_a_link_lands_on_the_member_page_once_the_document_is_acknowledged(
    api: Api, db: Database, settings: Settings, pending: tuple[Person, int, int]
) -> None:
    person, version, campaign = pending
    acknowledge(db=db, actor=member(db, SCHOOL, PERSON), document_version_id=version)
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=campaign)
    signed = _browse(api.app, lambda client: _open_and_continue(client, url))
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/me"


def test_each_email_has_its_own_link_and_older_ones_stay_valid(
    api: Api, db: Database, settings: Settings, pending: tuple[Person, int, int]
) -> None:
    person, _version, campaign = pending
    first = _issue(db, settings, person_id=stored_id(person), campaign_id=campaign)
    second = _issue(db, settings, person_id=stored_id(person), campaign_id=campaign)
    assert first != second
    for url in (first, second):
        signed = _browse(api.app, lambda client, url=url: _open_and_continue(client, url))  # type: ignore[misc]
        assert signed.status_code == 303


def test_an_english_speaker_gets_the_page_in_english(api: Api, db: Database, settings: Settings) -> None:
    person = _person(db, "E00002")
    with db.transaction() as session:
        session.connection().execute(
            sa.update(Person).where(col(Person.id) == person.id).values(preferred_language="en")
        )
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=None)

    async def steps(client: httpx.AsyncClient) -> None:
        page = await client.get(url)
        assert 'lang="en"' in page.text and "Continue to your documents" in page.text
        french = await client.get(url + "?lang=fr")  # the visitor's choice wins
        assert "Continuer vers mes documents" in french.text
        signed = await client.post(url, data={"csrf": _csrf(french)})
        assert signed.status_code == 303 and signed.headers["location"] == "/ui/me"

    _browse(api.app, steps)


def test_an_expired_link_is_refused(api: Api, db: Database, settings: Settings) -> None:
    person = _person(db)
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=None, now=utcnow() - timedelta(days=15))

    async def steps(client: httpx.AsyncClient) -> None:
        page = await client.get(url)
        assert page.status_code == 410 and "a expiré" in html.unescape(page.text)
        assert 'href="/ui/"' in page.text  # points to the normal sign-in
        refused = await client.post(url, data={"csrf": "0" * 32})
        assert refused.status_code == 410

    _browse(api.app, steps)
    assert _link(db, url).used_at is None


def test_a_link_of_a_person_who_left_is_refused(api: Api, db: Database, settings: Settings) -> None:
    person = _person(db, "E00003")
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=None)

    async def steps(client: httpx.AsyncClient) -> None:
        page = await client.get(url)
        assert page.status_code == 200
        with db.transaction() as session:
            session.connection().execute(sa.update(Person).where(col(Person.id) == person.id).values(status="departed"))
        refused = await client.post(url, data={"csrf": _csrf(page)})
        assert refused.status_code == 410 and "n'est plus valable" in html.unescape(refused.text)
        assert "govkit_session" not in client.cookies
        assert (await client.get(url)).status_code == 410

    _browse(api.app, steps)
    assert _link(db, url).used_at is None


def test_a_form_without_its_cookie_is_refused(api: Api, db: Database, settings: Settings) -> None:
    url = _issue(db, settings, person_id=stored_id(_person(db)), campaign_id=None)

    async def steps(client: httpx.AsyncClient) -> None:
        page = await client.get(url)
        client.cookies.clear()  # posted from another site: the SameSite=Strict cookie is not sent
        refused = await client.post(url, data={"csrf": _csrf(page)})
        assert refused.status_code == 403 and "Rouvrir le lien" in refused.text

    _browse(api.app, steps)
    assert _link(db, url).used_at is None


def test_unknown_and_malformed_links_are_not_found(api: Api) -> None:
    unknown = links.PATH + secrets.token_urlsafe(32)
    assert api.request("GET", unknown).status_code == 404
    assert "n'existe pas" in html.unescape(api.request("GET", unknown).text)
    assert api.request("POST", unknown, data={"csrf": "x"}).status_code == 404


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_any_text_as_a_token_is_not_found_never_an_error(db: Database, text: str) -> None:
    assume(text not in {".", ".."})
    api = Api(db, make_settings(sign_in_link_rate_per_minute=10_000))
    path = links.PATH + quote(text, safe="")
    for method in ("GET", "POST"):
        # (a trailing slash is first redirected to the address without it)
        answer = api.request(method, path, data={"csrf": text} if method == "POST" else None, follow_redirects=True)
        assert answer.status_code == 404, (method, text, answer.status_code)


def test_rate_limits_answer_429(db: Database) -> None:
    api = Api(db, make_settings(sign_in_link_rate_per_minute=8))
    person = _person(db)
    url = _issue(db, api.settings, person_id=stored_id(person), campaign_id=None)
    statuses = [api.request("POST", url, data={"csrf": "0"}).status_code for _ in range(links.LINK_RATE_PER_MINUTE + 1)]
    assert statuses == [403] * links.LINK_RATE_PER_MINUTE + [429]  # per link
    others = [links.PATH + secrets.token_urlsafe(32) for _ in range(3)]
    statuses = [api.request("POST", other, data={"csrf": "0"}).status_code for other in others]
    assert statuses == [404, 404, 429]  # per client address: 8 a minute
    limited = api.request("POST", others[0], data={"csrf": "0"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "Trop de tentatives" in limited.text


# --- concurrency, on real connections (a fresh database per backend) ---------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = fresh_database_url(request.param, "govkit_test_links", tmp_path_factory.mktemp("links"))
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=2)
    yield db
    engine.dispose()


def test_concurrent_posts_sign_in_exactly_once(live: Database) -> None:
    settings = make_settings()
    person = stored_id(_nth_person(live, 0))
    url = _issue(live, settings, person_id=person, campaign_id=None)
    app = Api(live, settings).app

    async def steps(client: httpx.AsyncClient) -> list[int]:
        page = await client.get(url)
        form = {"csrf": _csrf(page)}
        answers = await asyncio.gather(*(client.post(url, data=form) for _ in range(links.LINK_RATE_PER_MINUTE)))
        return sorted(a.status_code for a in answers)

    assert _browse(app, steps) == [303] + [410] * (links.LINK_RATE_PER_MINUTE - 1)
    with live.reading() as session:
        grants = session.execute(
            sa.text("SELECT count(*) FROM role_grant WHERE created_by = 'sign-in link' AND person_id = :p"),
            {"p": person},
        )
        assert grants.scalar_one() == 1


def test_threads_racing_on_one_link_make_one_session(live: Database) -> None:
    settings = make_settings()
    person = stored_id(_nth_person(live, 1))
    token = _issue(live, settings, person_id=person, campaign_id=None).rsplit("/", 1)[1]

    def attempt(_: int) -> str:
        try:
            return links.use(db=live, settings=settings, token=token, client_ip="10.0.0.1").landing
        except links.LinkRefused as refusal:
            return refusal.reason

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(attempt, range(8)))
    assert outcomes == ["/ui/me"] + ["used"] * 7
    with live.reading() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "signin.link", AuditEvent.correlation_id == "-")
        ).all()
    mine = [e.outcome for e in events if e.target.get("person") == person]
    assert sorted(mine) == ["ok"] + ["refused"] * 7


def test_client_addresses_are_erased_after_the_retention_period(live: Database) -> None:
    settings = make_settings()
    person = stored_id(_nth_person(live, 2))
    token = _issue(live, settings, person_id=person, campaign_id=None).rsplit("/", 1)[1]
    links.use(db=live, settings=settings, token=token, client_ip="192.0.2.7")
    assert links.erase_client_data(db=live, older_than_days=1) == 0
    with live.transaction() as session:
        session.connection().execute(
            sa.update(SignInLink)
            .where(col(SignInLink.token_sha256) == links.token_digest(token))
            .values(used_at=utcnow() - timedelta(days=2))
        )
    assert links.erase_client_data(db=live, older_than_days=1) == 1
    with live.reading() as session:
        link = session.exec(select(SignInLink).where(SignInLink.token_sha256 == links.token_digest(token))).one()
    assert link.used_from is None and link.used_at is not None


def test_the_schools_single_sign_on_is_offered_when_configured(db: Database) -> None:
    plain = Api(db, make_settings())
    sso = Api(db, make_settings(oidc_issuer="https://idp.example.org", oidc_client_id="govkit"))
    url = _issue(db, plain.settings, person_id=stored_id(_person(db)), campaign_id=None)
    assert "/ui/signin/oidc" not in plain.request("GET", url).text
    page = sso.request("GET", url).text
    assert 'href="/ui/signin/oidc"' in page and "compte de l&#39;école" in page
    assert 'href="/ui/signin/oidc"' in sso.request("GET", links.PATH + secrets.token_urlsafe(32)).text


def test_the_right_of_access_lists_the_links_without_their_digests(db: Database, settings: Settings) -> None:
    from govkit.flows.data_protection import export_person

    person = _person(db)
    url = _issue(db, settings, person_id=stored_id(person), campaign_id=None)
    links.use(db=db, settings=settings, token=url.rsplit("/", 1)[1], client_ip="192.0.2.9")
    from govkit.access.roles import SYSTEM

    held = export_person(db=db, actor=SYSTEM, school=SCHOOL, external_id=PERSON, public_url="")
    (link,) = held["sections"]["sign_in_links"]
    assert link["used_from"] == "192.0.2.9" and link["used_at"] and link["expires_at"]
    assert "token_sha256" not in link and links.token_digest(url.rsplit("/", 1)[1]) not in repr(held)
