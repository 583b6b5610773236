"""Render a mail from its templates and send it through the SMTP server of the settings."""

import logging
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.core.config import Settings

logger = logging.getLogger("app.mail")

TEMPLATES = Path(__file__).parent / "templates"
# Each mail's subject; its bodies are templates/NAME.txt and templates/NAME.html.
SUBJECTS = {
    "password_reset": "Reset your password",
    "verify_email": "Confirm your email address",
    "change_email": "Confirm your new email address",
}

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
)


class MailNotSent(Exception):
    """The SMTP server refused the mail or could not be reached; the job retries."""


def render(settings: Settings, template: str, to: str, **context: Any) -> EmailMessage:
    """The mail `template` to `to`: plain text with an HTML alternative."""
    values = {"project_name": settings.project_name, **context}
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = SUBJECTS[template]
    message.set_content(_templates.get_template(f"{template}.txt").render(values))
    message.add_alternative(_templates.get_template(f"{template}.html").render(values), subtype="html")
    return message


def credentials(settings: Settings) -> dict[str, Any]:
    """SMTP_USER and SMTP_PASSWORD, if set: the server asks for them (AUTH) over the encrypted connection."""
    if not settings.smtp_user:
        return {}
    return {"username": settings.smtp_user, "password": settings.smtp_password.get_secret_value()}


async def send(settings: Settings, message: EmailMessage, link: str = "") -> bool:
    """Send the message; False if no SMTP server is set (SMTP_HOST), in which case a log line says so (with the
    link, when ENVIRONMENT=local, so that one can follow it on one's own machine). MailNotSent if it failed."""
    if not settings.smtp_host:
        shown = f": {link}" if settings.environment == "local" and link else ""
        logger.warning("mail %r to %s not sent: SMTP_HOST is not set%s", message["Subject"], message["To"], shown)
        return False
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout,
            **credentials(settings),
        )
    except aiosmtplib.SMTPException as error:
        raise MailNotSent(f"{type(error).__name__}: {error}") from error
    return True
