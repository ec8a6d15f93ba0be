"""French wording rules a sentence built around a name needs: the elision of « de » before a vowel.

    de("IMT Atlantique")  -> "d'IMT Atlantique"
    de("Mines Paris")     -> "de Mines Paris"
    de("École des Mines") -> "d'École des Mines"

Used by the e-mail notices (govkit.notifications) and the pages (« les documents d'IMT Atlantique »).
"""

from __future__ import annotations

import unicodedata

#: First letters before which « de » becomes « d' » (a mute h too: « d'HEC », « d'Harvard »).
ELIDING = frozenset("aeiouyh")


def elides(word: str) -> bool:
    """Whether « de », « le », « que »… elide before ``word`` (its first letter, accents removed)."""
    first = unicodedata.normalize("NFD", word.strip()[:1])[:1].lower()
    return first in ELIDING


def de(name: str) -> str:
    """« de » followed by ``name``, elided before a vowel: « d'IMT Atlantique », « de Mines Paris »."""
    name = name.strip()
    return f"d'{name}" if elides(name) else f"de {name}"


def of(name: str, language: str) -> str:
    """« de <name> » in French (elided), "of <name>" in English."""
    return de(name) if language == "fr" else f"of {name.strip()}"
