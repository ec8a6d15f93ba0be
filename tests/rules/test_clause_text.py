"""The rule that a required clause keeps its root's text but for its variables: the matcher's
properties (hypothesis), the check on facts, and the demo's documents in force (no finding).

A variable matches any text, so a word changed next to one could be absorbed by it when the
variable's value could hold that word: the properties draw the root's words, the words inside its
blocks, the variables' values and the replacement words from four disjoint alphabets."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment
from sqlmodel import select

from govkit.days import utc_today
from govkit.db import Database
from govkit.documents.inspect import read_clauses
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion
from govkit.rules.clause_text import changed_clauses, compile_pattern, matches_root
from govkit.rules.engine import evaluate
from govkit.rules.facts import DocumentFact, Facts, OrganisationFacts
from govkit.rules.loader import load_rules
from govkit.rules.queries import load_facts

RULE = "documents.common-base-text"
_ENV = SandboxedEnvironment()  # renders as the variants do, without XML escaping (text read back)

words = st.text(alphabet="abcdefghijklm", min_size=1, max_size=8)  # the root's top-level literal words
block_words = st.text(alphabet="ABCDEFGHIJKLM", min_size=1, max_size=8)  # inside its blocks
values = st.text(alphabet="0123456789 ,.-/", max_size=20)  # what variables print: never a literal letter
replacements = st.text(alphabet="nopqrstuvwxyz", min_size=1, max_size=8)  # not a letter of the root

BLOCKS = (
    "{{ a }}",
    "{% if flag %}{{ b }} {W} {% endif %}",
    "{%p if flag %}\n{W} {{ a }}\n{%p else %}\n{W}\n{%p endif %}",
    "{% for item in items %}- {{ item }} {W}\n{% endfor %}",
    "{% if flag %}{% for item in items %}{{ item }}{% endfor %}{% endif %}",
)


@st.composite
def roots(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A root clause text as pieces: top-level literal words (mutable) and tags or blocks between them."""
    pieces: list[str] = []
    literal: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        word = draw(words)
        pieces.append(word)
        literal.append(word)
        if draw(st.booleans()):
            block = draw(st.sampled_from(BLOCKS)).replace("{W}", draw(block_words))
            pieces.append(block)
    return pieces, literal


def _render(pieces: list[str], context: dict) -> str:
    source = " ".join(pieces).replace("{%p", "{%")
    return _ENV.from_string(source).render(**context)


contexts = st.fixed_dictionaries(
    {"a": values, "b": values, "flag": st.booleans(), "items": st.lists(values, max_size=4)}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roots(), contexts)
def test_substituting_the_variables_never_triggers_it(root: tuple[list[str], list[str]], context: dict) -> None:
    pieces, _literal = root
    assert matches_root(" ".join(pieces), _render(pieces, context))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roots(), contexts, st.data())
def test_changing_a_word_triggers_it(root: tuple[list[str], list[str]], context: dict, data: st.DataObject) -> None:
    pieces, literal = root
    index = data.draw(st.integers(0, len(literal) - 1))
    replacement = data.draw(replacements)
    changed = list(pieces)
    position = [i for i, piece in enumerate(pieces) if piece in literal and "{" not in piece]
    target = next(i for i in position if pieces[i] == literal[index])
    changed[target] = replacement
    assert not matches_root(" ".join(pieces), _render(changed, context))
    # a word dropped is found as well
    dropped = pieces[:target] + pieces[target + 1 :]
    assert not matches_root(" ".join(pieces), _render(dropped, context))


def test_real_clause_text_with_nested_blocks() -> None:
    root = (
        "{%p if residences_by_school %}\nRésidences gérées par l'école\n{%p for residence in residences_by_school %}\n"
        "{{ residence.name }}{% if residence.campus %}{% for campus in campuses %}{% if campus.code == residence.campus %}"
        ", campus de {{ campus.name }}{% endif %}{% endfor %}{% endif %}{% if residence.places %} ({{ residence.places }} "
        "places){% endif %} : {{ residence.managed_by_label }}.\n{%p endfor %}\nL'école assure la gestion.\n{%p endif %}\n"
        "Les résident·es respectent le règlement."
    )
    pattern = compile_pattern(root)
    assert pattern  # compiled once, cached
    rendered = (
        "Résidences gérées par l'école\nRésidence A, campus de Brest (120 places) : gérée par l'école.\n"
        "- Résidence B : gérée par l'école.\nL'école assure la gestion.\nLes résident·es respectent le règlement."
    )
    assert matches_root(root, rendered)
    assert matches_root(root, "Les résident·es respectent le règlement.")
    assert not matches_root(root, "Les résident·es ignorent le règlement.")
    assert not matches_root(root, rendered.replace("assure la gestion", "délègue la gestion"))
    # a long mismatch is answered quickly (positions, not backtracking)
    assert not matches_root("{{ a }} x {{ b }} y {{ c }} z " * 40, "x y " * 2000)


def _facts(texts: tuple[tuple[str, str], ...], roots_: tuple[tuple[str, str], ...]) -> Facts:
    document = DocumentFact(
        "study",
        "fr",
        2,
        date(2024, 9, 1),
        datetime(2024, 8, 1, tzinfo=UTC),
        tuple(k for k, _ in texts),
        "v",
        "r",
        texts,
        roots_,
    )
    org = OrganisationFacts("essai", "school", "École d'essai", documents=(document,))
    return Facts(as_of=date(2025, 1, 1), organisations=(org,))


def test_the_rule_reports_a_changed_required_clause_only() -> None:
    required = catalogue().kind("study").required_clauses
    roots_ = tuple((k, f"Texte de {k} pour {{{{ school.short_name }}}}.") for k in required)
    same = tuple((k, f"Texte de {k} pour Essai & Cie.") for k in required)
    rules = [r for r in load_rules().rules if r.id == RULE]
    assert rules, "the rule is in the catalogue"
    assert not [f for f in evaluate(rules, _facts(same, roots_)) if f.rule_id == RULE]
    altered = tuple((k, t.replace("Texte", "Phrase") if k == required[1] else t) for k, t in same)
    found = [f for f in evaluate(rules, _facts(altered, roots_)) if f.rule_id == RULE]
    assert [(f.key, f.severity) for f in found] == [(f"study/fr/{required[1]}/text", "error")]
    assert "diffère" in found[0].message_fr and found[0].evidence["clause"] == required[1]
    # an optional clause (not required) may differ
    extra = (*same, ("study.optional", "Autre texte."))
    assert changed_clauses(required, extra, (*roots_, ("study.optional", "Texte."))) == []


def test_no_demo_document_in_force_differs_from_its_root(db: Database) -> None:
    """The published demo variants of every school read as their roots: no finding, on real templates."""
    with db.reading() as session:
        facts = load_facts(session, utc_today())
        versions = session.exec(select(DocumentVersion)).all()
        assert versions
    documents = [d for o in facts.organisations for d in o.documents if d.clause_texts]
    assert len(documents) >= 8 * 9  # every school's documents in force, in French at least
    assert all(d.root_clause_texts for d in documents)
    rules = [r for r in load_rules().rules if r.id == RULE]
    assert [f for f in evaluate(rules, facts) if f.rule_id == RULE] == []
    # a word changed in one clause of one document in force is reported
    org = next(o for o in facts.organisations if o.documents)
    document = next(d for d in org.documents if d.clause_texts and (d.kind, d.language) == ("internal", "fr"))
    key = next(k for k in catalogue().kind("internal").required_clauses if k in dict(document.clause_texts))
    tampered = tuple((k, t.replace("école", "entreprise", 1) if k == key else t) for k, t in document.clause_texts)
    assert tampered != document.clause_texts
    changed = dataclasses.replace(document, clause_texts=tampered)
    others = tuple(d for d in org.documents if d is not document)
    one = dataclasses.replace(org, documents=(*others, changed))
    found = evaluate(rules, Facts(as_of=facts.as_of, organisations=(one,)))
    assert [f.key for f in found if f.rule_id == RULE] == [f"internal/{document.language}/{key}/text"]
    with db.reading() as session:
        blob = session.get(Blob, document.sha256)
        assert blob is not None
        assert {c.key: c.text for c in read_clauses(blob.data)} == dict(document.clause_texts)
