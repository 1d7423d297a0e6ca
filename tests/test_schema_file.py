"""schema.graphql at the repo root is what the code exports."""

from schema.app_schema import export_sdl
from tests.conftest import ROOT


def test_schema_graphql_is_up_to_date():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), "schema.graphql is stale: run `rapport schema export > schema.graphql`"


def test_decimal_says_it_is_a_string():
    described = '"""An exact decimal as a string, e.g. "1200.50"; never a float."""\nscalar Decimal'
    assert described in export_sdl()
