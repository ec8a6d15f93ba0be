"""What a person types into the search box, read once and the same way for both databases.

The syntax is that of web search engines (PostgreSQL's ``websearch_to_tsquery``): words are all
required; ``"several words"`` is an exact phrase; ``-word`` or ``-"a phrase"`` excludes; ``or``
between two terms accepts either. Punctuation separates words (``d'écoute`` is the phrase
``d écoute``), so no input is a syntax error: the query is rebuilt from its words, for PostgreSQL
as a websearch string, for SQLite as an FTS5 expression of quoted phrases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from govkit.errors import InvalidInput

#: The longest query, in characters.
MAX_QUERY = 200
#: The most terms (words or phrases) in one query.
MAX_TERMS = 16

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase, in order
    negated: bool = False
    either: bool = False  # joined to the previous term by "or"


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...]

    def websearch(self) -> str:
        """The query for PostgreSQL's websearch_to_tsquery."""
        parts: list[str] = []
        for term in self.terms:
            if term.either:
                parts.append("or")
            phrase = " ".join(term.words)
            quoted = len(term.words) > 1 or phrase == "or"  # a lone "or" is a word, not the operator
            parts.append(("-" if term.negated else "") + (f'"{phrase}"' if quoted else phrase))
        return " ".join(parts)

    def fts5(self) -> str:
        """The query for SQLite's FTS5 MATCH: quoted phrases, AND / OR, then NOT for exclusions."""
        wanted = [t for t in self.terms if not t.negated]
        expression = ""
        for term in wanted:
            phrase = '"' + " ".join(term.words) + '"'
            expression = phrase if not expression else f"{expression} {'OR' if term.either else 'AND'} {phrase}"
        expression = f"({expression})"
        for term in self.terms:
            if term.negated:
                expression += ' NOT "' + " ".join(term.words) + '"'
        return expression


def parse(text: str) -> SearchQuery:
    """The query ``text`` means; InvalidInput when it is empty, too long, or has nothing to look for."""
    if not isinstance(text, str):
        raise InvalidInput("Type the words to look for.", key="search_empty")
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            f"The query is {len(text)} characters long; the limit is {MAX_QUERY}.",
            key="search_too_long",
            params={"most": MAX_QUERY},
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in text):
        raise InvalidInput("The query contains control characters: type words only.", key="search_control")
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise InvalidInput("Type the words to look for.", key="search_empty")
    terms: list[Term] = []
    either = False
    for match in _TOKEN.finditer(cleaned):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        negated = bool(minus)
        if bare is not None:
            if bare.lower() == "or" and terms:
                either = True
                continue
            negated = bare.startswith("-") and len(bare) > 1
        words = tuple(w.lower() for w in _WORD.findall(quoted if quoted is not None else bare))
        if not words:
            continue
        terms.append(Term(words=words, negated=negated, either=either and not negated and bool(terms)))
        either = False
    if not any(not t.negated for t in terms):
        raise InvalidInput(
            "The query has no word to look for (only punctuation, or only excluded words).", key="search_no_words"
        )
    if len(terms) > MAX_TERMS:
        raise InvalidInput(
            f"The query has {len(terms)} words or phrases; the limit is {MAX_TERMS}.",
            key="search_too_many_terms",
            params={"most": MAX_TERMS},
        )
    return SearchQuery(text=cleaned, terms=tuple(terms))
