"""Every table, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import (
    Acknowledgement,
    Campaign,
    CampaignPopulation,
    ChainHead,
    DocumentDelivery,
    Person,
    PersonPopulation,
    WebhookDelivery,
)
from govkit.acknowledgements.seal_models import SealedReceipt
from govkit.approvals.models import Approval
from govkit.auth.models import Identity, RoleGrant, SignInLink
from govkit.checkpoints.models import ChainCheckpoint, CheckpointSending
from govkit.demo.models import DatasetLoad
from govkit.documents.clause_index import IndexedClause
from govkit.documents.clause_models import ClauseDefinition, ClauseDefinitionRevision, RequiredClause
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.provision_models import LocalProvision, LocalProvisionRevision
from govkit.documents.rendition_models import DocumentRendition
from govkit.documents.review_models import TrackedChangeReview
from govkit.flows.review_models import PublicationReview, ReviewSchool
from govkit.jobs.models import InProcessJob, JobFailure
from govkit.notifications.models import NoticeMessage, NoticeSchedule
from govkit.organisations.models import (
    ArrangementMember,
    Campus,
    Commitment,
    CommitmentEvidence,
    Organisation,
    ProfileRevision,
)
from govkit.privacy.correction_models import CorrectionRequest
from govkit.privacy.hold_models import LegalHold
from govkit.privacy.read_models import PersonRead
from govkit.rules.models import FindingRecord, RuleRun, Waiver
from govkit.rules.parameter_records import RuleParameterValue
from govkit.rules.records import Survey, TrainingRecord

metadata = SQLModel.metadata

__all__ = [
    "Acknowledgement",
    "Approval",
    "ArrangementMember",
    "AuditEvent",
    "Blob",
    "Campaign",
    "CampaignPopulation",
    "Campus",
    "ChainCheckpoint",
    "ChainHead",
    "CheckpointSending",
    "ClauseDefinition",
    "ClauseDefinitionRevision",
    "Commitment",
    "CommitmentEvidence",
    "CorrectionRequest",
    "DatasetLoad",
    "DocumentDelivery",
    "DocumentRendition",
    "DocumentVersion",
    "FindingRecord",
    "Identity",
    "InProcessJob",
    "IndexedClause",
    "JobFailure",
    "LegalHold",
    "LocalProvision",
    "LocalProvisionRevision",
    "NoticeMessage",
    "NoticeSchedule",
    "Organisation",
    "Person",
    "PersonPopulation",
    "PersonRead",
    "ProfileRevision",
    "PublicationReview",
    "RequiredClause",
    "ReviewSchool",
    "RoleGrant",
    "RootTemplate",
    "RootTemplateVersion",
    "RuleParameterValue",
    "RuleRun",
    "SealedReceipt",
    "SignInLink",
    "Survey",
    "TrackedChangeReview",
    "TrainingRecord",
    "Variant",
    "Waiver",
    "WebhookDelivery",
    "metadata",
]
