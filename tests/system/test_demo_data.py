"""The IMT demo data: every fact cites the seed; synthetic persons are deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.demo import persons
from govkit.demo.dataset import DATA_FILE, read_dataset
from govkit.errors import InvalidInput
from govkit.organisations.vocabulary import CommitmentType, OrganisationType
from govkit.seed import normalise, seed_text
from govkit.vocabulary import Population


def test_dataset_is_valid_and_every_quote_is_in_the_seed() -> None:
    dataset, digest = read_dataset()
    assert len(dataset.organisations) == 10
    assert sum(o.type is OrganisationType.SCHOOL for o in dataset.organisations) == 8
    seed = seed_text()
    for where, quote in dataset.quotes():
        assert normalise(quote) in seed, where
    assert len(digest) == 64


def test_the_etat_des_lieux_facts_are_there() -> None:
    dataset, _ = read_dataset()
    by_code = {o.code: o for o in dataset.organisations}
    charter = [c for c in by_code["imt-atlantique"].commitments if c.type is CommitmentType.EQUALITY_CHARTER]
    assert charter and charter[0].effective_on == "2018"
    assert by_code["imt-bs"].profile.equality_referent is not None
    assert by_code["imt-bs"].profile.equality_referent.time_share_percent == 20
    assert by_code["telecom-paris"].profile.listening_cell is not None
    assert by_code["telecom-paris"].profile.listening_cell.members_count == 10


def test_a_quote_not_in_the_seed_is_refused(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    forged = text.replace(
        "Signature en 2018 de la charte Egalité Femmes Hommes",
        "Signature en 2017 de la charte Egalité Femmes Hommes",
        1,
    )
    assert forged != text
    path = tmp_path / "imt.yaml"
    path.write_text(forged, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_dataset(path)
    assert "not in the seed" in caught.value.message
    assert caught.value.problems[0].path.startswith("imt-atlantique/")


def test_a_profile_fact_without_source_is_refused(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    marker = '      websites: "Site web de la mission Egalité FH'
    assert marker in text
    path = tmp_path / "imt.yaml"
    path.write_text(text.replace(marker, '      unused_key_x: "Site web de la mission Egalité FH', 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_dataset(path)
    assert any("without a source: websites" in p.message for p in caught.value.problems)


def test_synthetic_persons_are_deterministic_and_cover_populations() -> None:
    first = persons.generate("imt-atlantique", ["maisel"], 300)
    assert first == persons.generate("imt-atlantique", ["maisel"], 300)
    assert first != persons.generate("telecom-paris", ["maisel"], 300)
    assert len({p.external_id for p in first}) == len(first) == 300
    held = {pop for p in first for pop in p.populations}
    assert held == set(Population)
    assert all(p.email.endswith("@imt-atlantique.example") for p in first)
    assert all((p.residence_code is None) == (Population.RESIDENT not in p.populations) for p in first)


def test_no_residents_without_residences() -> None:
    people = persons.generate("imt-mines-albi", [], 300)
    assert not any(Population.RESIDENT in p.populations for p in people)
