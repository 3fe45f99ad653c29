"""The browser client's module graph holds together: a module that fails to link stops the
whole page before it renders, so every static import must name a file that exists and, for
named imports, exports that name. Checked without a browser, on every module of client-web/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.services import missing_service

CLIENT = Path(__file__).resolve().parents[2] / "client-web"
MODULES = sorted(path for path in (CLIENT / "js").rglob("*.js"))

IMPORT = re.compile(
    r"^\s*import\s+(?:(?P<names>\{[^}]*\})|\*\s+as\s+\w+|(?P<default>\w+))?"
    r"(?:\s*,\s*(?P<more>\{[^}]*\}))?\s*(?:from\s+)?['\"](?P<path>[^'\"]+)['\"]",
    re.MULTILINE,
)
EXPORT = re.compile(
    r"^\s*export\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+(?P<name>\w+)"
    r"|^\s*export\s*\{(?P<list>[^}]*)\}",
    re.MULTILINE,
)


def exports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for match in EXPORT.finditer(path.read_text("utf-8")):
        if match["name"]:
            names.add(match["name"])
        else:
            for item in match["list"].split(","):
                item = item.strip()
                if item:
                    names.add(item.split(" as ")[-1].strip())
    return names


def imported_names(block: str | None) -> list[str]:
    if not block:
        return []
    names = []
    for item in block.strip("{} \n").split(","):
        item = item.strip()
        if item:
            names.append(item.split(" as ")[0].strip())
    return names


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 10


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(CLIENT)))
def test_static_imports_resolve(module: Path) -> None:
    for match in IMPORT.finditer(module.read_text("utf-8")):
        target = (module.parent / match["path"]).resolve()
        assert target.is_file(), f"{module.name} imports missing {match['path']}"
        if "vendor" in target.parts:
            continue
        wanted = imported_names(match["names"]) + imported_names(match["more"])
        missing = set(wanted) - exports_of(target)
        assert not missing, f"{module.name} imports {sorted(missing)} that {target.name} lacks"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(CLIENT)))
def test_module_parses(module: Path, tmp_path: Path) -> None:
    """A syntax error anywhere blanks the page; Node.js parses each module as the browser would
    (as an ``.mjs`` copy, which every Node.js version reads as a module)."""
    if shutil.which("node") is None:
        missing_service("Node.js", FileNotFoundError("node"))
    copy = tmp_path / f"{module.stem}.mjs"
    copy.write_text(module.read_text("utf-8"), "utf-8")
    result = subprocess.run(
        ["node", "--check", str(copy)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
