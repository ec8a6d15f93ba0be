"""GOVKIT_* settings, read once per process."""

from __future__ import annotations

import hashlib
import json
import secrets
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE = ".govkit-secret"
#: GOVKIT_PUBLIC_KINDS by default: every kind the plan has people read — the regulations and the
#: annex bind whoever they concern only once made known to them, and the reflex sheets are for
#: victims, witnesses and decision makers to find without an account.
PUBLIC_KINDS = ("internal", "study", "housing", "equality_annex", "reflex_sheet")


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class Settings(BaseSettings):
    """Every setting of govkit; each reads the environment variable GOVKIT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="GOVKIT_", extra="ignore", frozen=True)

    env: Environment = Environment.DEV
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'govkit.db'}")
    secret_key: str | None = Field(default=None, min_length=32, repr=False)
    token_ttl_hours: float = Field(default=24 * 30, gt=0)
    token_issuer: str = "govkit"
    graphql_max_depth: int = Field(default=10, ge=2, le=50)
    graphql_max_tokens: int = Field(default=2000, ge=50)
    graphql_max_aliases: int = Field(default=30, ge=1)
    # who answers /graphql over HTTP: govkit (its fast path for single JSON operations by POST,
    # strawberry's view for the rest) or strawberry (strawberry's view for every request)
    graphql_http: Literal["govkit", "strawberry"] = "govkit"
    sql_echo: bool = False
    render_workers: int = Field(default=2, ge=0, le=64)  # 0 renders in-process (debugging only)
    render_timeout_seconds: float = Field(default=30.0, gt=0)
    render_memory_mb: int = Field(default=1536, ge=256)
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # an evidence file of a commitment record (a signed charter as PDF: govkit.flows.commitment_evidence)
    commitment_evidence_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # PDF/A renditions (govkit.documents.pdf_conversion): LibreOffice's command, the time one run may
    # take (start plus so much per document of its batch), the documents one run converts at most,
    # and whether publishing a variant defers its conversion (`govkit demo`: one batch for all)
    soffice: str = "soffice"
    pdf_start_seconds: float = Field(default=60.0, gt=0)
    pdf_seconds_per_document: float = Field(default=20.0, gt=0)
    pdf_batch_size: int = Field(default=200, ge=1, le=1000)
    renditions_on_publish: bool = True
    # four eyes (govkit.approvals): a substantive publication of a root template version, a change to the
    # required clauses, a waiver of an error finding need a second legal officer's approval; unset: on in prod
    four_eyes: bool | None = None
    # prefix of every URL govkit gives out (GraphQL, webhooks, e-mails), e.g. https://govkit.imt.fr;
    # empty means relative URLs (`govkit serve` and `govkit demo` then use their own address)
    public_url: str = ""
    # the document kinds served without a token at /public/...: kind keys (reflex_sheet.student_victim)
    # or base kinds (reflex_sheet: every audience); JSON list (govkit.documents.addresses)
    public_kinds: list[str] = Field(default_factory=lambda: list(PUBLIC_KINDS))
    campaign_days: int = Field(default=30, ge=1, le=365)  # time given to acknowledge a new version
    reminder_interval_days: int = Field(default=7, ge=1)
    webhook_urls: list[str] = Field(default_factory=list)  # JSON list in GOVKIT_WEBHOOK_URLS
    webhook_secret: str | None = Field(default=None, repr=False)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_attempts: int = Field(default=3, ge=1, le=10)
    client_data_retention_days: int = Field(default=365, ge=1)  # then IP and user agent are erased
    # personal data (govkit.privacy): a departed person's identity, populations and acknowledgement
    # history, erased this many years after the departure (the internal regulation's figure); the
    # campaign e-mail logs (notices, deliveries, sign-in links) after this many days
    retention_departed_years: int = Field(default=5, ge=1, le=30)
    retention_notice_days: int = Field(default=180, ge=30)
    # minimal exposure (govkit.privacy.exposure): auditors see persons as ``P-`` + a truncated
    # HMAC-SHA256 of their id under this key (GOVKIT_PSEUDONYM_KEY; default: derived from the signing key)
    pseudonym_key: str | None = Field(default=None, min_length=16, repr=False)
    # OpenID Connect: tokens of the schools' single sign-on, matched to a person by a claim
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None  # default: <issuer>/.well-known/jwks.json
    oidc_person_claim: str = "preferred_username"  # holds the person's external id
    oidc_school_claim: str | None = None  # holds the school code, when external ids repeat across schools
    oidc_jwks_cache_seconds: int = Field(default=300, ge=0)
    # the pages' sign-in through the identity provider (authorisation code flow)
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_authorization_endpoint: str | None = None  # default: <issuer>/authorize
    oidc_token_endpoint: str | None = None  # default: <issuer>/token
    # limits
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # JSON requests; uploads get upload_max_bytes
    mutation_rate_per_minute: int = Field(default=30, ge=1)  # acknowledge, uploads, imports, per identity
    # role grants kept between requests by `govkit serve` on PostgreSQL, forgotten when revoked (0: off)
    grant_cache_seconds: float = Field(default=60.0, ge=0)
    cors_origins: list[str] = Field(default_factory=list)  # JSON list of the intranets' origins
    # background jobs (govkit.jobs): procrastinate on PostgreSQL, in-process after commit on SQLite
    jobs_in_process: bool = False  # PostgreSQL too runs jobs in-process (one machine, no `govkit worker`)
    job_retry_base_seconds: float = Field(default=2.0, gt=0)  # back-off: base × 2^attempt ...
    job_retry_max_seconds: float = Field(default=600.0, gt=0)  # ... up to this
    job_poll_seconds: float = Field(default=5.0, gt=0)  # a worker looks for jobs at least this often
    job_heartbeat_seconds: float = Field(default=10.0, gt=0)  # a worker says it is alive this often
    job_stalled_seconds: float = Field(default=60.0, gt=0)  # silent this long: its jobs are retried
    job_stalled_check_cron: str = "* * * * *"  # when workers look for stalled jobs (6th field: seconds)
    worker_concurrency: int = Field(default=2, ge=1, le=64)  # jobs one `govkit worker` runs at once
    job_modules: list[str] = Field(default_factory=list)  # JSON list of extra modules holding tasks
    # e-mail notices (govkit.notifications): without an SMTP host, messages stay in the local outbox
    smtp_host: str = ""  # empty: no SMTP, messages are kept (status "kept", the dev outbox page)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "govkit <noreply@localhost>"
    mail_attempts: int = Field(default=5, ge=1, le=10)  # SMTP attempts of a message before it is failed
    reminder_days: list[int] = Field(default_factory=lambda: [7, 14, 28])  # JSON list: days after the opening
    sign_in_link_days: int = Field(default=14, ge=1, le=60)  # one-click sign-in links in e-mails expire after
    sign_in_link_rate_per_minute: int = Field(default=30, ge=1)  # link sign-ins (POST) per client address
    # who receives each chain checkpoint by e-mail (the data protection officer, the auditors): JSON
    # list of addresses (govkit.checkpoints); none: the checkpoints are only published and downloadable
    checkpoint_recipients: list[str] = Field(default_factory=list)
    # sealing (govkit.proof): govkit's sealing key and certificate, a PKCS#12 file or a PEM pair (in dev
    # without them: the local demo PKI in ./.govkit-pki; in prod without them receipts are not sealed)
    seal_pkcs12: Path | None = None
    seal_pkcs12_password: str | None = Field(default=None, repr=False)
    seal_certificate: Path | None = None
    seal_key: Path | None = None
    seal_key_password: str | None = Field(default=None, repr=False)
    seal_chain: Path | None = None  # PEM of the intermediate (and root) certificates
    # PEM files of the roots whoever verifies a seal trusts (a path, or a JSON list of paths); default:
    # the self-signed certificates of GOVKIT_SEAL_CHAIN, or in dev the demo CA
    seal_trust_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    # trusted time (govkit.proof.trusted_time): an RFC 3161 time-stamping authority over HTTP(S)
    tsa_url: str | None = None
    tsa_username: str | None = None
    tsa_password: str | None = Field(default=None, repr=False)
    tsa_timeout_seconds: float = Field(default=10.0, gt=0)
    tsa_trust_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)  # like seal_trust_roots
    # sealed PDF receipts (govkit.proof.receipt_pdf): the TrueType font they embed (default: Liberation
    # Sans or DejaVu Sans, searched), and how many the sealing job seals per run
    receipt_font: Path | None = None
    seal_batch_size: int = Field(default=200, ge=1, le=5000)

    @field_validator("seal_trust_roots", "tsa_trust_roots", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        """A path, or a JSON list of paths."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [text] if text else []
        return value

    @model_validator(mode="after")
    def _stalled_after_heartbeats(self) -> Settings:
        if self.job_stalled_seconds < 2 * self.job_heartbeat_seconds:
            raise ValueError("GOVKIT_JOB_STALLED_SECONDS must be at least twice GOVKIT_JOB_HEARTBEAT_SECONDS")
        return self

    @model_validator(mode="after")
    def _reminder_days(self) -> Settings:
        days = self.reminder_days
        if len(days) > 10 or any(d < 1 for d in days) or any(a >= b for a, b in pairwise(days)):
            raise ValueError("GOVKIT_REMINDER_DAYS: at most 10 positive days, in ascending order (e.g. [7, 14, 28])")
        return self

    @model_validator(mode="after")
    def _prod_needs_secret(self) -> Settings:
        if self.env is Environment.PROD and not self.secret_key:
            raise ValueError("GOVKIT_SECRET_KEY must be set (32 characters or more) when GOVKIT_ENV=prod")
        return self

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV

    def pseudonym_secret(self) -> str:
        """The key of the persons' pseudonyms: GOVKIT_PSEUDONYM_KEY, or one derived from the signing key."""
        if self.pseudonym_key:
            return self.pseudonym_key
        return hashlib.sha256(b"govkit pseudonyms\0" + self.signing_key().encode()).hexdigest()

    def signing_key(self) -> str:
        """The token signing key: GOVKIT_SECRET_KEY, or in dev a key kept in .govkit-secret."""
        if self.secret_key:
            return self.secret_key
        return _dev_secret(Path.cwd() / SECRET_FILE)


@lru_cache(maxsize=8)
def _dev_secret(path: Path) -> str:
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
