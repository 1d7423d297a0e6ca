"""schema.graphql at the repo root is what the code exports."""

from schema.app_schema import export_sdl
from tests.conftest import ROOT


def test_schema_graphql_is_up_to_date():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), "schema.graphql is stale: run `rapport schema export > schema.graphql`"
