"""Every table, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import (
    Acknowledgement,
    Campaign,
    CampaignPopulation,
    ChainHead,
    Person,
    PersonPopulation,
    WebhookDelivery,
)
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.auth.models import Identity, RoleGrant, SignInLink
from govkit.checkpoints.models import ChainCheckpoint, CheckpointSending
from govkit.demo.models import DatasetLoad
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.rendition_models import DocumentRendition
from govkit.jobs.models import InProcessJob, JobFailure
from govkit.notifications.models import NoticeMessage, NoticeSchedule
from govkit.organisations.models import ArrangementMember, Campus, Commitment, Organisation, ProfileRevision
from govkit.rules.models import FindingRecord, RuleRun, Waiver
from govkit.rules.parameter_records import RuleParameterValue
from govkit.rules.records import Survey, TrainingRecord

metadata = SQLModel.metadata

__all__ = [
    "Acknowledgement",
    "ArrangementMember",
    "AuditEvent",
    "Blob",
    "Campaign",
    "CampaignPopulation",
    "Campus",
    "ChainCheckpoint",
    "ChainHead",
    "CheckpointSending",
    "Commitment",
    "DatasetLoad",
    "DocumentRendition",
    "DocumentVersion",
    "FindingRecord",
    "Identity",
    "InProcessJob",
    "JobFailure",
    "NoticeMessage",
    "NoticeSchedule",
    "Organisation",
    "Person",
    "PersonPopulation",
    "ProfileRevision",
    "RoleGrant",
    "RootTemplate",
    "RootTemplateVersion",
    "RuleParameterValue",
    "RuleRun",
    "SealedReceipt",
    "SignInLink",
    "Survey",
    "TrainingRecord",
    "Variant",
    "Waiver",
    "WebhookDelivery",
    "metadata",
]
