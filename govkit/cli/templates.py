"""`govkit templates` (build, check and upload root templates) and `govkit render` (variants)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govkit.cli.errors import err, fail, friendly
from govkit.cli.wiring import out, settings, wired
from govkit.errors import InvalidInput
from govkit.settings import Settings

templates_app = typer.Typer(help="Root templates (trames) of the regulations.", no_args_is_help=True)


@templates_app.command("build")
@friendly
def templates_build(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Text sources (.md); by default every one of govkit/documents/templates")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the .docx files to")] = Path(
        "build/templates"
    ),
) -> None:
    """Build Word root templates from their text sources, as build/templates/<kind>.<lang>.docx."""
    from govkit.documents.build import build_docx
    from govkit.documents.kinds import catalogue
    from govkit.documents.source import read_source, source_files

    output.mkdir(parents=True, exist_ok=True)
    for path in sources or source_files():
        source = read_source(path)
        target = output / f"{source.kind}.{source.language}.docx"
        target.write_bytes(build_docx(source, catalogue()))
        out.print(str(target), soft_wrap=True)


@templates_app.command("check")
@friendly
def templates_check(files: Annotated[list[Path], typer.Argument(help="Source files (.md)")]) -> None:
    """Validate template sources and render them for the eight demo schools."""
    from govkit.demo.template_check import main as check_main

    raise typer.Exit(check_main([str(f) for f in files]))


@templates_app.command("export")
@friendly
def templates_export(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder of the sources (<lang>/<kind>.md); govkit's own by default"),
    ] = None,
    published: Annotated[bool, typer.Option("--published", help="The latest published versions, not drafts")] = False,
) -> None:
    """Write the latest version of each root template stored in govkit back as its text source (.md),
    so that git keeps a readable history of the edits made in govkit."""
    from govkit.access.roles import SYSTEM
    from govkit.documents.clause_edits import export_sources
    from govkit.documents.kinds import TEMPLATES_DIR

    folder = output or TEMPLATES_DIR
    with wired() as wiring:
        exported = export_sources(db=wiring.db, actor=SYSTEM, published_only=published)
    if not exported:
        fail("no root template version stored yet: nothing to export")
    for source in exported:
        target = folder / source.language / f"{source.kind}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        same = target.exists() and target.read_text(encoding="utf-8") == source.text
        if not same:
            target.write_text(source.text, encoding="utf-8")
        state = "unchanged" if same else "written"
        status = "published" if source.published else "draft"
        out.print(f"{target} (version {source.number}, {status}; {state})", soft_wrap=True)  # a path is never cut
        for warning in source.warnings:
            err.print(f"[yellow]{target}:[/yellow] {warning}")


@templates_app.command("upload")
@friendly
def templates_upload(
    file: Annotated[Path, typer.Argument(help="A .docx root template, or a .md source")],
    kind: Annotated[str | None, typer.Option(help="Document kind (read from a .md source)")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en (read from a .md source)")] = None,
    publish: Annotated[bool, typer.Option(help="Publish the version when it is valid")] = False,
    change_kind: Annotated[str, typer.Option(help="editorial or substantive")] = "substantive",
    changelog: Annotated[str | None, typer.Option(help="What changed and why (needed to publish)")] = None,
) -> None:
    """Validate and store a root template version; print its validation report."""
    from govkit.access.roles import SYSTEM
    from govkit.approvals.service import four_eyes
    from govkit.documents import service
    from govkit.documents.build import build_docx
    from govkit.documents.kinds import catalogue
    from govkit.documents.source import read_source

    if file.suffix == ".md":
        source = read_source(file)
        data, kind, lang = build_docx(source, catalogue()), kind or source.kind, lang or source.language
    else:
        data = file.read_bytes()
    if not kind or not lang:
        raise InvalidInput("Give --kind and --lang for a .docx file.")
    with wired() as wiring:
        outcome = service.upload_root_template_version(
            db=wiring.db,
            actor=SYSTEM,
            pool=wiring.pool,
            kind=kind,
            language=lang,
            filename=file.name,
            data=data,
            max_bytes=wiring.settings.upload_max_bytes,
        )
        for item in outcome.report.items:
            where = item.part + (f", paragraph {item.paragraph}" if item.paragraph else "")
            err.print(f"{item.severity}: {where}: {item.message}")
        version = outcome.version
        if version is None or version.id is None:
            fail(f"{file.name} is not a valid {kind}/{lang} root template ({len(outcome.report.items)} problem(s))")
        state = "stored as" if outcome.created else "already stored as"
        err.print(f"{file.name}: valid, {state} version {version.number} (sha256 {version.sha256})")
        if publish:
            if not changelog:
                raise InvalidInput("Give --changelog to publish.")
            service.publish_root_template_version(
                db=wiring.db,
                actor=SYSTEM,
                version_id=version.id,
                change_kind=change_kind,
                changelog=changelog,
                four_eyes=four_eyes(wiring.settings),  # a substantive change then needs a second officer's approval
            )
            err.print(f"published version {version.number} ({change_kind})")


@friendly
def render(
    school: Annotated[str | None, typer.Option(help="School code")] = None,
    kind: Annotated[str | None, typer.Option(help="Document kind, e.g. internal")] = None,
    lang: Annotated[str, typer.Option(help="fr or en")] = "fr",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the .docx")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every kind, language and school")] = False,
    background: Annotated[
        bool, typer.Option("--background", help="Queue one render job per school (--kind, or --all) instead")
    ] = False,
) -> None:
    """Render variants from the published root templates (cached: same inputs never render twice)."""
    from govkit.documents.kinds import LANGUAGES, catalogue

    every = [(k, lg) for k in catalogue().kinds for lg in LANGUAGES]
    if background:
        if not (all_ or kind) or output:
            raise InvalidInput("With --background, give --kind (and --school, --lang) or --all, and no -o FILE.")
        pairs = every if all_ or kind is None else [(kind, lang)]
        _render_in_background(settings(), pairs, None if all_ or not school else [school])
    elif all_:
        _render_all(every)
    elif school and kind and output:
        _render_one(school, kind, lang, output)
    else:
        raise InvalidInput("Give --school, --kind and -o FILE, or --all.")


def _render_all(pairs: list[tuple[str, str]]) -> None:
    """Every school's variant of each (kind, language), with a progress bar."""
    from rich.progress import Progress

    from govkit.access.roles import SYSTEM
    from govkit.documents import service

    rendered = reused = 0
    with wired() as wiring, Progress(console=err, transient=True) as bar:
        task = bar.add_task("rendering", total=len(pairs))
        for kind_key, language in pairs:
            bar.update(task, description=f"{kind_key}/{language}")
            summary = service.render_variants(
                db=wiring.db, actor=SYSTEM, pool=wiring.pool, kind=kind_key, language=language
            )
            rendered, reused = rendered + summary.rendered, reused + summary.reused
            for failure in summary.failures:
                err.print(f"[yellow]{failure.organisation_code} {kind_key}/{language}:[/yellow] {failure.message}")
            bar.advance(task)
    err.print(f"{rendered} variants rendered, {reused} unchanged (not rendered again)")


def _render_one(school: str, kind: str, language: str, output: Path) -> None:
    """One school's variant, written to ``output``."""
    from govkit.access.roles import SYSTEM
    from govkit.documents import service

    with wired() as wiring:
        summary = service.render_variants(
            db=wiring.db, actor=SYSTEM, pool=wiring.pool, kind=kind, language=language, schools=[school]
        )
        if summary.failures:
            raise InvalidInput(summary.failures[0].message)
        _org, variant = summary.variants[0]
        found = service.download(db=wiring.db, actor=SYSTEM, sha256=variant.sha256)
    output.write_bytes(found.data)
    state = "rendered" if summary.rendered else "unchanged inputs, not rendered again"
    err.print(f"wrote {output} ({len(found.data)} bytes, sha256 {variant.sha256}; {state})")


def _render_in_background(given: Settings, pairs: list[tuple[str, str]], schools: list[str] | None) -> None:
    """Queue the render jobs (one per school) of each (kind, language); on SQLite, run them before returning."""
    from govkit.access.roles import SYSTEM
    from govkit.documents import service
    from govkit.jobs.inprocess import InProcessQueue

    with wired(given) as wiring:
        keys = [
            key
            for kind, language in pairs
            for key in service.queue_renders(
                db=wiring.db, actor=SYSTEM, jobs=wiring.jobs, kind=kind, language=language, schools=schools
            )
        ]
        in_process = isinstance(wiring.jobs, InProcessQueue)
        if in_process:
            wiring.jobs.drain()
    where = "run by this command" if in_process else "queued for govkit worker"
    err.print(f"{len(keys)} render jobs (one per school) {where}")
