"""The Jinja filters of the pages: codes as words, times in Paris, French elision.

    {{ p.population|label("population") }}        -> « doctorants » / "doctoral students"
    {{ record.acknowledged_at|paris }}             -> « 05/12/2026 19:26 » (Europe/Paris)
    {{ organisation.name|of_school }}              -> « d'IMT Atlantique » / "of IMT Atlantique"
    {{ finding.message|codes }}                    -> identifiers (profile fields…) set as <code>
    {{ review.uploaded_by|recorded_by }}           -> « <code>juriste@…</code> (service juridique) »

Each reads the page's language (``lang`` in the template's context). Times are stored and answered
by the API in UTC; the pages show them in Europe/Paris, the schools' time, and say so
(``t("paris_time")``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from govkit.days import in_paris
from govkit.french import of
from govkit.labels import label


def paris(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """``moment`` written in Paris time (``fmt``), or « — » when there is none."""
    return "—" if moment is None else in_paris(moment).strftime(fmt)


@pass_context
def label_filter(context: Context, code: Any, kind: str) -> str:
    return label(kind, code, context.get("lang", "fr"))


@pass_context
def labels_filter(context: Context, codes: Any, kind: str, separator: str = ", ") -> str:
    return separator.join(label(kind, code, context.get("lang", "fr")) for code in codes)


@pass_context
def of_school(context: Context, name: str) -> str:
    return of(name, context.get("lang", "fr"))


#: An identifier in a sentence: a profile field (``equality_referent.time_share_percent``), a record's id.
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)*_[a-z0-9]+(?:[_.][a-z0-9]+)*\b")


def codes(text: str) -> Markup:
    """``text`` (escaped) with the identifiers it names set as code: a rule's message may name the
    profile field to fill in, which has no other name than its path."""
    escaped = str(escape(text))
    return Markup(IDENTIFIER.sub(lambda m: f"<code>{m.group(0)}</code>", escaped))  # noqa: S704 - escaped above


#: How govkit names whoever made a change (``Principal.label``): "subject (role)".
ACTOR_LABEL = re.compile(r"^(?P<subject>.*) \((?P<role>[a-z_]+)\)$")


@pass_context
def who(context: Context, actor_label: str | None) -> Markup:
    """A recorded actor (``published_by``, ``decided_by``...): their identifier as code, their role in
    the page's language."""
    if not actor_label:
        return Markup("—")
    found = ACTOR_LABEL.match(actor_label)
    if found is None:
        return Markup(f"<code>{escape(actor_label)}</code>")  # noqa: S704 - escaped
    role = label("role", found["role"], context.get("lang", "fr"))
    return Markup(f"<code>{escape(found['subject'])}</code> ({escape(role)})")  # noqa: S704 - escaped


@pass_context
def recorded_by(context: Context, name: str | None) -> Markup:
    """Who a record names (``Principal.label``: « subject (role) »): the subject as code, the role in words."""
    found = re.fullmatch(r"(.*) \((\w+)\)", name or "")
    if found is None:
        return Markup("<code>{}</code>").format(name or "—")
    role = label("role", found.group(2), context.get("lang", "fr"))
    return Markup("<code>{}</code> ({})").format(found.group(1), role)


def register(environment: Environment) -> None:
    """Add the pages' filters to ``environment``."""
    environment.filters["label"] = label_filter
    environment.filters["labels"] = labels_filter
    environment.filters["recorded_by"] = recorded_by
    environment.filters["paris"] = paris
    environment.filters["of_school"] = of_school
    environment.filters["codes"] = codes
    environment.filters["who"] = who
