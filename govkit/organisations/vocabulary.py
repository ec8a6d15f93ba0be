"""Closed vocabularies of the organisations domain (see DESIGN.md glossary)."""

from __future__ import annotations

from enum import StrEnum

from govkit.timeline import Precision


class OrganisationType(StrEnum):
    GROUP = "group"
    HEAD_OFFICE = "head_office"
    SCHOOL = "school"


class CommitmentType(StrEnum):
    """What an organisation commits to under the action plan (Axe 1, 3, 4, 5)."""

    EQUALITY_CHARTER = "equality_charter"  # charte égalité FH dans l'ESR
    EQUALITY_REFERENT = "equality_referent"  # référent égalité
    VSS_ACTION_PLAN = "vss_action_plan"  # plan d'action VSS
    INTRANET_VSS_SECTION = "intranet_vss_section"  # rubrique VSS intranet
    PUBLIC_EQUALITY_SECTION = "public_equality_section"  # rubrique égalité FH internet
    LISTENING_CELL = "listening_cell"  # cellule d'écoute
    REPORTING_CHANNEL = "reporting_channel"  # dispositif de recueil des signalements
    REPORTING_PLATFORM = "reporting_platform"  # plateforme de signalement (anonymity is the profile's property)
    NETWORK_MEMBERSHIP = "network_membership"  # CPED, réseau des référents
    COMMUNICATION_PLAN = "communication_plan"  # VSS dans le plan de communication
    VSS_PROTOCOL = "vss_protocol"  # protocole de gestion / enquête interne
    REGULATION_VSS_AMENDMENT = "regulation_vss_amendment"  # règlement toiletté pour les VSS
    VSS_SURVEY = "vss_survey"  # enquête VSS (Axe 5)
    OTHER_CHARTER = "other_charter"  # autres chartes et engagements
    REFERENT_MEETING = "referent_meeting"  # une réunion du réseau des référents égalité (une par enregistrement)


class CommitmentStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    IN_PLACE = "in_place"
    LAPSED = "lapsed"


#: How precisely a date is known (day, month, year, academic year): the time model's own.
DatePrecision = Precision


class ResidenceManager(StrEnum):
    """Who runs a student residence (MAISEL, maison des élèves)."""

    SCHOOL = "school"
    ALUMNI_ASSOCIATION = "alumni_association"
    STUDENT_ASSOCIATION = "student_association"
    CROUS = "crous"
    PRIVATE = "private"
    OTHER = "other"


class ListeningCellKind(StrEnum):
    INTERNAL = "internal"  # run by the school's own trained staff
    EXTERNAL = "external"  # a partner (association, cabinet, other institution)
    SHARED = "shared"  # pooled with other institutions
    MIXED = "mixed"


class ReportingChannelKind(StrEnum):
    PLATFORM = "platform"
    EMAIL = "email"
    IN_PERSON = "in_person"
    FORM = "form"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class ArrangementHow(StrEnum):
    """How an obligation is met (« dispositif propre, mutualisé, de groupe, prestataire »)."""

    OWN = "own"  # the organisation's own arrangement
    SHARED = "shared"  # one record shared with named schools, one capacity
    GROUP = "group"  # the head office's arrangement, joined by agreement (opt-out possible)
    EXTERNAL = "external"  # an external provider under a convention


class MemberRole(StrEnum):
    MEMBER = "member"
    OPTED_OUT = "opted_out"
