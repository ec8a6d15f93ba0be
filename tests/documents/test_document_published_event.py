"""The "document.published" event: queued with the publication, delivered by `webhooks.deliver`
jobs to a real HTTP receiver on 127.0.0.1, signed, with the version and the absolute public
addresses, which then serve that version — on both databases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.webhooks import SIGNATURE_HEADER, check_signature
from govkit.db import Database
from govkit.documents.addresses import Addresses
from govkit.jobs.inprocess import InProcessQueue
from tests.ack_helpers import current, republish
from tests.acknowledgements.test_webhooks import SECRET, Receiver, job_queue, running_receiver
from tests.conftest import Api, make_settings
from tests.web.test_public_documents import amended

SCHOOL = "imt-mines-ales"
BASE = "https://govkit.example.fr"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


@pytest.fixture
def queue(db: Database) -> Iterator[InProcessQueue]:
    jobs = job_queue(db)
    yield jobs
    jobs.close()


def _events(receiver: Receiver, event: str) -> list[tuple[dict[str, str], dict]]:
    return [(h, json.loads(body)) for h, body in receiver.received if h["X-Govkit-Event"] == event]


def test_a_publication_is_announced_with_its_public_addresses(
    db: Database, receiver: Receiver, queue: InProcessQueue
) -> None:
    addresses = Addresses.of(make_settings(public_url=BASE))
    policy = CampaignPolicy(webhook_urls=(receiver.url,), jobs=queue, addresses=addresses)
    previous = current(db, SCHOOL, language="en")
    document = republish(db, SCHOOL, language="en", policy=policy, data=amended(db, previous, "New article"))
    queue.drain(timeout=30)
    ((headers, payload),) = _events(receiver, "document.published")  # English: no campaign, this event only
    assert [h["X-Govkit-Event"] for h, _body in receiver.received] == ["document.published"]
    body = next(b for h, b in receiver.received if h["X-Govkit-Event"] == "document.published")
    assert check_signature(SECRET, headers["X-Govkit-Timestamp"], body, headers[SIGNATURE_HEADER])
    sha = document.sha256
    assert payload == {
        "event": "document.published",
        "school": SCHOOL,
        "kind": "internal",
        "language": "en",
        "document_version_id": document.id,
        "version": document.number,
        "previous_version": previous.number,
        "sha256": sha,
        "effective_from": document.effective_from.isoformat(),
        "change_kind": "substantive",
        "published_at": payload["published_at"],
        "public": True,
        "urls": {
            "in_force": {fmt: f"{BASE}/public/{SCHOOL}/internal.en.{fmt}" for fmt in ("pdf", "html", "docx")},
            "permanent": {fmt: f"{BASE}/public/documents/{sha}.{fmt}" for fmt in ("pdf", "html", "docx")},
            "index": f"{BASE}/public/{SCHOOL}",
        },
    }
    # what the event points at is what was published
    api = Api(db, make_settings(public_url=BASE))
    served = api.request("GET", payload["urls"]["in_force"]["docx"].removeprefix(BASE))
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == sha
    assert api.request("GET", payload["urls"]["permanent"]["html"].removeprefix(BASE)).status_code == 200


def test_a_french_regulation_announces_its_campaign_and_its_publication(
    db: Database, receiver: Receiver, queue: InProcessQueue
) -> None:
    only_internal = Addresses.of(make_settings(public_url=BASE, public_kinds=["internal"]))
    policy = CampaignPolicy(webhook_urls=(receiver.url,), jobs=queue, addresses=only_internal)
    republish(db, SCHOOL, "internal", policy=policy)
    study = republish(db, SCHOOL, "study", policy=policy)
    queue.drain(timeout=30)
    assert sorted(h["X-Govkit-Event"] for h, _b in receiver.received) == [
        "campaign.opened",
        "campaign.opened",
        "document.published",
        "document.published",
    ]
    published = {p["kind"]: p for _h, p in _events(receiver, "document.published")}
    assert published["internal"]["public"] is True
    assert published["study"]["sha256"] == study.sha256
    assert published["study"]["public"] is False  # not a public kind here: no address given
    assert published["study"]["urls"] == {"in_force": None, "permanent": None, "index": None}
