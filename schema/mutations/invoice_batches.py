"""upsertInvoices' items read straight from the request's JSON, without the per-field walk.

graphql-core coerces a variable field by field and Strawberry then builds an
input object per item: for a batch of 1,000 invoices that was half the
request's time (bench/RESULTS.md, issue #16). So before execution, an
`[InvoiceUpsertInput!]!` variable whose every item is exactly what the schema
asks for (its nine fields and no others, strings where strings go, days and
decimals the schema's own scalars parse, a known status) becomes the commands
at once, and graphql-core is handed an empty list in its place. Anything else
is left as it came: graphql-core coerces it as before, so a malformed item is
the same GraphQL error, and a value it would accept in another form (a single
object for the list) goes the usual way. tests/test_invoice_batches.py holds
the two ways to each other on random values.
"""

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import OperationDefinitionNode, VariableNode, print_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.commands.invoices import InvoiceUpsert
from domain.invoices import InvoiceStatus
from schema.scalars import DAY, EXACT_DECIMAL

BATCH_TYPE = "[InvoiceUpsertInput!]!"
_FIELDS = frozenset(
    ("externalRef", "accountRef", "number", "issuedOn", "dueOn", "currency", "total", "balance", "status")
)
_REF_FIELDS = frozenset(("system", "id"))
_STATUSES = {status.name: status for status in InvoiceStatus}


class _Malformed(Exception):
    """Not what the schema asks for: graphql-core coerces it instead, and says what is wrong."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Malformed
    return value


def _ref(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict) or value.keys() != _REF_FIELDS:
        raise _Malformed
    return _text(value["system"]), _text(value["id"])


def _scalar(parse: Any, value: Any) -> Any:
    """A value the schema's scalar parses, exactly as graphql-core would call it."""
    if value is None:
        raise _Malformed
    try:
        return parse(value)
    except Exception:  # graphql-core, too, takes any failure to parse as an invalid value
        raise _Malformed from None


def _command(item: Any) -> InvoiceUpsert:
    if not isinstance(item, dict) or item.keys() != _FIELDS:
        raise _Malformed
    system, external_id = _ref(item["externalRef"])
    account_system, account_external_id = _ref(item["accountRef"])
    status = item["status"]
    if not isinstance(status, str) or status not in _STATUSES:
        raise _Malformed
    return InvoiceUpsert(
        system=system,
        external_id=external_id,
        account_system=account_system,
        account_external_id=account_external_id,
        number=_text(item["number"]),
        issued_on=_scalar(DAY.parse_value, item["issuedOn"]),
        due_on=_scalar(DAY.parse_value, item["dueOn"]),
        currency=_text(item["currency"]),
        total=_scalar(EXACT_DECIMAL.parse_value, item["total"]),
        balance=_scalar(EXACT_DECIMAL.parse_value, item["balance"]),
        status=_STATUSES[status],
    )


def read_items(value: Any) -> list[InvoiceUpsert] | None:
    """The commands for a variable's JSON value; None when graphql-core must coerce it."""
    if not isinstance(value, list):
        return None
    try:
        return [_command(item) for item in value]
    except _Malformed:
        return None


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class InvoiceBatchVariables(SchemaExtension):
    """Reads each batch variable of a mutation into commands before graphql-core would coerce it."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        variables = execution.variables
        if execution.operation_type == OperationType.MUTATION and variables:
            operation = _operation(execution.graphql_document, execution.operation_name)
            read = {
                name: commands
                for definition in (operation.variable_definitions if operation else ())
                if print_ast(definition.type) == BATCH_TYPE
                and (name := definition.variable.name.value) in variables
                and (commands := read_items(variables[name])) is not None
            }
            if read:
                execution.context.invoice_batches = read
                execution.variables = {**variables, **{name: [] for name in read}}
        yield


def batch_items(info: strawberry.Info, converted: list[Any]) -> list[InvoiceUpsert]:
    """The field's items: as read from its variable, else from what Strawberry converted (a literal)."""
    argument = next(a for a in info._raw_info.field_nodes[0].arguments if a.name.value == "input")
    read = info.context.invoice_batches
    if isinstance(argument.value, VariableNode) and argument.value.name.value in read:
        return read[argument.value.name.value]
    return from_inputs(converted)


def from_inputs(items: list[Any]) -> list[InvoiceUpsert]:
    """Commands from the InvoiceUpsertInput objects Strawberry built."""
    return [
        InvoiceUpsert(
            system=item.external_ref.system,
            external_id=item.external_ref.id,
            account_system=item.account_ref.system,
            account_external_id=item.account_ref.id,
            number=item.number,
            issued_on=item.issued_on,
            due_on=item.due_on,
            currency=item.currency,
            total=item.total,
            balance=item.balance,
            status=item.status,
        )
        for item in items
    ]
