"""Correction requests (govkit.privacy.corrections) with their e-mails: a request is told to each
administrator of the person's school, a decision to the person — messages queued in the
transaction that writes the request or the decision, sent by the ``notices.send`` job over the real
SMTP path (govkit.notifications.delivery). The messages to the administration name neither the
person nor the text asked for: they point to the page where the administration reads them.

    telling = corrections_telling(jobs, public_url)   # once (govkit.composition), or per page call
    corrections.request_correction(..., tell=telling.requested)
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from govkit.acknowledgements.models import Person
from govkit.days import paris_day
from govkit.db import stored_id
from govkit.french import of
from govkit.jobs.queue import JobQueue
from govkit.notifications.digests import administrators
from govkit.notifications.models import NoticeMessage
from govkit.notifications.rendering import long_date, render_named
from govkit.notifications.vocabulary import SEND, NoticeKind
from govkit.organisations.models import Organisation
from govkit.privacy.correction_models import CorrectionRequest
from govkit.privacy.corrections import Telling

__all__ = ["SECTION_WORDS", "corrections_telling"]

#: The sections' names in the e-mails (the pages' are in govkit.web.i18n.own_data).
SECTION_WORDS: dict[str, dict[str, str]] = {
    "identity_and_contact": {"fr": "identité et coordonnées", "en": "identity and contact"},
    "school_and_populations": {"fr": "école et populations", "en": "school and populations"},
    "acknowledgements": {"fr": "prises de connaissance", "en": "acknowledgements"},
    "notices": {"fr": "campagnes et courriels", "en": "campaigns and e-mails"},
    "sign_in_links": {"fr": "liens de connexion", "en": "sign-in links"},
    "role_grants": {"fr": "rôles", "en": "roles"},
    "other": {"fr": "autre", "en": "other"},
}


def corrections_telling(jobs: JobQueue, public_url: str) -> Telling:
    base = public_url.rstrip("/")

    def requested(session: Session, row: CorrectionRequest) -> None:
        _to_administration(session, jobs, row, f"{base}/ui/corrections#request-{row.id}")

    def decided(session: Session, row: CorrectionRequest) -> None:
        _to_person(session, jobs, row, f"{base}/ui/me/data#corrections")

    return Telling(requested, decided)


def _word(section: str, language: str) -> str:
    return SECTION_WORDS.get(section, SECTION_WORDS["other"])[language]


def _to_administration(session: Session, jobs: JobQueue, row: CorrectionRequest, link: str) -> None:
    organisation = session.get(Organisation, row.organisation_id)
    school = organisation.code if organisation else "?"
    messages = []
    for admin in administrators(session, row.organisation_id):
        language = admin.language if admin.language in ("fr", "en") else "fr"
        values = {
            "number": row.id,
            "school": school,
            "of_school": of(school, language),
            "section": _word(row.section, language),
            "field": row.field,
            "link": link,
        }
        text = render_named(f"correction_request.{language}.txt", values)
        messages.append(
            _message(
                row, f"correction:{row.id}:{admin.identity_id}", admin.person_id, admin.address, text, admin.identity_id
            )
        )
    _queue(session, jobs, messages)


def _to_person(session: Session, jobs: JobQueue, row: CorrectionRequest, link: str) -> None:
    person = session.get(Person, row.person_id)
    organisation = session.get(Organisation, row.organisation_id)
    if person is None or not person.email:
        return
    language = person.preferred_language if person.preferred_language in ("fr", "en") else "fr"
    school = organisation.name if organisation else "?"
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "requested_on": long_date(paris_day(row.requested_at), language),
        "done": row.status == "done",
        "note": row.note or "",
        "section": _word(row.section, language),
        "field": row.field,
        "school": school,
        "of_school": of(school, language),
        "link": link,
    }
    text = render_named(f"{NoticeKind.CORRECTION.value}.{language}.txt", values)
    _queue(session, jobs, [_message(row, f"correction:{row.id}:decision", person.id, person.email, text, None)])


def _message(
    row: CorrectionRequest, key: str, person_id: int | None, address: str, text: Any, identity_id: int | None
) -> NoticeMessage:
    return NoticeMessage(
        key=key,
        organisation_id=row.organisation_id,
        person_id=person_id,
        identity_id=identity_id,
        kind=NoticeKind.CORRECTION.value,
        template=text.template,
        language=text.language,
        recipient=address,
        subject=text.subject,
        body=text.body,
    )


def _queue(session: Session, jobs: JobQueue, messages: list[NoticeMessage]) -> None:
    if not messages:
        return
    session.add_all(messages)
    session.flush()
    ids = [stored_id(m) for m in messages]
    jobs.defer(session, SEND, key=f"notices:send:correction:{ids[0]}-{ids[-1]}", message_ids=ids)
