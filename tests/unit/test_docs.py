"""The project's own documents: every relative link resolves (a file, or a heading
of the file it points into), and the shell completion the README documents works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted(str(path.relative_to(REPO)) for path in (REPO / "docs").glob("*.md"))
DOCUMENTS = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", *PAGES]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    headings = re.findall(r"^#+\s+(.*)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_relative_link_resolves(document: str) -> None:
    text = (REPO / document).read_text(encoding="utf-8")
    local = [target for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]
    broken = [target for target in local if not _resolves(REPO / document, target)]
    assert not broken, f"{document}: {broken}"


def _resolves(document: Path, target: str) -> bool:
    """A relative link's file exists and, for a Markdown file, holds its anchor."""
    path, _, anchor = target.partition("#")
    file = document.parent / path if path else document
    if not file.exists():
        return False
    return not anchor or file.suffix != ".md" or anchor in _anchors(file.read_text())


def test_bash_completion_completes_commands() -> None:
    """Click's completion, as the README tells a user to install it."""
    script = Path(sys.executable).with_name("planwise-run")
    env = {**os.environ, "COMP_WORDS": "planwise-run ro", "COMP_CWORD": "1"}
    env["_PLANWISE_RUN_COMPLETE"] = "bash_complete"
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["plain,rollback"]


def test_the_link_check_catches_a_missing_file_and_a_missing_heading() -> None:
    readme = REPO / "README.md"
    assert _resolves(readme, "docs/images/setup-report-sample.png")
    assert _resolves(readme, "#documentation")
    assert _resolves(readme, "docs/performance.md#the-same-1m-employee-setup-on-each-engine")
    assert not _resolves(readme, "docs/performance.md#no-such-heading")
    assert not _resolves(readme, "docs/images/no-such-page.png")
    assert not _resolves(readme, "#no-such-heading")
