"""Email over SMTP: RAPPORT_SMTP_URL (smtp:// with STARTTLS when offered, or smtps://, with optional
user:password), through aiosmtplib."""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib

TIMEOUT_SECONDS = 30


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx reply): trying again would not help."""


@dataclass(frozen=True, slots=True)
class Mailer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_url(cls, url: str, sender: str) -> "Mailer":
        parts = urlsplit(url)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 587),
            implicit_tls=implicit,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=sender,
        )

    def new_message_id(self) -> str:
        return make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")

    async def send(self, to: str, subject: str | None, body: str, message_id: str) -> None:
        """Hand one message to the server; PermanentFailure for a 5xx, any other error is worth a retry."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject or ""
        message["Message-ID"] = message_id
        message.set_content(body)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=None if not self.implicit_tls else False,
                timeout=TIMEOUT_SECONDS,
            )
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as error:
            code = getattr(error, "code", None) or _first_code(error)
            if code is not None and 500 <= code < 600:
                raise PermanentFailure(describe(error)) from None
            raise


def _first_code(error: Exception) -> int | None:
    recipients = getattr(error, "recipients", None) or []
    return recipients[0].code if recipients else None


def describe(error: BaseException) -> str:
    """Why a send failed in the server's own words (e.g. "451 try again later"), never our message's text."""
    code = getattr(error, "code", None) or _first_code(error)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"{code} {message}" if code else f"{type(error).__name__}: {message}"
