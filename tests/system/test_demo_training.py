"""The demo's training and survey records (govkit/demo/imt_training.yaml): every fact quotes the seed,
is dated by a quote that writes its year, and gives counts only where the text does."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.demo.dataset import read_dataset
from govkit.demo.training import TRAINING_FILE, read_training
from govkit.errors import InvalidInput


def test_the_file_follows_the_format_and_quotes_the_seed() -> None:
    dataset, _digest = read_dataset()
    training, _ = read_training(codes={o.code for o in dataset.organisations})
    counted = {(t.school, t.audience.value, t.trained) for t in training.training if t.trained is not None}
    # Télécom Paris is the only school whose état des lieux gives counts (persons trained)
    assert counted == {
        ("telecom-paris", "referents_and_cells", 10),
        ("telecom-paris", "staff", 27),
        ("telecom-paris", "management_committee", 16),
        ("telecom-paris", "staff", 60),
    }
    assert not any(t.total is not None for t in training.training)  # no total is given anywhere
    spoc = next(t for t in training.training if t.school == "imt-atlantique" and t.audience.value == "new_students")
    assert (spoc.academic_year, spoc.everyone) == (2021, True)
    # IMT-BS and Télécom SudParis: "Les actions menées sur ce sujet sont identiques dans les 2 écoles."
    by_school = {
        code: sorted((t.academic_year, t.audience.value, t.title) for t in training.training if t.school == code)
        for code in ("imt-bs", "telecom-sudparis")
    }
    assert by_school["imt-bs"] == by_school["telecom-sudparis"] != []


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('    held_on: "2019-01"\n', '    held_on: "2020-01"\n', "does not write 2020"),
        ("    academic_year: 2018\n", "    academic_year: 2017\n", "outside the academic year"),
        ("  - school: imt-lille-douai\n", "  - school: imt-lille\n", "no such organisation"),
        ("(10 personnes)", "(11 personnes)", "not found in the seed"),
    ],
)
def test_a_wrong_record_is_refused(tmp_path: Path, old: str, new: str, said: str) -> None:
    text = TRAINING_FILE.read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / "imt_training.yaml"
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    dataset, _digest = read_dataset()
    with pytest.raises(InvalidInput) as refused:
        read_training(changed, codes={o.code for o in dataset.organisations})
    shown = refused.value.message + " ".join(f"{p.path} {p.message}" for p in refused.value.problems)
    assert said in shown, shown
