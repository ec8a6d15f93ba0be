"""The words of the pages: every code of the closed vocabularies has its French and English word, and
every error a page can show (each key raised in govkit) is said in both languages."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from govkit.access.roles import Role
from govkit.acknowledgements.models import CHANNELS
from govkit.acknowledgements.vocabulary import PersonStatus
from govkit.errors import Forbidden, GovkitError, InvalidInput, NotFound
from govkit.evidence.facts import Standing
from govkit.french import de
from govkit.jobs.service import JobStatus
from govkit.labels import LABELS, label
from govkit.notifications.vocabulary import NoticeKind, NoticeStatus
from govkit.organisations import vocabulary as organisations
from govkit.timeline import Precision
from govkit.vocabulary import Population, SurveyAudience, SurveyStatus, TrainingAudience
from govkit.web.filters import codes, paris
from govkit.web.i18n.errors import BY_CODE, MESSAGES, fields, say

GOVKIT = Path(__file__).resolve().parents[2] / "govkit"

#: Each closed vocabulary and the words it is shown with.
VOCABULARIES: list[tuple[str, type[StrEnum]]] = [
    ("population", Population),
    ("training_audience", TrainingAudience),
    ("survey_audience", SurveyAudience),
    ("survey_status", SurveyStatus),
    ("role", Role),
    ("job_status", JobStatus),
    ("person_status", PersonStatus),
    ("standing", Standing),
    ("notice_kind", NoticeKind),
    ("notice_status", NoticeStatus),
    ("precision", Precision),
    ("organisation_type", organisations.OrganisationType),
    ("commitment_type", organisations.CommitmentType),
    ("commitment_status", organisations.CommitmentStatus),
    ("arrangement_how", organisations.ArrangementHow),
    ("member_role", organisations.MemberRole),
    ("residence_manager", organisations.ResidenceManager),
    ("listening_cell_kind", organisations.ListeningCellKind),
    ("reporting_channel_kind", organisations.ReportingChannelKind),
    ("language", organisations.Language),
]
#: Vocabularies that are check constraints or literals rather than enumerations.
LITERALS = {
    "method": {"electronic", "paper", "carried_forward"},  # acknowledgement.method
    "shown_via": set(CHANNELS),  # acknowledgement.shown_via, document_delivery.channel
    "diff_status": {"added", "removed", "changed", "unchanged"},  # govkit.documents.diff
    "change_kind": {"editorial", "substantive"},
    "severity": {"error", "warning", "info"},  # finding.severity
    "version_status": {"draft", "published"},
    "review_status": {"pending", "ready", "failed", "in_force"},  # govkit.flows.review_models
    "approval_status": {"pending", "approved", "refused"},  # govkit.approvals.models
}


@pytest.mark.parametrize(("kind", "enum"), VOCABULARIES, ids=[k for k, _ in VOCABULARIES])
def test_every_code_of_a_vocabulary_has_its_words(kind: str, enum: type[StrEnum]) -> None:
    words = LABELS[kind]
    assert {c.value for c in enum} <= set(words), f"{kind}: no words for {set(enum) - set(words)}"
    for code in enum:
        said = words[code.value]
        assert said["fr"].strip() and said["en"].strip(), (kind, code)
        assert label(kind, code, "fr") == said["fr"] and label(kind, code.value, "en") == said["en"]


@pytest.mark.parametrize("kind", sorted(LITERALS))
def test_every_literal_code_has_its_words(kind: str) -> None:
    assert LITERALS[kind] <= set(LABELS[kind])
    assert all(w["fr"] and w["en"] for w in LABELS[kind].values())


def test_the_words_of_a_code_are_french_and_english() -> None:
    assert label("population", "doctoral_student", "fr") == "doctorants"
    assert label("population", "doctoral_student", "en") == "doctoral students"
    assert label("method", "carried_forward", "fr").startswith("reportée")
    assert label("role", Role.SCHOOL_ADMIN, "fr") == "administration de l'école"
    assert label("diff_status", "changed", "fr") == "modifiée"
    assert label("population", "not_a_code", "fr") == "not_a_code"  # shown as is, and the tests above fail


def _error_classes() -> set[str]:
    """The names of govkit's error classes (GovkitError's subclasses, and InvalidToken)."""
    for module in ("govkit.app", "govkit.cli"):  # they import the modules that define them
        importlib.import_module(module)

    names, todo = {"GovkitError", "InvalidToken"}, [GovkitError]
    while todo:
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    return names


def _raised_keys() -> dict[str, set[str]]:
    """Each error key raised in govkit (``key="..."`` given to an error class), with the parameters
    given beside it."""
    errors = _error_classes()
    found: dict[str, set[str]] = {}
    for path in GOVKIT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if called not in errors:
                continue
            given = {k.arg: k.value for k in node.keywords if k.arg}
            key = given.get("key")
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            params = given.get("params")
            names = (
                {k.value for k in params.keys if isinstance(k, ast.Constant)} if isinstance(params, ast.Dict) else set()
            )
            found.setdefault(key.value, set()).update(names)
    return found


def test_every_error_a_page_can_show_is_said_in_both_languages() -> None:
    raised = _raised_keys()
    # the keys the sign-in page passes by name (govkit.web.signin), and InvalidToken's default
    raised.update({"sso_not_configured": set(), "sso_expired": set(), "sso_failed": set(), "token_invalid": set()})
    assert len(raised) >= 40, sorted(raised)  # the scan finds the keyed errors
    missing = sorted(set(raised) - set(MESSAGES))
    assert not missing, f"error keys without words (govkit.web.i18n.errors.MESSAGES): {missing}"
    for key, params in raised.items():
        entry = MESSAGES[key]
        assert entry["fr"].strip() and entry["en"].strip() and entry["fr"] != entry["en"], key
        derived = {"title"} if "kind" in params else set()
        for language in ("fr", "en"):
            unknown = fields(entry[language]) - params - derived
            assert not unknown, f"{key} ({language}) uses {unknown}, not given where it is raised"
    for code in ("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "INVALID_INPUT", "CONFLICT", "ERROR"):
        assert BY_CODE[code]["fr"] and BY_CODE[code]["en"]


def test_an_error_is_said_with_its_parameters_and_never_in_english_on_a_french_page() -> None:
    error = NotFound("No campaign 99999.", key="no_campaign", params={"id": 99999})
    assert say(error, "fr") == "Aucune campagne n° 99999."
    assert say(error, "en") == "No campaign 99999."
    assert error.message == "No campaign 99999."  # the API's message is unchanged
    forbidden = Forbidden(
        "Role school_admin may not read campaigns here.", key="forbidden", params={"role": "school_admin"}
    )
    assert "administration de l'école" in say(forbidden, "fr")
    late = InvalidInput("...", key="not_in_force_yet", params={"version": 2, "day": date(2027, 1, 4)})
    assert say(late, "fr") == "La version 2 n'entre en vigueur que le 04/01/2027."
    concerned = InvalidInput("...", key="not_concerned", params={"kind": "internal"})
    assert say(concerned, "fr") == "« Règlement intérieur » ne concerne pas vos populations."
    # no key, or a key without words: said by its code, in the page's language
    assert say(GovkitError("Something in English."), "fr") == BY_CODE["ERROR"]["fr"]
    assert say(InvalidInput("Bad.", key="no_such_key"), "fr") == BY_CODE["INVALID_INPUT"]["fr"]


def test_pages_show_paris_time_and_elide_french() -> None:
    winter = datetime(2026, 12, 5, 18, 26)  # stored naive, in UTC
    assert paris(winter) == "05/12/2026 19:26"
    assert paris(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == "02/07/2026 00:30"  # summer: UTC+2
    assert paris(None) == "—"
    assert de("IMT Atlantique") == "d'IMT Atlantique" and de("Mines Paris") == "de Mines Paris"
    assert str(codes("le profil ne renseigne pas equality_referent.time_share_percent <b>")) == (
        "le profil ne renseigne pas <code>equality_referent.time_share_percent</code> &lt;b&gt;"
    )
