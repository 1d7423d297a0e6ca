"""GraphiQL works without internet: the page loads everything from this server, and its policy allows it."""

import re
from html.parser import HTMLParser

import pytest

from api import graphiql
from tests.conftest import app_client

PAGE = {"Accept": "text/html"}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class References(HTMLParser):
    """The URLs a page makes the browser load, and the bodies of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.others: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.scripts.append(found["src"])
            else:
                self._in_inline_script = True
                self.inline_scripts.append("")
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(found["href"])
        elif found.get("href") or found.get("src"):
            self.others.append(found.get("href") or found["src"])

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


async def test_the_page_loads_its_scripts_and_styles_from_this_server_only(http):
    page = await http.get("/graphql", headers=PAGE)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    found = References()
    found.feed(page.text)
    assert found.inline_scripts == []
    assert len(found.scripts) == 4
    assert len(found.styles) == 2
    for url in found.scripts + found.styles:
        assert url.startswith(f"{graphiql.ASSETS_PATH}/"), url  # same origin: a path, no host
    assert all(url.startswith("data:") for url in found.others), found.others
    assert "unpkg" not in page.text
    assert "//" not in re.sub(r"<!doctype[^>]*>", "", page.text)  # no scheme-relative or absolute URL at all


async def test_every_file_the_page_references_is_served_with_its_type(http):
    found = References()
    found.feed((await http.get("/graphql", headers=PAGE)).text)
    for url in found.scripts + found.styles:
        response = await http.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == TYPES[url[url.rindex(".") :]], url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) > 100, url
        if url.endswith(".css"):  # fonts and images inside the styles: embedded, none fetched elsewhere
            for inner in re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text):
                assert inner.startswith(("data:", "#")), (url, inner[:80])


async def test_the_page_policy_allows_its_files_and_nothing_from_elsewhere(http):
    page = await http.get("/graphql", headers=PAGE)
    policy = directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no other origin
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["font-src"] == ["'self'", "data:"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any(":" in source for sources in policy.values() for source in sources if source != "data:")


@pytest.mark.parametrize("name", ["graphiql.js", "package.json", "..%2F..%2Fpyproject.toml", "settings.py"])
async def test_only_the_named_files_are_served(http, name):
    assert (await http.get(f"{graphiql.ASSETS_PATH}/{name}")).status_code == 404


async def test_without_introspection_the_files_are_not_served_either(settings):
    async with app_client(settings, introspection=False) as (_, client):
        response = await client.get(f"{graphiql.ASSETS_PATH}/graphiql.min.js")
    assert response.status_code == 404


async def test_without_its_npm_files_the_page_says_what_to_install(http, monkeypatch, tmp_path):
    monkeypatch.setitem(graphiql.ASSETS, "graphiql.min.js", tmp_path / "not-installed.js")
    page = await http.get("/graphql", headers=PAGE)
    assert page.status_code == 503
    assert page.text == graphiql.NOT_INSTALLED
    assert "npm ci" in page.text
