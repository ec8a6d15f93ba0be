"""The IMT demo data: every fact cites the seed; synthetic persons are deterministic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govkit.demo import persons
from govkit.demo.dataset import DATA_FILE, ETAT_DES_LIEUX, read_dataset
from govkit.errors import InvalidInput
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType, OrganisationType
from govkit.seed import normalise, seed_text
from govkit.timeline import Precision, parse_dated
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


def test_every_date_is_quoted_verbatim_and_writes_its_year() -> None:
    dataset, _ = read_dataset()
    seed = seed_text()
    dated = 0
    for o in dataset.organisations:
        facts = [(c.effective_on, c.date_source, c.source) for c in o.commitments]
        facts += [(c.effective_on, c.date_source, c.source) for c in o.campuses]
        facts.append((o.profile_valid_from, o.profile_date_source, None))
        for effective_on, date_source, source in facts:
            if effective_on is None:
                assert date_source is None
                continue
            dated += 1
            quote = normalise(date_source or source or "")
            assert quote in seed, quote
            start, precision = parse_dated(effective_on)
            if quote == normalise(ETAT_DES_LIEUX):
                assert (start.year, precision) == (2021, Precision.YEAR), effective_on
            else:
                assert str(start.year) in quote, (effective_on, quote)
    # commitments (+3 of issue 16: Albi's platform, MSE's network, TP's channel; TSP's 2 now IMT-BS's shared ones)
    assert dated == 38 + 6 + 10  # commitments, campuses, profiles (surveys are records: imt_training.yaml)


def test_every_fact_in_place_in_the_etat_des_lieux_is_dated() -> None:
    """In place facts carry a date; planned and in-progress ones only the seed's (none here)."""
    dataset, _ = read_dataset()
    for o in dataset.organisations:
        assert o.profile_valid_from == "2021", o.code
        assert all(c.effective_on for c in o.campuses), o.code
        for c in o.commitments:
            where = (o.code, c.title)
            assert (c.effective_on is not None) == (c.status is CommitmentStatus.IN_PLACE), where


def _dates(code: str, type_: CommitmentType) -> list[tuple[str | None, str | None]]:
    dataset, _ = read_dataset()
    (organisation,) = [o for o in dataset.organisations if o.code == code]
    return [(c.effective_on, c.date_source) for c in organisation.commitments if c.type is type_]


@pytest.mark.parametrize(
    ("code", "type_", "effective_on", "quoted"),
    [
        ("imt-atlantique", CommitmentType.EQUALITY_CHARTER, "2018", "Signature en 2018 de la charte"),
        ("imt-atlantique", CommitmentType.LISTENING_CELL, "2020-01", "signée en janvier 2020"),
        ("imt-atlantique", CommitmentType.VSS_PROTOCOL, "2021-05", "élèves en Mai 2021"),
        ("imt-mines-ales", CommitmentType.LISTENING_CELL, "2020-08", "fin août 2020"),
        ("imt-bs", CommitmentType.EQUALITY_REFERENT, "2018-09", "Depuis septembre 2018"),
        ("mines-saint-etienne", CommitmentType.EQUALITY_REFERENT, "2016", "en 2016"),
        ("telecom-paris", CommitmentType.LISTENING_CELL, "2020", "depuis 2020"),
    ],
)
def test_the_plan_dates_its_facts(code: str, type_: CommitmentType, effective_on: str, quoted: str) -> None:
    dataset, _ = read_dataset()
    (organisation,) = [o for o in dataset.organisations if o.code == code]
    (fact,) = [c for c in organisation.commitments if c.type is type_]
    assert fact.effective_on == effective_on
    assert quoted in (fact.date_source or fact.source)


@pytest.mark.parametrize(
    ("code", "type_"),
    [
        ("imt-lille-douai", CommitmentType.EQUALITY_REFERENT),
        ("imt-bs", CommitmentType.LISTENING_CELL),
        ("imt-mines-albi", CommitmentType.REPORTING_CHANNEL),
        ("mines-saint-etienne", CommitmentType.EQUALITY_CHARTER),
        ("telecom-paris", CommitmentType.VSS_PROTOCOL),
        ("telecom-paris", CommitmentType.EQUALITY_REFERENT),
    ],
)
def test_undated_etat_des_lieux_facts_are_dated_2021_by_the_plan(code: str, type_: CommitmentType) -> None:
    assert _dates(code, type_) == [("2021", ETAT_DES_LIEUX)]


def test_unknown_stays_unknown() -> None:
    assert _dates("imt-dg", CommitmentType.EQUALITY_CHARTER) == [(None, None)]  # planned: "Fin 2021" is a target
    assert _dates("imt-mines-ales", CommitmentType.VSS_PROTOCOL) == [(None, None)]  # in progress
    assert _dates("imt-mines-ales", CommitmentType.REPORTING_PLATFORM) == [(None, None)]  # under study


def test_imt_bs_and_telecom_sudparis_share_one_referent_and_one_cell() -> None:
    """« Une référente égalité FH commune à IMT-BS et TP »: one record each, held by IMT-BS, serving both."""
    dataset, _ = read_dataset()
    by_code = {o.code: o for o in dataset.organisations}
    for type_ in (CommitmentType.EQUALITY_REFERENT, CommitmentType.LISTENING_CELL):
        (shared,) = [c for c in by_code["imt-bs"].commitments if c.type is type_]
        assert sorted(shared.members) == ["imt-bs", "telecom-sudparis"], type_
        assert not [c for c in by_code["telecom-sudparis"].commitments if c.type is type_], type_


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / "imt.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_academic_year_is_read_from_the_rentree(tmp_path: Path) -> None:
    """An online course compulsory "à partir de la rentrée 2021" is dated "2021/2022"."""
    spoc = "le cours est obligatoire pour l'ensemble des élèves primo-arrivants à partir de la rentrée 2021"
    anchor = '      - type: vss_protocol\n        status: in_place\n        title: "Dispositif interne'
    added = (
        '      - type: other_charter\n        status: in_place\n        title: "SPOC VSS obligatoire"\n'
        f'        effective_on: "2021/2022"\n        source: "{spoc}"\n'
    )
    dataset, _ = read_dataset(_edited(tmp_path, anchor, added + anchor))
    (organisation,) = [o for o in dataset.organisations if o.code == "imt-atlantique"]
    (spoc_fact,) = [c for c in organisation.commitments if c.title == "SPOC VSS obligatoire"]
    assert parse_dated(spoc_fact.effective_on or "") == (date(2021, 9, 1), Precision.ACADEMIC_YEAR)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('effective_on: "2018-12"', 'effective_on: "2018-13"', "not recognised"),
        ('effective_on: "2018-12"', 'effective_on: "2019-12"', "does not write 2019"),
        ('effective_on: "2016"', 'effective_on: "2016/2018"', "academic year runs from 2016 to 2017"),
        (
            '        effective_on: "2021"\n        note: "8 volontaires formés ;',
            '        effective_on: "2020"\n        note: "8 volontaires formés ;',
            "dated by the état des lieux is dated",
        ),
        (
            '        title: "Cellule CEVALE (Veille et Alerte Élèves)"\n        effective_on: "2021"\n',
            '        title: "Cellule CEVALE (Veille et Alerte Élèves)"\n',
            "date_source without a date",
        ),
        (
            "    profile_date_source: \"Plan d'action 2021 / 2023 L'IMT mobilisé face aux Violences Sexuelles et Sexistes\"\n",
            "",
            "profile_valid_from needs its profile_date_source",
        ),
    ],
)
def test_a_badly_dated_fact_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_dataset(_edited(tmp_path, old, new))
    assert any(message in p.message or message in p.path for p in caught.value.problems), caught.value.problems


def test_a_date_source_not_in_the_seed_is_refused(tmp_path: Path) -> None:
    path = _edited(
        tmp_path, "Depuis septembre 2018, lors de la rentrée", "Depuis septembre 2018, lors de chaque rentrée"
    )
    with pytest.raises(InvalidInput) as caught:
        read_dataset(path)
    assert caught.value.problems[0].path == "imt-bs/commitments/equality_referent/date_source"


def test_a_quote_not_in_the_seed_is_refused(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    forged = text.replace(
        "Signature en 2018 de la charte Egalité Femmes Hommes",
        "Signature en 2018 de la charte Égalité Femmes Hommes",
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
    # interns, housing and catering staff are populations of the plan the synthetic persons leave out
    assert held == set(Population) - {Population.INTERN, Population.HOUSING_STAFF, Population.CATERING_STAFF}
    assert all(p.email.endswith("@imt-atlantique.example") for p in first)
    assert all((p.residence_code is None) == (Population.RESIDENT not in p.populations) for p in first)


def test_no_residents_without_residences() -> None:
    people = persons.generate("imt-mines-albi", [], 300)
    assert not any(Population.RESIDENT in p.populations for p in people)
