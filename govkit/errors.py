"""Errors a user may see: each has a stable code and a message meant for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One precise problem in an input: where it is and what is wrong."""

    path: str
    message: str


class GovkitError(Exception):
    """Base of every error whose message can be shown to the user as is."""

    code = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []
        #: What went wrong for the pages, which say it in their language (govkit.web.i18n.errors):
        #: the message's key and its parameters. The API answers ``message``, in English.
        self.key = key
        self.params: dict[str, Any] = dict(params or {})

    def extensions(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.problems:
            data["problems"] = [{"path": p.path, "message": p.message} for p in self.problems]
        return data


class NotAuthenticated(GovkitError):
    code = "UNAUTHENTICATED"


class Forbidden(GovkitError):
    code = "FORBIDDEN"


class NotFound(GovkitError):
    code = "NOT_FOUND"


class InvalidInput(GovkitError):
    code = "INVALID_INPUT"


class Conflict(GovkitError):
    code = "CONFLICT"


@dataclass
class ProblemList:
    """Collects problems, then raises them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def raise_if_any(self, message: str) -> None:
        if self.problems:
            raise InvalidInput(message, problems=self.problems)
