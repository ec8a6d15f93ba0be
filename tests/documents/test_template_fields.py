"""Template validation knows every field of every profile object, however the template reaches it:
directly, by index, in a loop, through {% set %}, a filter, or a filter's attribute argument."""

from __future__ import annotations

import keyword
from collections.abc import Callable
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.documents.inspect import body_paragraphs
from govkit.documents.kinds import catalogue
from govkit.documents.validate import ValidationReport, allowed_paths, validate_template
from tests.docx_factory import entry, minimal_docx, mutate

MARKER = "Champ-à-vérifier"
#: Every object of the context, from the profile schema: a path that has fields below it.
OBJECTS = sorted(p for p in allowed_paths() if any(q.startswith(p + ".") for q in allowed_paths()))
JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "length", "loop"}


def fields(obj: str) -> set[str]:
    return {q[len(obj) + 1 :].removesuffix("[]") for q in allowed_paths() if q.startswith(obj + ".")}


def _segments(obj: str) -> tuple[str, list[tuple[str, bool]]]:
    """The root name, then each (field, is a list item) step down to ``obj``."""
    root, *rest = obj.split(".")
    steps = [(root.removesuffix("[]"), root.endswith("[]"))]
    steps += [(part.removesuffix("[]"), part.endswith("[]")) for part in rest]
    return steps[0][0], steps


def reach(obj: str, how: str) -> tuple[str, str, str]:
    """(opening tags, an expression that is the object ``obj``, closing tags), reached ``how``."""
    _, steps = _segments(obj)
    expression, opening, closing = "", "", ""
    for depth, (name, item) in enumerate(steps):
        expression = f"{expression}.{name}" if expression else name
        if not item:
            continue
        if how in ("loop", "set"):
            opening += f"{{% for v{depth} in {expression} %}}"
            closing = "{% endfor %}" + closing
            expression = f"v{depth}"
        elif how == "filter":
            expression = f"({expression}|first)"
        else:
            expression = f"{expression}[0]"
    if how == "set":
        opening += f"{{% set chosen = {expression} %}}"
        expression = "chosen"
    return opening, expression, closing


def template_reading(obj: str, field: str, how: str) -> str:
    if how == "map":  # the field of every item of the list that holds obj
        assert obj.endswith("[]")
        opening, listed, closing = reach(obj[:-2], "index")
        return f'{opening}{{{{ {listed}|map(attribute="{field}")|join(", ") }}}}{closing}'
    opening, expression, closing = reach(obj, how)
    return f"{opening}{{{{ {expression}.{field} }}}}{closing}"


BASE = minimal_docx(body=f"{MARKER} BODY", extra_clause="vss.definitions")
PARAGRAPH = next(i for i, (_, _, text) in enumerate(body_paragraphs(BASE), 1) if MARKER in text)
NEXT_PARAGRAPH = '</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">'


def validated(*bodies: str) -> tuple[ValidationReport, list[int]]:
    """The report on a template whose clause holds each body in a paragraph of its own, and those paragraphs."""
    text = NEXT_PARAGRAPH.join(escape(body) for body in bodies)
    document = entry(BASE, "word/document.xml").replace(f"{MARKER} BODY".encode(), f"{MARKER} {text}".encode())
    data = mutate(BASE, replace={"word/document.xml": document})
    report = validate_template(data, kind="internal", language="fr", catalogue=catalogue())
    return report, [PARAGRAPH + n for n in range(len(bodies))]


WAYS = ["index", "loop", "set", "filter", "map"]
unknown_fields = st.from_regex(r"\A[a-z][a-z0-9_]{0,14}\Z").filter(
    lambda name: not keyword.iskeyword(name) and name not in JINJA_WORDS
)


def readings(field_of: Callable[[str], list[str]]) -> list[tuple[str, str, str]]:
    """(object, field, way) for every object of the profile and every way of reaching it."""
    return [
        (obj, field, how)
        for obj in OBJECTS
        for field in field_of(obj)
        for how in WAYS
        if how != "map" or obj.endswith("[]")
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unknown_fields)
def test_an_unknown_field_of_any_object_is_reported_with_part_and_paragraph(name: str) -> None:
    cases = readings(lambda obj: [] if name in fields(obj) else [name])
    report, paragraphs = validated(*(template_reading(*case) for case in cases))
    errors = [i for i in report.items if i.severity == "error"]
    for (obj, field, how), paragraph in zip(cases, paragraphs, strict=True):
        shown = f"unknown variable {obj.replace('[]', '')}.{field}"
        found = [i for i in errors if i.paragraph == paragraph and shown in i.message]
        assert found, (template_reading(obj, field, how), paragraph, errors)
        assert found[0].part == "word/document.xml"


def test_every_known_field_passes_however_it_is_reached() -> None:
    cases = readings(lambda obj: sorted(fields(obj) - {"length"}))
    assert len(cases) > 200
    report, _ = validated(*(template_reading(*case) for case in cases))
    assert not [i for i in report.items if "unknown variable" in i.message], report.items


CASES: list[tuple[str, Callable[[str], bool]]] = [
    ("{{ campuses[0].nonexistent_field }}", lambda m: "an item of campuses has no field nonexistent_field" in m),
    ("{% for c in campuses %}{{ c.nonexistent }}{% endfor %}", lambda m: "unknown variable campuses.nonexistent" in m),
    ("{% set x = school.director %}{{ x.z }}", lambda m: "school.director has no field z; its fields: email" in m),
    ("{% set rs = school.housing.residences %}{{ rs.name }}", lambda m: "is a list (loop over it" in m),
    ("{{ (school.housing.residences|last).nmae }}", lambda m: "did you mean school.housing.residences.name?" in m),
    (
        '{{ residences_by_school|selectattr("manager", "none")|list|length }}',
        lambda m: "unknown variable residences_by_school.manager" in m,
    ),
    (
        "{% for r in residences_by_others %}{% for c in campuses %}{{ r.campus_name }}{% endfor %}{% endfor %}",
        lambda m: "unknown variable residences_by_others.campus_name" in m,
    ),
    ("{% with d = document %}{{ d.author }}{% endwith %}", lambda m: "unknown variable document.author" in m),
]


@pytest.mark.parametrize(("body", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_the_ways_of_reaching_a_field(body: str, expected: Callable[[str], bool]) -> None:
    report, (paragraph,) = validated(body)
    matching = [i for i in report.items if expected(i.message)]
    assert matching, report.items
    assert matching[0].paragraph == paragraph


def test_local_values_and_loop_helpers_are_not_profile_fields() -> None:
    body = (
        "{% set n = 3 %}{{ n }} {% for c in campuses %}{{ loop.index }} {{ c.name[0] }}{% endfor %} "
        "{% for r in school.housing.residences|sort(attribute='name') %}{{ r.name }}{% endfor %} "
        "{% set x = school.director %}{% for x in campuses %}{{ x.code }}{% endfor %}{{ x.email }} "
        "{{ campuses|map(attribute='name')|join(', ') }} {{ school.disciplinary_board.convened_by[:1]|upper }}"
    )
    report, _ = validated(body)
    assert report.valid, report.items
