"""GraphQL subscriptions over graphql-transport-ws, on the same /graphql path.

The bearer token comes in the connection_init payload ({"Authorization":
"Bearer ..."} or {"token": "..."}), or as the handshake's Authorization header,
and is checked by the same Authenticator as HTTP requests (API tokens and
identity-provider JWTs alike); a subscription re-checks it while it lives.
connection_init takes a token from the caller's rate-limit bucket like an HTTP
request. Without a valid token, when rate-limited, or when the caller cannot be
checked now, the connection is closed with 4403 and nothing more is said; the
reason goes to the server log. uvicorn pings every websocket (ws_ping_interval),
which keeps idle connections and proxies alive. A subscribe message's document
follows the persisted-query and trusted-document rules of HTTP requests.
"""

import logging
import time
import uuid
from datetime import timedelta

import strawberry
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from api.auth import bearer_token
from api.identity import IdentityUnavailable
from api.persisted_queries import DocumentRefused
from api.rate_limit import bucket_key
from schema.context import Context
from schema.errors import UNAVAILABLE

log = logging.getLogger("rapport.websocket")


def _token(params: dict | None, header: str | None) -> str | None:
    params = params or {}
    for key in ("Authorization", "authorization"):
        if isinstance(params.get(key), str):
            return bearer_token(params[key])
    if isinstance(params.get("token"), str):
        return params["token"]
    return bearer_token(header)


class _DocumentsChecked(BaseGraphQLTransportWSHandler):
    """A subscribe message's document goes through the same persisted-query and trusted-document
    rules as an HTTP request (api/persisted_queries.py): a hash may stand for it, and under
    RAPPORT_TRUSTED_DOCUMENTS=require only a registered one runs. A refusal is an `error` message
    for that subscription, with the code; the connection stays open."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message.get("payload") or {}
        documents = self.context.websocket.app.state.documents
        persisted = "persistedQuery" in (payload.get("extensions") or {})
        if self.connection_acknowledged and (documents.mode != "off" or persisted):
            try:
                resolved = await documents.resolve(payload.get("query"), payload.get("extensions"))
            except DocumentRefused as refused:
                error = {"message": str(refused), "extensions": {"code": refused.code}}
                await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
                return
            payload["query"] = resolved.query
        await super().handle_subscribe(message)


class TimelineSocket(GraphQL):
    graphql_transport_ws_handler_class = _DocumentsChecked

    def __init__(self, schema: strawberry.Schema, max_per_connection: int) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=max_per_connection,
        )

    async def get_context(self, request, response) -> Context:
        state = request.app.state
        return Context(
            pool=state.pool,
            request_id=uuid.uuid4().hex,
            meili=state.meili,
            index_uid=state.index_uid,
            hub=state.hub,
            websocket=request,
        )

    async def on_ws_connect(self, context: Context) -> None:
        websocket = context.websocket
        state = websocket.app.state
        token = _token(context.connection_params, websocket.headers.get("authorization"))
        try:
            user = await state.authenticator.user(token)
        except (*UNAVAILABLE, IdentityUnavailable) as error:
            log.warning("cannot check the caller of websocket %s: %r", context.request_id, error)
            raise ConnectionRejectionError from None
        except Exception:
            log.exception("cannot check the caller of websocket %s", context.request_id)
            raise ConnectionRejectionError from None
        if state.limiter.take(bucket_key(websocket, user)):
            log.info("websocket %s refused: rate limited", context.request_id)
            raise ConnectionRejectionError
        if user is None:
            raise ConnectionRejectionError

        async def reauthenticate():
            return await state.authenticator.user(token)

        context.user, context.reauthenticate = user, reauthenticate
        context.token_checked_at = time.monotonic()
