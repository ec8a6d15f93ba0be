"""What an evidence file holds, and its plain statements in French and English (pure: no database).

The file answers, for one person on one date (``day``) and each regulation kind that concerned
them that day: which version was in force, and whether they had acknowledged it by the end of that
day (UTC). An acknowledgement carried forward over an editorial change counts from the person's own
act it stems from (``original``, an electronic or paper record): both are stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from govkit.days import utc_day


class Standing(StrEnum):
    """Where the person stood on the date towards one regulation kind."""

    ACKNOWLEDGED = "acknowledged"  # the version in force, acknowledged by the end of the date
    ACKNOWLEDGED_AFTER = "acknowledged_after"  # the version in force, acknowledged only after the date
    NOT_ACKNOWLEDGED = "not_acknowledged"  # the version in force, never acknowledged
    NO_VERSION = "no_version"  # no version was in force on the date


@dataclass(frozen=True)
class PersonFacts:
    id: int
    external_id: str
    given_name: str
    family_name: str
    #: The populations the person belonged to on the date.
    populations: tuple[str, ...]
    status: str
    entry_date: date | None
    departure_date: date | None
    preferred_language: str
    #: At the school on the date: entered by then and not yet departed.
    present: bool
    #: "personal data erased on D under the retention rule" (French and English); None: not erased.
    erasure: str | None = None

    @property
    def name(self) -> str:
        if self.erasure:  # erased: no name left to show (govkit.flows.retention)
            return "[données personnelles effacées / personal data erased]"
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class VersionFacts:
    """A version of a school's document, with its period in force."""

    id: int
    kind: str
    language: str
    number: int
    effective_from: date
    #: Exclusive: the effective date of the version that followed it; None while none has.
    effective_to: date | None
    change_kind: str
    changelog: str
    sha256: str
    published_at: datetime
    published_by: str


@dataclass(frozen=True)
class ChainLink:
    """A record's place in the acknowledgement chain, and what anyone needs to recompute its hash:
    ``record_hash`` = SHA-256 of ``previous_hash``, a line feed and ``hashed_body`` (hexadecimal)."""

    position: int  # 1 for the chain's first record
    record_hash: str
    previous_hash: str
    #: The canonical JSON the hash covers (govkit.acknowledgements.chain.body).
    hashed_body: str
    #: The hash recomputed in Python matches, ``previous_hash`` is the hash of the record before, and
    #: the personal data kept match their salted digests.
    verified: bool


@dataclass(frozen=True)
class AcknowledgementFacts:
    id: int
    version: int  # the number of the version this record acknowledges
    language: str
    document_sha256: str
    method: str  # electronic, paper or carried_forward
    acknowledged_at: datetime
    authentication: str
    recorded_by: str
    reason: str | None
    wording: str
    verification_code: str
    carried_from_id: int | None
    chain: ChainLink
    #: The record's personal data were erased: ``wording`` and ``recorded_by`` say so instead.
    personal_data_erased: bool = False
    #: When and how the version was delivered to the person before they accepted it (proof of display;
    #: None for a paper visa, a record carried forward, or one made before govkit recorded deliveries).
    shown_at: datetime | None = None
    shown_via: str | None = None


@dataclass(frozen=True)
class KindEvidence:
    """One regulation kind that concerned the person on the date."""

    kind: str
    title_fr: str
    title_en: str
    #: The person's populations on the date that the kind applies to.
    populations: tuple[str, ...]
    standing: Standing
    #: The French version in force on the date (the authentic text, the one acknowledged).
    version: VersionFacts | None
    #: The English version in force on the date, for a person whose language is English.
    translation: VersionFacts | None
    #: The person's record of the version in force (possibly carried forward).
    acknowledgement: AcknowledgementFacts | None
    #: For a record carried forward: the person's own (electronic or paper) record it stems from.
    original: AcknowledgementFacts | None
    #: When the version in force was not acknowledged: the person's latest record of an earlier version.
    earlier: AcknowledgementFacts | None
    statement_fr: str
    statement_en: str

    @property
    def act(self) -> AcknowledgementFacts | None:
        """The person's own act for the version in force: the original of a carried-forward record."""
        return self.original or self.acknowledgement


@dataclass(frozen=True)
class ChainHeadFacts:
    """The end of the acknowledgement chain when the file was exported."""

    id: int | None
    hash: str
    records: int


@dataclass(frozen=True)
class EvidenceFile:
    school_code: str
    school_name: str
    person: PersonFacts
    day: date
    exported_at: datetime
    exported_by: str
    chain_head: ChainHeadFacts
    kinds: tuple[KindEvidence, ...]


# --- statements ---------------------------------------------------------------------------------


def fr_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


_HOW = {
    "electronic": ("électroniquement", "electronically"),
    "paper": ("sur papier", "on paper"),
}


def standing(version: VersionFacts | None, act: AcknowledgementFacts | None, day: date) -> Standing:
    if version is None:
        return Standing.NO_VERSION
    if act is None:
        return Standing.NOT_ACKNOWLEDGED
    return Standing.ACKNOWLEDGED if utc_day(act.acknowledged_at) <= day else Standing.ACKNOWLEDGED_AFTER


def statements(
    *,
    name: str,
    school: str,
    title_fr: str,
    title_en: str,
    day: date,
    version: VersionFacts | None,
    record: AcknowledgementFacts | None,
    original: AcknowledgementFacts | None,
    earlier: AcknowledgementFacts | None,
) -> tuple[Standing, str, str]:
    """The standing on ``day`` and its plain statement in French and in English."""
    act = original or record
    found = standing(version, act, day)
    on_fr, on_en = fr_day(day), day.isoformat()
    if version is None:
        return (
            found,
            f"Aucune version du document « {title_fr} » n'était en vigueur à {school} le {on_fr}.",
            f"No version of the \u201c{title_en}\u201d was in force at {school} on {on_en}.",
        )
    n = version.number
    if act is None:
        fr = (
            f"{name} n'avait pas pris connaissance de la version en vigueur le {on_fr} "
            f"du document « {title_fr} » (version {n})."
        )
        en = f"{name} had not acknowledged the version of the \u201c{title_en}\u201d in force on {on_en} (version {n})."
        return found, fr + _earlier_fr(earlier), en + _earlier_en(earlier)
    when = utc_day(act.acknowledged_at)
    how_fr, how_en = _HOW.get(act.method, (act.method, act.method))
    carried = original is not None and original.version != n
    if found is Standing.ACKNOWLEDGED_AFTER:
        fr = (
            f"{name} n'avait pas pris connaissance de la version {n} du document « {title_fr} » en vigueur "
            f"le {on_fr} : sa prise de connaissance date du {fr_day(when)} ({how_fr}), après cette date"
        )
        en = (
            f"{name} had not acknowledged version {n} of the \u201c{title_en}\u201d in force on {on_en}: "
            f"they acknowledged it on {when.isoformat()} ({how_en}), after that date"
        )
        if carried:
            assert original is not None
            fr += f" (version {original.version}, reportée sur la version {n})"
            en += f" (version {original.version}, carried forward to version {n})"
        return found, fr + "." + _earlier_fr(earlier), en + "." + _earlier_en(earlier)
    if carried:
        assert original is not None
        return (
            found,
            f"{name} avait pris connaissance de la version {original.version} du document « {title_fr} » "
            f"le {fr_day(when)} ({how_fr}) ; cette prise de connaissance a été reportée sur la version {n}, "
            f"en vigueur le {on_fr}, modification rédactionnelle ne demandant pas de nouvelle prise "
            "de connaissance.",
            f"{name} had acknowledged version {original.version} of the \u201c{title_en}\u201d on "
            f"{when.isoformat()} ({how_en}), carried forward to version {n}, in force on {on_en} "
            "(an editorial change that needs no new acknowledgement).",
        )
    return (
        found,
        f"{name} avait pris connaissance de la version {n} du document « {title_fr} », en vigueur le "
        f"{on_fr}, le {fr_day(when)} ({how_fr}).",
        f"{name} had acknowledged version {n} of the \u201c{title_en}\u201d, in force on {on_en}, "
        f"on {when.isoformat()} ({how_en}).",
    )


def _earlier_fr(earlier: AcknowledgementFacts | None) -> str:
    if earlier is None:
        return ""
    when = fr_day(utc_day(earlier.acknowledged_at))
    return (
        f" Sa dernière prise de connaissance d'une version antérieure portait sur la version {earlier.version}, "
        f"le {when}."
    )


def _earlier_en(earlier: AcknowledgementFacts | None) -> str:
    if earlier is None:
        return ""
    when = utc_day(earlier.acknowledged_at).isoformat()
    return f" Their latest acknowledgement of an earlier version was of version {earlier.version}, on {when}."
