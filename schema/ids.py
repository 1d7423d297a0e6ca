"""Opaque global ids: base64 of "Type:uuid", so node(id) knows where to look."""

import base64
import binascii
from uuid import UUID

from schema.errors import InvalidArgument


def encode(type_name: str, id_: UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{id_}".encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, UUID]:
    """The type name and uuid inside a global id; InvalidArgument if it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, raw = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        return type_name, UUID(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidArgument(f"{global_id!r} is not a valid id.") from None


def decode_as(global_id: str, type_name: str) -> UUID:
    """The uuid of an id that must name a `type_name`; InvalidArgument otherwise."""
    found, id_ = decode(global_id)
    if found != type_name:
        raise InvalidArgument(f"{global_id!r} is not the id of {_article(type_name)} {type_name}.")
    return id_


def _article(type_name: str) -> str:
    """The article before a type name: an Account, an Invoice, but a Contact and a User (said "you")."""
    return "an" if type_name[0] in "AEIO" else "a"
