"""The real SMTP server of the notices' tests (aiosmtpd), for the correction requests' e-mails."""

from __future__ import annotations

from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 - a real SMTP server (aiosmtpd)
