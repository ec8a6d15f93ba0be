"""Who may do what: one table, deny by default, decided in the service layer."""

from __future__ import annotations

from enum import StrEnum

from govkit.access.roles import Principal, Role
from govkit.errors import Forbidden, NotAuthenticated
from govkit.personal_data import PERSONS_READ_SCOPE, Exposure


class Action(StrEnum):
    READ_DIRECTORY = "organisation.read_directory"  # codes, names, types, campuses
    READ_PROFILE = "organisation.read_profile"
    READ_COMMITMENTS = "organisation.read_commitments"
    UPDATE_PROFILE = "organisation.update_profile"
    RECORD_COMMITMENT = "organisation.record_commitment"
    JOIN_ARRANGEMENT = "organisation.join_arrangement"  # join or opt out of a group arrangement
    # a commitment's records with who recorded them and their evidence files (a signed charter...)
    READ_COMMITMENT_RECORDS = "organisation.read_commitment_records"
    READ_KINDS = "documents.read_kinds"
    READ_ROOT_TEMPLATES = "documents.read_root_templates"
    UPLOAD_ROOT_TEMPLATE = "documents.upload_root_template"
    PUBLISH_ROOT_TEMPLATE = "documents.publish_root_template"
    RENDER_VARIANTS = "documents.render_variants"
    READ_VARIANTS = "documents.read_variants"
    PUBLISH_VARIANT = "documents.publish_variant"
    READ_PUBLISHED = "documents.read_published"
    ACKNOWLEDGE = "acknowledgements.acknowledge"
    RECORD_PAPER = "acknowledgements.record_paper_acknowledgement"
    READ_ME = "acknowledgements.read_own"
    READ_CAMPAIGNS = "acknowledgements.read_campaigns"
    READ_RECEIPTS = "acknowledgements.read_receipts"
    IMPORT_PERSONS = "acknowledgements.import_persons"
    VERIFY = "acknowledgements.verify"
    RUN_RULES = "rules.run"
    READ_FINDINGS = "rules.read_findings"
    GRANT_WAIVER = "rules.grant_waiver"
    READ_BAROMETER = "rules.read_barometer"
    RECORD_TRAINING = "rules.record_training_coverage"  # training and survey records
    READ_TRAINING = "rules.read_training"  # training and survey records
    READ_RULE_PARAMETERS = "rules.read_parameters"  # the rules' thresholds, deadlines, their sources and history
    SET_RULE_PARAMETER = "rules.set_parameter"  # a new value of a rule's parameter from a date (legal staff)
    READ_AUDIT = "audit.read"
    READ_TOKENS = "auth.read_tokens"
    REVOKE_TOKEN = "auth.revoke_token"
    READ_JOBS = "jobs.read"  # the background jobs: queued, running, failed and why
    EXPORT_EVIDENCE = "evidence.export"  # a person's evidence file on a date (disciplinary boards)
    READ_NOTICES = "notifications.read_notices"  # the e-mail notices of a school: counts, failures, SMTP answers
    SET_NOTICE_SCHEDULE = "notifications.set_schedule"  # a school's reminder days
    READ_NOTICE_TEMPLATES = "notifications.read_templates"  # the notices' templates, in both languages
    READ_OUTBOX = "notifications.read_outbox"  # the local outbox (dev: no SMTP server)
    MAKE_CHECKPOINT = "audit.make_checkpoint"  # a signed checkpoint of the acknowledgement chain, now
    READ_CHECKPOINTS = "audit.read_checkpoints"  # the checkpoints made, and to whom each was e-mailed
    DECIDE_APPROVAL = "approvals.decide"  # approve or refuse another officer's request (four eyes)
    READ_APPROVALS = "approvals.read"  # the requests for approval, pending and decided
    READ_CLAUSE_LIBRARY = "documents.read_clause_library"  # the clauses, their titles and required clauses over time
    EDIT_CLAUSE_LIBRARY = "documents.edit_clause_library"  # add or rename a clause, change the required clauses
    READ_PROVISIONS = "provisions.read"  # a school's local provisions, their revisions and decisions
    PROPOSE_PROVISION = "provisions.propose"  # a school's own text at a provision place (its administration)
    REVIEW_PROVISION = "provisions.review"  # approve a proposed provision, or send it back (legal staff)
    # each person's own data (GDPR art. 15, 16, 20; issue 20 part 4)
    READ_OWN_DATA = "privacy.read_own_data"  # everything govkit holds about oneself, and one's correction requests
    REQUEST_CORRECTION = "privacy.request_correction"  # ask one's school to correct one's data (art. 16)
    READ_CORRECTIONS = "privacy.read_corrections"  # the correction requests of a school, with who asked
    DECIDE_CORRECTION = "privacy.decide_correction"  # correction done (with a note) or refused (with a reason)
    # issue 20, part 3: suspend (and release) the erasure of named persons during a case, and list the holds
    PLACE_LEGAL_HOLD = "privacy.place_legal_hold"
    # persons' names, e-mails and external ids (govkit.privacy.exposure; person_data_exposure below)
    READ_PERSON_DATA = "persons.read_personal_data"


class Scope(StrEnum):
    ANYWHERE = "anywhere"
    OWN_ORGANISATION = "own_organisation"


PUBLIC_ACTIONS = frozenset({Action.READ_DIRECTORY, Action.READ_KINDS, Action.VERIFY})

#: All an anonymous caller is told when they ask for anything but a public action.
AUTHENTICATION_REQUIRED = (
    "Authentication required: send 'Authorization: Bearer <token>' "
    "(an administrator creates one with `govkit token create`)."
)

_A, _O = Scope.ANYWHERE, Scope.OWN_ORGANISATION

#: For each action, the roles allowed and where. Anything absent is refused.
POLICY: dict[Action, dict[Role, Scope]] = {
    Action.READ_DIRECTORY: dict.fromkeys(Role, _A),
    Action.READ_PROFILE: {
        Role.LEGAL: _A,
        Role.AUDITOR: _A,
        Role.SCHOOL_ADMIN: _O,
        Role.INTRANET: _O,
        Role.MEMBER: _O,
    },
    Action.READ_COMMITMENTS: {
        Role.LEGAL: _A,
        Role.AUDITOR: _A,
        Role.SCHOOL_ADMIN: _O,
        Role.INTRANET: _O,
        Role.MEMBER: _O,
    },
    Action.UPDATE_PROFILE: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.RECORD_COMMITMENT: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    # a school joins (or leaves) a group arrangement by agreement: legal staff, or its administration
    Action.JOIN_ARRANGEMENT: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    # the records' history (who, when) and evidence files: those who keep them, and auditors
    Action.READ_COMMITMENT_RECORDS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O},
    Action.READ_KINDS: dict.fromkeys(Role, _A),
    # root templates are the group's: every school's administration reads them
    Action.READ_ROOT_TEMPLATES: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _A},
    Action.UPLOAD_ROOT_TEMPLATE: {Role.LEGAL: _A},
    Action.PUBLISH_ROOT_TEMPLATE: {Role.LEGAL: _A},
    Action.RENDER_VARIANTS: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.READ_VARIANTS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O},
    Action.PUBLISH_VARIANT: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.READ_PUBLISHED: {
        Role.LEGAL: _A,
        Role.AUDITOR: _A,
        Role.SCHOOL_ADMIN: _O,
        Role.INTRANET: _O,
        Role.MEMBER: _O,
    },
    # a member acknowledges for themself only: the service also checks the person
    Action.ACKNOWLEDGE: {Role.MEMBER: _O},
    Action.READ_ME: {Role.MEMBER: _O},
    Action.RECORD_PAPER: {Role.SCHOOL_ADMIN: _O},
    Action.READ_CAMPAIGNS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O, Role.INTRANET: _O},
    # receipts of others: a member reads their own (checked in the service)
    Action.READ_RECEIPTS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O, Role.MEMBER: _O},
    Action.IMPORT_PERSONS: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.VERIFY: dict.fromkeys(Role, _A),
    Action.RUN_RULES: {Role.LEGAL: _A},
    Action.READ_FINDINGS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O, Role.INTRANET: _O},
    Action.GRANT_WAIVER: {Role.LEGAL: _A},
    # every school's figures for legal staff and auditors; one's own school beside the group otherwise
    Action.READ_BAROMETER: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O, Role.INTRANET: _O},
    Action.RECORD_TRAINING: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    # training and survey records are read where findings are
    Action.READ_TRAINING: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O, Role.INTRANET: _O},
    # the rules are the group's: whoever reads findings reads what they measure against
    Action.READ_RULE_PARAMETERS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _A, Role.INTRANET: _A},
    Action.SET_RULE_PARAMETER: {Role.LEGAL: _A},
    Action.READ_AUDIT: {Role.LEGAL: _A, Role.AUDITOR: _A},
    # who holds which token: legal staff alone (auditors read revocations in the audit log)
    Action.READ_TOKENS: {Role.LEGAL: _A},
    Action.REVOKE_TOKEN: {Role.LEGAL: _A},
    # background jobs name schools and documents of the whole group: legal staff (head office)
    Action.READ_JOBS: {Role.LEGAL: _A},
    # a person's evidence file (versions in force, acknowledgements, chain proof): legal staff, and the
    # administration of the person's own school; every export is written to the audit log
    Action.EXPORT_EVIDENCE: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    # the notices name persons and their addresses: legal staff, and the school's own administration
    Action.READ_NOTICES: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.SET_NOTICE_SCHEDULE: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.READ_NOTICE_TEMPLATES: {Role.LEGAL: _A},
    Action.READ_OUTBOX: {Role.LEGAL: _A},
    # checkpoints anchor the chain outside govkit: legal staff and auditors make one on demand and
    # see to whom each went (the files themselves are public: hashes, counts and times only)
    Action.MAKE_CHECKPOINT: {Role.LEGAL: _A, Role.AUDITOR: _A},
    Action.READ_CHECKPOINTS: {Role.LEGAL: _A, Role.AUDITOR: _A},
    # four eyes: a second legal officer decides; auditors read who asked and who decided
    Action.DECIDE_APPROVAL: {Role.LEGAL: _A},
    Action.READ_APPROVALS: {Role.LEGAL: _A, Role.AUDITOR: _A},
    # the clause library is the group's: whoever reads the root templates reads it; legal staff change it
    Action.READ_CLAUSE_LIBRARY: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _A},
    Action.EDIT_CLAUSE_LIBRARY: {Role.LEGAL: _A},
    # local provisions: the school's administration proposes its own text, legal staff decide
    Action.READ_PROVISIONS: {Role.LEGAL: _A, Role.AUDITOR: _A, Role.SCHOOL_ADMIN: _O},
    Action.PROPOSE_PROVISION: {Role.SCHOOL_ADMIN: _O},
    Action.REVIEW_PROVISION: {Role.LEGAL: _A},
    # one's own data: the member alone (the services also check the person); corrections reach the
    # administration of the person's school, which decides; legal staff read every school's requests
    Action.READ_OWN_DATA: {Role.MEMBER: _O},
    Action.REQUEST_CORRECTION: {Role.MEMBER: _O},
    Action.READ_CORRECTIONS: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O},
    Action.DECIDE_CORRECTION: {Role.SCHOOL_ADMIN: _O},
    # legal holds: legal staff only (a case's reasons are theirs)
    Action.PLACE_LEGAL_HOLD: {Role.LEGAL: _A},
    # minimal exposure: intranets see documents, counts and rates, and persons only with the scope
    # persons:read (REQUIRED_SCOPES); auditors see pseudonyms (person_data_exposure); a member themself
    Action.READ_PERSON_DATA: {Role.LEGAL: _A, Role.SCHOOL_ADMIN: _O, Role.INTRANET: _O, Role.MEMBER: _O},
}

#: Actions a role may perform only with a named scope granted to its token (``govkit token create --scope``).
REQUIRED_SCOPES: dict[tuple[Action, Role], str] = {
    (Action.READ_PERSON_DATA, Role.INTRANET): PERSONS_READ_SCOPE,
}


def is_allowed(actor: Principal, action: Action, *, organisation_id: int | None = None) -> bool:
    if action in PUBLIC_ACTIONS:
        return True
    if actor.role is None:
        return False
    scope = POLICY.get(action, {}).get(actor.role)
    if scope is None:
        return False
    needed = REQUIRED_SCOPES.get((action, actor.role))
    if needed is not None and needed not in actor.scopes:
        return False
    if scope is Scope.ANYWHERE:
        return True
    return organisation_id is not None and organisation_id == actor.organisation_id


def authorize(actor: Principal, action: Action, *, organisation_id: int | None = None) -> None:
    """Raise unless ``actor`` may perform ``action`` (on ``organisation_id`` when scoped)."""
    if is_allowed(actor, action, organisation_id=organisation_id):
        return
    if actor.role is None:
        raise NotAuthenticated(AUTHENTICATION_REQUIRED, key="authenticate")
    where = f" of organisation {actor.organisation_code}" if actor.organisation_code else ""
    raise Forbidden(
        f"Role {actor.role.value}{where} may not {action.value.split('.')[1].replace('_', ' ')} here.",
        key="forbidden",
        params={"role": actor.role.value, "school": actor.organisation_code or ""},
    )


def person_data_exposure(actor: Principal, *, organisation_id: int, person_id: int) -> Exposure:
    """What ``actor`` is shown of the personal fields of person ``person_id`` of ``organisation_id``:
    the values, a pseudonym (auditors), or nothing (govkit.privacy.exposure)."""
    if actor.role is Role.AUDITOR:
        return Exposure.PSEUDONYM
    if not is_allowed(actor, Action.READ_PERSON_DATA, organisation_id=organisation_id):
        return Exposure.WITHHELD
    if actor.role is Role.MEMBER and actor.person_id != person_id:
        return Exposure.WITHHELD
    return Exposure.FULL
