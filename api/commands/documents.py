"""`rapport documents add`: register a client's GraphQL documents as trusted (RAPPORT_TRUSTED_DOCUMENTS).

A frontend's build runs it with the documents it will send, so that a server
with RAPPORT_TRUSTED_DOCUMENTS=require runs those and nothing else. A file is
either a manifest, JSON mapping each document's SHA-256 (lowercase hex) to its
text (what graphql-codegen's client preset and gql.tada write as "persisted
documents"), or a document on its own (any other file), registered byte for
byte as the client must send it. Every document must parse and be valid
against this server's schema; one that is not, or a manifest hash that is not
its text's, registers nothing at all, so a build never ships half registered.
"""

import asyncio
from pathlib import Path

import click
import orjson
from graphql import GraphQLError, GraphQLSchema, parse, validate

from api.commands.connections import connect, stack
from api.persisted_queries import document_hash
from api.settings import Settings
from store import persisted_documents

# A client's build holds tens to hundreds of operations; far more means something else is being registered.
MAX_DOCUMENTS = 5_000


def _read(path: Path) -> dict[str, str]:
    """The documents of one file, by hash."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"{path}: cannot be read as UTF-8 text ({type(error).__name__}).") from None
    if path.suffix.lower() != ".json":
        return {document_hash(text): text}
    try:
        manifest = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise click.UsageError(
            f"{path}: not valid JSON; a manifest maps each SHA-256 to its document."
        ) from None
    if not isinstance(manifest, dict) or not all(isinstance(doc, str) for doc in manifest.values()):
        raise click.UsageError(
            f"{path}: a manifest is a JSON object mapping each SHA-256 to its document text."
        )
    for sha256, document in manifest.items():
        if document_hash(document) != sha256.lower():
            raise click.ClickException(
                f"{path}: {sha256} is not the SHA-256 of its document; nothing registered."
            )
    return {sha256.lower(): document for sha256, document in manifest.items()}


def _problem(schema: GraphQLSchema, document: str) -> str | None:
    """Why the schema refuses this document, or None."""
    try:
        errors = validate(schema, parse(document))
    except GraphQLError as error:
        return error.message
    return errors[0].message if errors else None


@click.group(name="documents")
def documents_group() -> None:
    """Trusted GraphQL documents (persisted queries a client registers at build time)."""


@documents_group.command(name="add")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def documents_add(files: tuple[Path, ...]) -> None:
    """Trust the documents in FILES: .graphql documents, or .json manifests (SHA-256 -> document)."""
    documents: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for path in files:
        for sha256, document in _read(path).items():
            documents[sha256] = document
            origin.setdefault(sha256, path)
            if len(documents) > MAX_DOCUMENTS:
                raise click.UsageError(
                    f"more than {MAX_DOCUMENTS:,} documents at once; a client's build registers its own "
                    "operations, far fewer. Register a bigger set in several runs."
                )
    from schema.app_schema import build_schema

    schema = build_schema(None)._schema
    for sha256, document in documents.items():
        if problem := _problem(schema, document):
            raise click.ClickException(
                f"{origin[sha256]}: {sha256} is not valid here: {problem}; nothing registered."
            )

    async def run(settings: Settings) -> int:
        async with connect(settings) as conn:
            return await persisted_documents.trust(conn, documents)

    with stack() as settings:
        added = asyncio.run(run(settings))
    click.echo(f"{len(documents)} documents trusted ({added} newly, {len(documents) - added} already)")
