"""What a caller names in their input is looked up only once they may act on such things.

The order of every service function: who calls (authentication), whether their role may do
this kind of thing at all, then what the input names (an organisation code, an id) is looked
up and checked against their organisation, and only then is the rest of the input validated.
A caller scoped to one organisation who names something that does not exist is refused as if
it belonged to another organisation: the answer tells nothing of what exists elsewhere.
"""

from __future__ import annotations

from typing import NoReturn

from govkit.access.policy import POLICY, PUBLIC_ACTIONS, Action, authorize
from govkit.access.roles import Principal
from govkit.errors import GovkitError, InvalidInput

#: Database ids are positive 32-bit integers (INTEGER primary keys).
MAX_ROW_ID = 2**31 - 1


def authorize_some(actor: Principal, action: Action) -> None:
    """Refuse a caller whose role may not do ``action`` anywhere (UNAUTHENTICATED when anonymous,
    FORBIDDEN otherwise), before anything their input names is looked up."""
    if action in PUBLIC_ACTIONS or (actor.role is not None and actor.role in POLICY.get(action, {})):
        return
    authorize(actor, action)  # raises


def unknown(actor: Principal, action: Action, error: GovkitError) -> NoReturn:
    """Raise ``error`` (the input names nothing that exists) to a caller who may do ``action``
    everywhere; to one scoped to their organisation, the refusal they get for another's."""
    authorize(actor, action)  # raises for callers scoped to an organisation
    raise error


def row_id(value: int | str) -> int | None:
    """The database id a caller gave (a GraphQL ID is a string), or None when it names no row:
    not a whole number, or out of the range of ids."""
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        return None
    return value


def given_id(actor: Principal, action: Action, value: int | str, what: str) -> int:
    """``value`` as a database id, for a caller who may do ``action`` somewhere; one that names no
    row is INVALID_INPUT to a caller acting everywhere, and their refusal to a scoped one."""
    found = row_id(value)
    if found is None:
        unknown(
            actor,
            action,
            InvalidInput(f"{value!r} is not a valid {what} id.", key="invalid_id", params={"value": value}),
        )
    return found
