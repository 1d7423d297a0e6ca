"""`make lint` on the schema: every part described (graphql-schema-linter), nothing breaks main's clients."""

import subprocess
from pathlib import Path

from schema.app_schema import export_sdl
from tests.conftest import ROOT

LINTER = ROOT / "node_modules" / ".bin" / "graphql-schema-linter"
ACCOUNT = "type Account implements Node {\n"


def _with_account_field(field: str) -> str:
    """The exported SDL with one more field on Account, as if main had it."""
    sdl = export_sdl()
    assert ACCOUNT in sdl
    return sdl.replace(ACCOUNT, f'{ACCOUNT}  """The name before."""\n  {field}\n\n', 1)


def _lint(sdl: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "schema.graphql"
    path.write_text(sdl)
    return subprocess.run([LINTER, path], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def _make_lint_schema(base: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "base.graphql"
    path.write_text(base)
    return subprocess.run(
        ["make", "--no-print-directory", "lint-schema", f"SCHEMA_BASE={path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _diff(base: str, current: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "base.graphql").write_text(base)
    (tmp_path / "current.graphql").write_text(current)
    return subprocess.run(
        ["node", "scripts/schema_diff.mjs", tmp_path / "base.graphql", tmp_path / "current.graphql"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_exported_schema_has_no_linter_findings(tmp_path):
    linted = _lint(export_sdl(), tmp_path)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_linter_finds_an_undescribed_field(tmp_path):
    linted = _lint(export_sdl().replace(ACCOUNT, f"{ACCOUNT}  nickname: String\n\n", 1), tmp_path)
    assert linted.returncode == 1
    assert "Account.nickname" in linted.stdout
    assert "fields-have-descriptions" in linted.stdout


def test_make_lint_fails_when_a_field_main_has_is_gone(tmp_path):
    checked = _make_lint_schema(_with_account_field("legacyName: String"), tmp_path)
    assert checked.returncode != 0
    assert "breaking: Field 'legacyName' was removed from object type 'Account'" in checked.stderr


def test_make_lint_lets_a_field_main_deprecated_go(tmp_path):
    base = _with_account_field('legacyName: String @deprecated(reason: "Use `name`.")')
    checked = _make_lint_schema(base, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no breaking change" in checked.stdout


def test_a_field_kept_and_deprecated_passes_if_its_reason_names_the_replacement(tmp_path):
    base = _with_account_field("legacyName: String")
    kept = _with_account_field('legacyName: String @deprecated(reason: "Use `name`.")')
    assert _diff(base, kept, tmp_path).returncode == 0

    vague = _with_account_field('legacyName: String @deprecated(reason: "Old.")')
    refused = _diff(base, vague, tmp_path)
    assert refused.returncode == 1
    assert "deprecated without naming a replacement" in refused.stderr
    assert 'Account.legacyName: "Old."' in refused.stderr
