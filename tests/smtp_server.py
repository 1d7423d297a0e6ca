"""A real SMTP server (aiosmtpd) for the delivery tests: it counts what it takes and answers as told."""

import email
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port

# The test server asks for AUTH over plain TCP (no certificate to hand); aiosmtpd warns about exactly that.
SMTP_WARNING = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class Inbox:
    """What the SMTP server took, and how it answers: `reply` per recipient, `on_data` before answering."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.replies: dict[str, str] = {}
        self.on_data = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        recipient = envelope.rcpt_tos[0]
        if recipient in self.replies:
            return self.replies[recipient]
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        if self.on_data is not None:
            self.on_data()
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if m["To"] == address]


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"rapport",
        b"s3cret",
    )
    return AuthResult(success=ok)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, f"smtp://rapport:s3cret@127.0.0.1:{port}"
    finally:
        controller.stop()
