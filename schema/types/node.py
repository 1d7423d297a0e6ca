"""The Node interface: anything with a global id that node(id) can fetch."""

import strawberry


@strawberry.interface(description="An object with an opaque global id that node(id) resolves.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id, stable for the object's life: node(id) finds the object by it."
    )
