"""Telling a school's administration that the new version of one of its documents could not be
rendered (a publication review, govkit.flows.root_publication): one message to each administrator,
sent by the ``notices.send`` job, in the caller's transaction (once per review and school)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from govkit.db import stored_id
from govkit.jobs.queue import JobQueue
from govkit.notifications.digests import administrators
from govkit.notifications.models import NoticeMessage
from govkit.notifications.rendering import render_named
from govkit.notifications.vocabulary import SEND, NoticeKind

TEMPLATE = "render_failed"


def tell_render_failure(
    session: Session,
    jobs: JobQueue,
    *,
    review_id: int,
    organisation_id: int,
    school: str,
    document: dict[str, str],
    version: int,
    message: str,
    missing: Sequence[str],
    link: str,
) -> list[int]:
    """Queue the message to each administrator of the school (``document``: its title by language);
    the ids of the messages created (none twice for one review and school)."""
    admins = administrators(session, organisation_id)
    keys = {f"{TEMPLATE}:{review_id}:{organisation_id}:{a.identity_id}": a for a in admins}
    done = set(session.exec(select(NoticeMessage.key).where(col(NoticeMessage.key).in_(list(keys)))).all())
    created = []
    for key, admin in keys.items():
        if key in done:
            continue
        language = admin.language if admin.language in ("fr", "en") else "fr"
        values = {
            "document": document.get(language) or document.get("fr", ""),
            "school": school,
            "version": version,
            "message": message,
            "missing": list(missing),
            "link": link,
        }
        text = render_named(f"{TEMPLATE}.{language}.txt", values)
        created.append(
            NoticeMessage(
                key=key,
                organisation_id=organisation_id,
                person_id=admin.person_id,
                identity_id=admin.identity_id,
                kind=NoticeKind.DIGEST.value,  # a message to the school's administration
                template=text.template,
                language=text.language,
                recipient=admin.address,
                subject=text.subject,
                body=text.body,
            )
        )
    session.add_all(created)
    session.flush()
    ids = [stored_id(m) for m in created]
    if ids:
        jobs.defer(session, SEND, key=f"notices:send:{TEMPLATE}:{ids[0]}-{ids[-1]}", message_ids=ids)
    return ids
