"""Record which operation a request ran, for the request log and metrics."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension


class RecordOperation(SchemaExtension):
    """Puts the operation's name and type on the context once the document is parsed."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.context.operation_name = context.operation_name
        context.context.operation_type = context.operation_type.value
        yield
