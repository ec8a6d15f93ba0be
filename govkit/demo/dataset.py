"""The reviewed IMT demo data file: its format, read and checked against the seed."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from govkit.errors import InvalidInput, Problem
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.vocabulary import ArrangementHow, CommitmentStatus, CommitmentType, OrganisationType
from govkit.seed import normalise, seed_text
from govkit.timeline import Precision, parse_dated

HERE = Path(__file__).resolve().parent
DATA_FILE = HERE / "imt.yaml"

Quote = Annotated[str, StringConstraints(min_length=20, max_length=300)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


# The plan's sentence on its annex, the état des lieux written in spring 2021: a fact it describes as
# in place without a date of its own is dated "2021" (a year: uncertain during 2021, in place after).
ETAT_DES_LIEUX = (
    "Il est basé sur un état des lieux (cf annexe) qui a montré "
    "que de nombreuses actions étaient en place dans les écoles"
)
ETAT_DES_LIEUX_YEAR = "2021"


def dated(text: str | None) -> tuple[date, Precision] | tuple[None, None]:
    """'2018' → (2018-01-01, year); '2020-09' → month; '2020-09-01' → day; '2021/2022' → academic
    year; None (unknown) → (None, None)."""
    return parse_dated(text) if text is not None else (None, None)


def check_dated(effective_on: str | None, date_source: str | None, source: str | None, where: str) -> None:
    """A date parses, is dated by a quote that writes its year (or is the état des lieux' "2021"),
    and a ``date_source`` always comes with a date."""
    if effective_on is None:
        if date_source is not None:
            raise ValueError(f"{where}: date_source without a date (effective_on)")
        return
    start, _ = parse_dated(effective_on)
    quote = normalise(date_source or source or "")
    if quote == normalise(ETAT_DES_LIEUX):
        if effective_on != ETAT_DES_LIEUX_YEAR:
            raise ValueError(f'{where}: a fact dated by the état des lieux is dated "{ETAT_DES_LIEUX_YEAR}"')
    elif str(start.year) not in quote:
        raise ValueError(
            f"{where}: the quote that dates {effective_on!r} does not write {start.year}; "
            "give the passage that does as date_source"
        )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemoCampus(_Strict):
    code: Code
    name: str
    source: Quote
    effective_on: str | None = None
    date_source: Quote | None = None

    @model_validator(mode="after")
    def _date(self) -> DemoCampus:
        check_dated(self.effective_on, self.date_source, self.source, f"campus {self.code}")
        return self


class DemoCommitment(_Strict):
    type: CommitmentType
    status: CommitmentStatus
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    effective_on: str | None = None
    date_source: Quote | None = None
    note: str | None = None
    source: Quote
    #: how it is held (FORMAT.md, "Arrangements"): own, shared (with ``members``), group, external
    how: ArrangementHow = ArrangementHow.OWN
    members: list[Code] = Field(default_factory=list)
    provider: str | None = None
    capacity: dict[str, int | float] | None = None
    capacity_source: Quote | None = None  # the quote that gives the capacity, when not ``source``

    @model_validator(mode="after")
    def _date(self) -> DemoCommitment:
        check_dated(self.effective_on, self.date_source, self.source, f"{self.type.value} {self.title!r}")
        where = f"{self.type.value} {self.title!r}"
        if self.members and self.how is not ArrangementHow.SHARED:
            raise ValueError(f"{where}: members only for a shared arrangement (group ones are joined: member_of)")
        if self.how is ArrangementHow.SHARED and len(set(self.members)) < 2:
            raise ValueError(f"{where}: a shared arrangement lists the schools it serves (the holder's included)")
        if self.how is ArrangementHow.EXTERNAL and not self.provider:
            raise ValueError(f"{where}: an external arrangement names its provider")
        if self.how is ArrangementHow.OWN and self.provider:
            raise ValueError(f"{where}: a provider only for a shared, group or external arrangement")
        return self


class DemoMembership(_Strict):
    """A school's membership of a group arrangement: from a date, by agreement (quoted)."""

    arrangement: str  # the title of the holder's record
    holder: Code
    effective_on: str
    source: Quote
    date_source: Quote | None = None

    @model_validator(mode="after")
    def _date(self) -> DemoMembership:
        check_dated(self.effective_on, self.date_source, self.source, f"member of {self.arrangement!r}")
        return self


class DemoOrganisation(_Strict):
    code: Code
    type: OrganisationType
    parent: Code | None = None
    name: str
    short_name: str
    source: Quote | None = None
    campuses: list[DemoCampus] = Field(default_factory=list)
    profile: SchoolProfile
    profile_sources: dict[str, Quote] = Field(default_factory=dict)
    profile_valid_from: str | None = None
    profile_date_source: Quote | None = None
    commitments: list[DemoCommitment] = Field(default_factory=list)
    member_of: list[DemoMembership] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sources_cover_profile(self) -> DemoOrganisation:
        given = {k for k, v in self.profile.model_dump(exclude_defaults=True).items() if v is not None}
        missing = given - {"official_name", "short_name", "languages"} - set(self.profile_sources)
        if missing:
            raise ValueError(f"profile fields without a source: {', '.join(sorted(missing))}")
        if self.profile_valid_from is not None and self.profile_date_source is None:
            raise ValueError("profile_valid_from needs its profile_date_source quote")
        check_dated(self.profile_valid_from, self.profile_date_source, None, "profile")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> DemoOrganisation:
        titles = [(c.type, c.title.casefold()) for c in self.commitments]
        if len(titles) != len(set(titles)):
            raise ValueError("two commitments of one type have the same title (a later record would supersede)")
        profile_start = dated(self.profile_valid_from)[0]
        campus_start = {c.code: dated(c.effective_on)[0] for c in self.campuses}
        for residence in self.profile.housing.residences:
            start = campus_start.get(residence.campus or "")
            if profile_start and start and start > profile_start:
                raise ValueError(f"residence {residence.code}: its campus is dated after the profile")
        return self


class DemoDataset(_Strict):
    organisations: list[DemoOrganisation]

    @model_validator(mode="after")
    def _tree(self) -> DemoDataset:
        codes = [o.code for o in self.organisations]
        if len(codes) != len(set(codes)):
            raise ValueError("organisation codes must be unique")
        groups = [o for o in self.organisations if o.type is OrganisationType.GROUP]
        if len(groups) != 1 or groups[0].parent is not None:
            raise ValueError("exactly one organisation of type group, without parent")
        for o in self.organisations:
            if o.type is not OrganisationType.GROUP and o.parent not in codes:
                raise ValueError(f"{o.code}: parent {o.parent!r} is not in the file")
        self._check_arrangements()
        return self

    def _check_arrangements(self) -> None:
        """Shared members are schools of the file; group arrangements are the head office's or the
        group's; a membership names a group arrangement of the file, and is a school's."""
        by_code = {o.code: o for o in self.organisations}
        for o in self.organisations:
            for c in o.commitments:
                if c.how is ArrangementHow.GROUP and o.type is OrganisationType.SCHOOL:
                    raise ValueError(f"{o.code}: a group arrangement is held by the head office or the group")
                for code in c.members:
                    if code not in by_code or by_code[code].type is not OrganisationType.SCHOOL:
                        raise ValueError(f"{o.code}: member {code!r} of {c.title!r} is not a school of the file")
            for m in o.member_of:
                holder = by_code.get(m.holder)
                record = next(
                    (
                        c
                        for c in (holder.commitments if holder else [])
                        if c.title.casefold() == m.arrangement.casefold()
                    ),
                    None,
                )
                if record is None or record.how is not ArrangementHow.GROUP:
                    raise ValueError(f"{o.code}: member_of {m.arrangement!r}: no group arrangement of {m.holder}")
                if o.type is not OrganisationType.SCHOOL:
                    raise ValueError(f"{o.code}: only schools join a group arrangement")

    def quotes(self) -> list[tuple[str, str]]:
        """Every (where, quote) pair of the file."""
        found: list[tuple[str, str]] = []
        for o in self.organisations:
            if o.source:
                found.append((o.code, o.source))
            if o.profile_date_source:
                found.append((f"{o.code}/profile_date_source", o.profile_date_source))
            for c in o.campuses:
                found.append((f"{o.code}/campuses/{c.code}", c.source))
                if c.date_source:
                    found.append((f"{o.code}/campuses/{c.code}/date_source", c.date_source))
            found += [(f"{o.code}/profile/{k}", q) for k, q in o.profile_sources.items()]
            for m in o.commitments:
                found.append((f"{o.code}/commitments/{m.type.value}", m.source))
                if m.date_source:
                    found.append((f"{o.code}/commitments/{m.type.value}/date_source", m.date_source))
                if m.capacity_source:
                    found.append((f"{o.code}/commitments/{m.type.value}/capacity_source", m.capacity_source))
            for j in o.member_of:
                found.append((f"{o.code}/member_of/{j.holder}", j.source))
                if j.date_source:
                    found.append((f"{o.code}/member_of/{j.holder}/date_source", j.date_source))
        return found


def read_dataset(path: Path = DATA_FILE) -> tuple[DemoDataset, str]:
    """Read, validate and check the quotes of a data file; return it with its SHA-256."""
    raw = path.read_bytes()
    try:
        data: Any = yaml.safe_load(raw)
        dataset = DemoDataset.model_validate(data)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path.name} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = [Problem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        raise InvalidInput(f"{path.name} does not follow FORMAT.md", problems=problems) from exc
    seed = seed_text()
    missing = [
        Problem(where, f"not found in the seed: {q[:60]}…") for where, q in dataset.quotes() if normalise(q) not in seed
    ]
    if missing:
        raise InvalidInput(f"{path.name} cites passages that are not in the seed", problems=missing)
    return dataset, hashlib.sha256(raw).hexdigest()
