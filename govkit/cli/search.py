"""`govkit search`: the clause index rebuilt from the stored files, and a search from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from govkit.cli.errors import friendly
from govkit.cli.wiring import out, wired

search_app = typer.Typer(help="Search across the clauses of every version and school.", no_args_is_help=True)


@search_app.command("reindex")
@friendly
def reindex() -> None:
    """Index the clauses of every root template version and published document version again
    (data stored before the index existed; a change of the clause titles)."""
    from govkit.access.roles import SYSTEM
    from govkit.search.service import reindex_clauses

    with wired() as wiring:
        done = reindex_clauses(db=wiring.db, actor=SYSTEM)
    out.print(
        f"indexed {done.clauses} clauses of {done.root_versions} root template versions "
        f"and {done.document_versions} published document versions",
        soft_wrap=True,
    )


@search_app.command("query")
@friendly
def query(
    text: Annotated[str, typer.Argument(help='Words, "an exact phrase", -excluded, or')],
    language: Annotated[str | None, typer.Option(help="fr or en")] = None,
    kind: Annotated[str | None, typer.Option(help="A document kind, e.g. internal")] = None,
    school: Annotated[str | None, typer.Option(help="A school's code: its versions only")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Not only the versions in force")] = False,
    first: Annotated[int, typer.Option(help="At most this many clauses")] = 20,
) -> None:
    """The clauses that match, best first: where (school or root, kind, language, version) and the clause."""
    from govkit.access.roles import SYSTEM
    from govkit.search.service import search_clauses

    with wired() as wiring:
        hits = search_clauses(
            db=wiring.db,
            actor=SYSTEM,
            text=text,
            language=language,
            kind=kind,
            school=school,
            in_force_only=not all_versions,
            first=first,
        )
    for hit in hits:
        where = hit.school or "root"
        snippet = "".join(f"[{f.text}]" if f.highlighted else f.text for f in hit.snippet)
        out.print(
            f"{where} {hit.kind}/{hit.language} v{hit.version_number} {hit.clause_key} — {hit.title}: {snippet}",
            markup=False,
            soft_wrap=True,
        )
    if not hits:
        out.print("no clause matches")
