"""Check root template sources against the demo schools: `python -m govkit.demo.template_check FILE...`.

Builds each source into its .docx, validates it as an upload would be validated,
and renders it for the eight demo schools. Exit status 1 when anything is wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govkit.demo.dataset import read_dataset
from govkit.documents.build import build_docx
from govkit.documents.context import DocumentInfo, build_context
from govkit.documents.inspect import clause_keys, read_clauses
from govkit.documents.kinds import catalogue
from govkit.documents.render import RenderError, compile_template, render
from govkit.documents.source import read_source
from govkit.documents.validate import validate_template
from govkit.errors import InvalidInput
from govkit.organisations.vocabulary import OrganisationType


def check(path: Path) -> bool:
    cat = catalogue()
    try:
        source = read_source(path)
        data = build_docx(source, cat)
    except InvalidInput as exc:
        print(f"{path}: {exc.message}")
        for p in exc.problems:
            print(f"  {p.path}: {p.message}")
        return False
    report = validate_template(data, kind=source.kind, language=source.language, catalogue=cat)
    words = sum(len(c.text.split()) for c in read_clauses(data))
    print(
        f"{path}: {source.kind}/{source.language}, {len(report.clauses)} clauses, ~{words} words in clauses, "
        f"{'valid' if report.valid else 'INVALID'}"
    )
    for item in report.items:
        where = f"{item.part}" + (f" ¶{item.paragraph}" if item.paragraph else "")
        print(f"  {item.severity}: {where}: {item.message}" + (f" — {item.excerpt!r}" if item.excerpt else ""))
    ok = report.valid
    if not ok:
        return False
    compiled = compile_template(data)
    dataset, _ = read_dataset()
    spec = cat.kind(source.kind)
    for org in dataset.organisations:
        if org.type is not OrganisationType.SCHOOL:
            continue
        context = build_context(
            code=org.code,
            profile=org.profile,
            campuses=[(c.code, c.name) for c in org.campuses],
            document=DocumentInfo(source.kind, source.language, spec.title.get(source.language), 1),
        )
        try:
            keys = clause_keys(render(compiled, context))
        except RenderError as exc:
            print(f"  {org.code}: RENDER FAILED: {exc}")
            ok = False
            continue
        missing = [k for k in spec.required_clauses if k not in keys]
        print(f"  {org.code}: rendered, {len(keys)} clauses" + (f", MISSING {missing}" if missing else ""))
        ok = ok and not missing
    return ok


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    results = [check(Path(arg)) for arg in argv]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
