"""The docs pages: each guide renders on GitHub (CommonMark) without dbt's template
tags showing, is shown somewhere in the dbt docs site, and every link between the
README and the pages leads to a file that exists.

A guide is a docs block whose tags sit in Markdown link-reference lines
(`[//]: # ({% docs guide_x %}{#)`), which CommonMark renders as nothing; dbt reads the
block and renders it where a description calls doc('guide_x').
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from harness import PROJECT_DIR

DOCS = PROJECT_DIR / "docs"
GUIDE_BLOCK = re.compile(r"\{% docs (guide_\w+|__overview__) %\}")
PAGES = sorted(path for path in DOCS.glob("*.md") if GUIDE_BLOCK.search(path.read_text()))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_there_are_guides() -> None:
    assert len(PAGES) >= 8, [page.name for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_a_guide_renders_on_github_without_template_tags(page: Path) -> None:
    html = MarkdownIt("commonmark").render(page.read_text())
    leaked = [marker for marker in ("{%", "%}", "{#", "#}", "[//]") if marker in html]
    assert leaked == [], f"{page.name} shows {leaked} on GitHub"
    assert html.startswith("<h1>"), f"{page.name} should open with its title"


def test_every_guide_is_shown_in_the_docs_site() -> None:
    """A docs block no description calls is in the manifest but on no page of the site."""
    called = set()
    for yml in PROJECT_DIR.glob("**/*.yml"):
        if ".venv" not in yml.parts and "target" not in yml.parts:
            called |= set(re.findall(r"doc\('(guide_\w+)'\)", yml.read_text()))
    guides = {name for page in PAGES for name in GUIDE_BLOCK.findall(page.read_text()) if name != "__overview__"}
    assert guides - called == set()


@pytest.mark.parametrize("page", [PROJECT_DIR / "README.md", *sorted(DOCS.glob("*.md"))],
                         ids=lambda page: page.name)
def test_relative_links_lead_to_files_that_exist(page: Path) -> None:
    targets = [target for target in LINK.findall(page.read_text()) if "://" not in target]
    missing = [target for target in targets if not (page.parent / target).exists()]
    assert missing == []


def test_the_readme_is_a_front_page() -> None:
    """What it answers, the two commands, adding a product, your own events, links: depth lives in docs/."""
    readme = (PROJECT_DIR / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    for heading in ("## Two commands", "## Adding a product", "## Your own events", "## Learn more"):
        assert heading in readme
    ci = (PROJECT_DIR / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci and "bash scripts/test.sh" in readme
