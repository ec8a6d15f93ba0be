"""The reviewed IMT demo data file: its format, read and checked against the seed."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from govkit.errors import InvalidInput, Problem
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    DatePrecision,
    OrganisationType,
)
from govkit.seed import normalise, seed_text

HERE = Path(__file__).resolve().parent
DATA_FILE = HERE / "imt.yaml"

Quote = Annotated[str, StringConstraints(min_length=20, max_length=300)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


def parse_partial_date(text: str) -> tuple[date, DatePrecision]:
    """'2018' → (2018-01-01, year); '2020-09' → month; '2020-09-01' → day."""
    parts = text.split("-")
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (
        int(parts[0]),
        int(parts[1]) if len(parts) > 1 else 1,
        int(parts[2]) if len(parts) > 2 else 1,
    )
    precision = [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY][len(parts) - 1]
    return date(year, month, day), precision


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemoCampus(_Strict):
    code: Code
    name: str
    source: Quote


class DemoCommitment(_Strict):
    type: CommitmentType
    status: CommitmentStatus
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    effective_on: str | None = None
    note: str | None = None
    source: Quote

    @model_validator(mode="after")
    def _date(self) -> DemoCommitment:
        if self.effective_on is not None:
            parse_partial_date(self.effective_on)
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
    commitments: list[DemoCommitment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sources_cover_profile(self) -> DemoOrganisation:
        given = {k for k, v in self.profile.model_dump(exclude_defaults=True).items() if v is not None}
        missing = given - {"official_name", "short_name", "languages"} - set(self.profile_sources)
        if missing:
            raise ValueError(f"profile fields without a source: {', '.join(sorted(missing))}")
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
        return self

    def quotes(self) -> list[tuple[str, str]]:
        """Every (where, quote) pair of the file."""
        found: list[tuple[str, str]] = []
        for o in self.organisations:
            if o.source:
                found.append((o.code, o.source))
            found += [(f"{o.code}/campuses/{c.code}", c.source) for c in o.campuses]
            found += [(f"{o.code}/profile/{k}", q) for k, q in o.profile_sources.items()]
            found += [(f"{o.code}/commitments/{c.type.value}", c.source) for c in o.commitments]
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
