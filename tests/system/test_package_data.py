"""Everything govkit reads at run time beside its modules ships in the wheel: every file of the
package that is not Python matches a [tool.setuptools.package-data] pattern (an installed
govkit finds its rules, templates, demo data and pages, not only a checkout)."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

import govkit
from govkit.documents.kinds import TEMPLATES_DIR
from govkit.rules.loader import RULES_DIR

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(govkit.__file__).resolve().parent


def _patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["govkit"]


def _shipped(relative: PurePosixPath, patterns: list[str]) -> bool:
    # setuptools globs each pattern in its directory: '*' does not cross a '/'
    return any(len(relative.parts) == len(PurePosixPath(p).parts) and relative.match(p) for p in patterns)


def test_every_data_file_of_the_package_is_package_data() -> None:
    patterns = _patterns()
    data = [
        PurePosixPath(path.relative_to(PACKAGE).as_posix())
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert data, "no data file found: the package moved?"
    missing = [str(p) for p in data if not _shipped(p, patterns)]
    assert not missing, f"files not in [tool.setuptools.package-data]: {missing}"


def test_the_rules_and_templates_are_read_from_the_package() -> None:
    assert RULES_DIR.is_relative_to(PACKAGE) and sorted(RULES_DIR.glob("*.yaml"))
    assert TEMPLATES_DIR.is_relative_to(PACKAGE)
