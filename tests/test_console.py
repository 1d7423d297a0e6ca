"""The web console's files as the api serves them at /app: the built page for every console route,
its hashed assets compressed and cacheable, a strict policy, nothing from another origin, and the
first load's JavaScript within its budget."""

import gzip
import re

import pytest

from api import console
from tests.test_graphiql import References, directives

# The budget for the first load of /app, in gzip-compressed bytes of JavaScript.
JS_BUDGET = 150 * 1024


async def test_every_console_route_gets_the_page_with_its_policy(http):
    first = await http.get("/app/")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.headers["cache-control"] == "no-store"
    policy = directives(first.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # stricter than GraphiQL: no inline styles either
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for route in ("/app/accounts/QWNjb3VudDox", "/app/search?q=anything", "/app/queue"):
        again = await http.get(route)
        assert again.status_code == 200, route
        assert again.text == first.text, route
    assert (await http.get("/app", follow_redirects=False)).headers["location"] == "/app/"


async def test_the_page_loads_only_files_of_this_server_and_runs_no_inline_script(http):
    page = await http.get("/app/")
    found = References()
    found.feed(page.text)
    assert found.inline_scripts == []
    assert found.scripts, page.text
    for url in found.scripts + found.styles + [u for u in found.others if not u.startswith("data:")]:
        assert url.startswith(f"{console.ASSETS_PATH}/"), url
    assert "//" not in re.sub(r"<!doctype[^>]*>", "", page.text)
    assert " style=" not in page.text


async def test_assets_are_compressed_and_cached_for_good(http):
    found = References()
    found.feed((await http.get("/app/")).text)
    for url in found.scripts + found.styles:
        response = await http.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == console.IMMUTABLE
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-encoding"] == "gzip", url


def _module_imports(source: str) -> list[str]:
    """The other chunks an ES module loads at once (static imports), by their file names."""
    return re.findall(r"""(?:import|from)\s*["']\./([\w.-]+\.js)["']""", source)


async def test_the_first_load_stays_within_its_javascript_budget(http):
    found = References()
    found.feed((await http.get("/app/")).text)
    pending = [url.rsplit("/", 1)[1] for url in found.scripts]
    seen: set[str] = set()
    compressed = 0
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (await http.get(f"{console.ASSETS_PATH}/{name}")).content
        compressed += len(gzip.compress(source, 6))
        pending += _module_imports(source.decode())
    print(f"first load of /app: {len(seen)} JS files, {compressed / 1024:.1f} KiB gzip-compressed")
    assert compressed <= JS_BUDGET


@pytest.mark.parametrize("name", ["..%2F..%2Findex.html", ".vite", "index.html", "missing.js"])
async def test_only_built_assets_are_served(http, name):
    assert (await http.get(f"{console.ASSETS_PATH}/{name}")).status_code == 404


async def test_without_a_build_the_page_says_what_to_run(http, monkeypatch, tmp_path):
    monkeypatch.setattr(console, "BUILD", tmp_path)
    page = await http.get("/app/")
    assert page.status_code == 503
    assert page.text == console.NOT_BUILT
