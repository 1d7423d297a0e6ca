"""docs/client-guide.md lists every extensions.code the API can send, and every UserErrorCode."""

import re

from schema.types.common import UserErrorCode
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "client-guide.md"
# The ways the code gives an error its extensions.code.
_CODE_SITES = [
    re.compile(r'\bcode\s*=\s*"([A-Z][A-Z_]+)"'),  # a PublicError's class attribute, or code=... keyword
    re.compile(r'_give_code\(.*?"([A-Z][A-Z_]+)",?\s*\)', re.DOTALL),
    re.compile(r'_error_payload\([^)]*?"([A-Z][A-Z_]+)"'),
    re.compile(r'message, code = [^\n]*"([A-Z][A-Z_]+)"$', re.MULTILINE),
    re.compile(r'DocumentRefused\((?:[^()]|\([^()]*\))*?,\s*"([A-Z][A-Z_]+)"', re.DOTALL),
]


def codes_in_the_code() -> set[str]:
    found = set()
    for path in [*(ROOT / "api").rglob("*.py"), *(ROOT / "schema").rglob("*.py")]:
        text = path.read_text()
        for site in _CODE_SITES:
            found.update(site.findall(text))
    return found


def test_every_extensions_code_is_in_the_guide():
    codes = codes_in_the_code()
    assert {
        "UNAUTHENTICATED",
        "PERSISTED_QUERY_NOT_FOUND",
        "INTERNAL_SERVER_ERROR",
        "BAD_USER_INPUT",
    } <= codes
    table = GUIDE.read_text().split("| `extensions.code` |", 1)[1].split("\n\n", 1)[0]
    assert sorted(code for code in codes if f"| `{code}` |" not in table) == []


def test_every_user_error_code_is_in_the_guide():
    guide = GUIDE.read_text()
    assert [code.value for code in UserErrorCode if f"`{code.value}`" not in guide] == []
