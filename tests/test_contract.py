"""The exported schema holds the public contract: every name, type and argument.

Parts that later issues build are listed in PENDING; the list only shrinks.
"""

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
    specified_scalar_types,
)

from schema.app_schema import export_sdl

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "schema.graphql"
WAVE2 = CONTRACT.with_name("wave2.graphql")
# The blocks of wave2.graphql whose capability has landed: the exported schema must hold them too.
WAVE2_BLOCKS = ("Worklist, mentions and inbox", "Customer communication: templates, dunning, statement links")

PENDING_TYPES: set[str] = set()
PENDING_FIELDS: set[str] = set()


def wave2_block(title: str) -> str:
    """The SDL of one block of wave2.graphql: from its "# ----" header to the next block's."""
    text = WAVE2.read_text()
    start = text.index(f"# {title}\n")
    body = text[text.index("\n# ---", start) :].split("\n", 2)[2]
    following = body.find("\n# ----")
    return body if following < 0 else body[:following]


def _differences() -> list[str]:
    contract = build_schema("\n".join([CONTRACT.read_text(), *map(wave2_block, WAVE2_BLOCKS)]))
    ours = build_schema(export_sdl())
    problems = []
    for name, wanted in contract.type_map.items():
        if name.startswith("__") or name in PENDING_TYPES or name in specified_scalar_types:
            continue
        have = ours.type_map.get(name)
        if have is None:
            problems.append(f"missing type {name}")
            continue
        if type(have) is not type(wanted):
            problems.append(f"{name} is a {type(have).__name__}, the contract says {type(wanted).__name__}")
            continue
        if isinstance(wanted, GraphQLEnumType):
            missing = set(wanted.values) - set(have.values)
            problems += [f"enum {name} lacks {value}" for value in sorted(missing)]
        if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType):
            missing = {i.name for i in wanted.interfaces} - {i.name for i in have.interfaces}
            problems += [f"{name} does not implement {i}" for i in sorted(missing)]
        if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in wanted.fields.items():
                if f"{name}.{field_name}" in PENDING_FIELDS:
                    continue
                mine = have.fields.get(field_name)
                if mine is None:
                    problems.append(f"missing field {name}.{field_name}")
                    continue
                if str(mine.type) != str(field.type):
                    problems.append(f"{name}.{field_name} is {mine.type}, the contract says {field.type}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    my_arg = mine.args.get(arg_name)
                    if my_arg is None:
                        problems.append(f"missing argument {name}.{field_name}({arg_name})")
                    elif str(my_arg.type) != str(arg.type):
                        problems.append(
                            f"{name}.{field_name}({arg_name}) is {my_arg.type}, the contract says {arg.type}"
                        )
                    elif my_arg.default_value != arg.default_value:
                        problems.append(f"{name}.{field_name}({arg_name}) default differs")
                if isinstance(wanted, GraphQLInputObjectType) and mine.default_value != field.default_value:
                    problems.append(f"{name}.{field_name} default differs")
    return problems


def test_the_exported_schema_contains_the_contract():
    assert _differences() == []


def test_a_wave2_block_is_read_whole_and_alone():
    block = wave2_block("Worklist, mentions and inbox")
    assert "type AccountOwner" in block
    assert "inbox: InboxItem!" in block
    assert "MessageTemplate" not in block
    block = wave2_block("Customer communication: templates, dunning, statement links")
    assert "type OutboundMessage" in block
    assert "type WebhookDelivery" not in block


def test_pending_parts_are_really_missing():
    """A pending name that now exists must leave PENDING, so the contract test covers it."""
    ours = build_schema(export_sdl())
    present_types = sorted(t for t in PENDING_TYPES if t in ours.type_map)
    present_fields = sorted(
        f
        for f in PENDING_FIELDS
        if f.split(".")[0] in ours.type_map and f.split(".")[1] in ours.type_map[f.split(".")[0]].fields
    )
    assert present_types == []
    assert present_fields == []
