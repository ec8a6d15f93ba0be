"""The seed: the IMT action plan 2021-2023 against sexual and sexist violence, the text that
every rule's source and every fact of the demo data quote verbatim (whitespace aside)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent / "seed_action_plan_2021_2023.txt"


def normalise(text: str) -> str:
    """``text`` with its whitespace collapsed, as quotes are compared."""
    return re.sub(r"\s+", " ", text).strip()


@cache
def seed_text() -> str:
    """The action plan, whitespace collapsed: the text every source must quote."""
    return normalise(SEED_FILE.read_text(encoding="utf-8"))
