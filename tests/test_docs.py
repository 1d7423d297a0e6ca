"""The README and docs/ point only at files the repository has."""

import re

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A markdown link's target, or a path in backticks naming a document or a module.
_REFERENCES = re.compile(r"\]\(([^)#\s]+)\)|`([\w./-]+\.(?:md|py))`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_file_a_doc_names_is_in_the_repository(doc):
    missing = []
    for link, named in _REFERENCES.findall(doc.read_text()):
        if link.startswith(("http://", "https://")):
            continue
        # links are relative to the document; paths in backticks to the repository
        target = (doc.parent / link if link else ROOT / named).resolve()
        if not target.is_relative_to(ROOT) or not target.is_file():
            missing.append(link or named)
    assert missing == [], f"{doc.name} names files the repository does not have"


def test_the_readme_links_the_design():
    assert "](docs/design.md)" in (ROOT / "README.md").read_text()
