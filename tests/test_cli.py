"""The command line: users, tokens, and clear exits on bad configuration."""

import os
import subprocess
import sys
import uuid

import pytest


def rapport(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


@pytest.fixture
def db_env(settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url}


def test_add_user_issue_token_use_it_and_revoke_it(db_env, live_server):
    import httpx

    email = f"{uuid.uuid4().hex[:8]}@example.test"
    added = rapport("users", "add", "--email", email, "--name", "Rita", "--team", "ar", **db_env)
    assert added.returncode == 0, added.stderr
    assert f"added {email} (AR)" in added.stdout

    issued = rapport("tokens", "issue", email, "--label", "laptop", **db_env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    me = httpx.post(
        f"{live_server}/graphql",
        json={"query": "{ me { email team } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert me.json() == {"data": {"me": {"email": email, "team": "AR"}}}

    revoked = rapport("tokens", "revoke", token, **db_env)
    assert revoked.returncode == 0, revoked.stderr
    after = httpx.post(
        f"{live_server}/graphql",
        json={"query": "{ me { email } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    again = rapport("tokens", "revoke", token, **db_env)
    assert again.returncode == 1
    assert "nothing was revoked" in again.stderr


def test_an_existing_email_is_refused(db_env):
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    assert (
        rapport("users", "add", "--email", email, "--name", "A", "--team", "SALES", **db_env).returncode == 0
    )
    again = rapport("users", "add", "--email", email.upper(), "--name", "B", "--team", "SALES", **db_env)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_an_unknown_team_is_a_usage_error(db_env):
    result = rapport(
        "users", "add", "--email", "x@example.test", "--name", "X", "--team", "MARKETING", **db_env
    )
    assert result.returncode == 2
    assert "unknown team 'MARKETING'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"MEILI_URL": "http://127.0.0.1:9"}, "MEILI_URL http://127.0.0.1:9 does not answer"),
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        (
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
            "DATABASE_URL does not lead to a Postgres",
        ),
    ],
)
def test_bad_settings_stop_serve_with_one_sentence_and_status_2(settings, env, message):
    result = rapport("serve", **{"DATABASE_URL": settings.database_url, **env})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_help():
    for command in (
        ["--help"],
        ["users", "add", "--help"],
        ["tokens", "issue", "--help"],
        ["tokens", "revoke", "--help"],
        ["schema", "export", "--help"],
        ["migrate", "--help"],
    ):
        result = rapport(*command)
        assert result.returncode == 0, command
        assert "Usage:" in result.stdout


def test_schema_export_prints_the_sdl():
    result = rapport("schema", "export")
    assert result.returncode == 0
    assert "type Query" in result.stdout
