"""What the register of processing says of each category of personal data (GDPR art. 30): its
purpose, legal basis, recipients, retention and where it is erased, in French and English.

The recipients are read from the authorisation table (govkit.access.policy.POLICY: the roles allowed
the actions that show the category), the retention periods from the settings' defaults
(govkit.settings.Settings), the columns from the models' declarations (govkit.privacy.register):
the register follows the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from govkit.access.policy import POLICY, REQUIRED_SCOPES, Action, Scope
from govkit.access.roles import PERSON_SCOPED, Role
from govkit.privacy.declarations import Category
from govkit.settings import Settings

__all__ = ["CATEGORIES", "ERASURE", "Description", "Recipient", "Retention", "Text", "describe", "recipients"]


@dataclass(frozen=True)
class Text:
    """A text in French and English."""

    fr: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.fr


@dataclass(frozen=True)
class Retention:
    """How long a category is kept: ``setting`` names the setting (GOVKIT_<SETTING>) whose default
    is read from govkit.settings; None: kept as long as the record it belongs to (``text`` says so)."""

    text: Text
    setting: str | None = None
    unit: str | None = None  # "days" or "years"

    @property
    def default(self) -> int | None:
        if self.setting is None:
            return None
        value = Settings.model_fields[self.setting].default
        return int(value)


@dataclass(frozen=True)
class Recipient:
    """A role that sees the category, and where (its own school, or every school)."""

    role: Role
    scope: Scope
    #: the named scope its token needs to be granted (``govkit token create --scope``), if any
    needs_scope: str | None = None


@dataclass(frozen=True)
class Description:
    category: Category
    title: Text
    purpose: Text
    legal_basis: Text
    #: the actions (govkit.access.policy) whose results show the category; recipients come from them
    actions: tuple[Action, ...]
    retention: Retention
    #: where the category is erased: dotted names of the functions (and jobs, commands) that do it
    erased_by: tuple[str, ...]
    #: what the recipients read from the policy do not say (the member's own data, technical staff…)
    recipients_note: Text


#: The functions, jobs and commands that erase personal data. The retention job and the erasure of
#: one person live in govkit.flows.retention (job ``retention.run``, ``govkit privacy retention``).
ERASE_ACK_CLIENT = "govkit.acknowledgements.privacy.erase_client_data"
ERASE_LINK_CLIENT = "govkit.auth.sign_in_links.erase_client_data"
ERASE_ACK_PERSONAL = "govkit.acknowledgements.privacy.erase_personal_data"
RUN_RETENTION = "govkit.flows.retention.run_retention"
ERASE_PERSON = "govkit.flows.retention.erase_person"
CLIENT_JOB = "job reminders.erase_client_data"
RETENTION_JOB = "job retention.run"
RETENTION_COMMAND = "govkit privacy retention"
ERASURE = (
    ERASE_ACK_CLIENT,
    ERASE_LINK_CLIENT,
    ERASE_ACK_PERSONAL,
    RUN_RETENTION,
    ERASE_PERSON,
    CLIENT_JOB,
    RETENTION_JOB,
    RETENTION_COMMAND,
)
_DEPARTED = (RUN_RETENTION, ERASE_PERSON, RETENTION_JOB, RETENTION_COMMAND)

_PUBLIC_TASK = Text(
    fr="Art. 6(1)(e) RGPD, mission d'intérêt public : le plan de prévention et de lutte contre les violences "
    "sexistes et sexuelles des écoles (plan national de l'enseignement supérieur et de la recherche), qui "
    "impose d'informer chaque étudiant et chaque agent du règlement intérieur et des dispositifs de "
    "signalement ; pour les agents, art. 6(1)(c), obligation légale de l'employeur public de mettre en place "
    "un dispositif de signalement (code général de la fonction publique, art. L. 135-6 ; décret n° 2020-256).",
    en="GDPR art. 6(1)(e), task carried out in the public interest: the schools' plan to prevent and fight "
    "sexual and sexist violence (national plan for higher education and research), which requires informing "
    "every student and staff member of the internal regulation and the reporting procedures; for staff, "
    "art. 6(1)(c), the public employer's legal obligation to provide a reporting procedure (Code général de "
    "la fonction publique, art. L. 135-6; decree no. 2020-256).",
)
_ACCOUNTABILITY = Text(
    fr="Art. 6(1)(c) RGPD, obligation légale : responsabilité et sécurité du traitement (art. 5(2) et 32 RGPD).",
    en="GDPR art. 6(1)(c), legal obligation: accountability and security of processing (GDPR art. 5(2) and 32).",
)
_DEPARTED_RETENTION = Text(
    fr="Tant que la personne est inscrite ou en poste, puis {n} ans après son départ : le traitement de "
    "conservation efface alors ces données (sauf gel pour un contentieux).",
    en="While the person studies or works at the school, then {n} years after their departure: the retention "
    "job then erases these data (unless a legal hold suspends it).",
)
_NOBODY_ELSE = Text(
    fr="La personne elle-même voit ses propres données sur sa page (« Mes documents »).",
    en="The person themself sees their own data on their page (“My documents”).",
)
_PSEUDONYMS = Text(
    fr="La personne elle-même voit ses propres données sur sa page (« Mes documents »). Les auditeurs voient "
    "un pseudonyme stable (« P-… ») à la place ; un intranet ne les voit qu'avec la portée nommée "
    "persons:read ; chaque consultation par un agent est journalisée et visible de la personne.",
    en="The person themself sees their own data on their page (“My documents”). Auditors see a stable "
    "pseudonym (“P-…”) instead; an intranet sees them only with the named scope persons:read; every read by "
    "staff is logged and shown to the person.",
)

CATEGORIES: dict[Category, Description] = {
    Category.IDENTITY: Description(
        Category.IDENTITY,
        Text(fr="Identité", en="Identity"),
        Text(
            fr="Savoir qui doit prendre connaissance de quels documents et qui l'a fait : nom, prénom et "
            "identifiant de l'école, importés de l'annuaire de l'école.",
            en="Knowing who must acknowledge which documents and who did: given and family names and the "
            "school's identifier, imported from the school's directory.",
        ),
        _PUBLIC_TASK,
        (Action.IMPORT_PERSONS, Action.READ_PERSON_DATA),
        Retention(_DEPARTED_RETENTION, "retention_departed_years", "years"),
        _DEPARTED,
        _PSEUDONYMS,
    ),
    Category.CONTACT: Description(
        Category.CONTACT,
        Text(fr="Coordonnées", en="Contact details"),
        Text(
            fr="Envoyer les avis de campagne et les liens de connexion : adresse électronique et langue préférée.",
            en="Sending campaign notices and sign-in links: e-mail address and preferred language.",
        ),
        _PUBLIC_TASK,
        (Action.IMPORT_PERSONS, Action.READ_PERSON_DATA, Action.READ_NOTICES),
        Retention(_DEPARTED_RETENTION, "retention_departed_years", "years"),
        _DEPARTED,
        _PSEUDONYMS,
    ),
    Category.MEMBERSHIP: Description(
        Category.MEMBERSHIP,
        Text(fr="Appartenance", en="Membership"),
        Text(
            fr="Savoir quels documents concernent la personne : populations (étudiant, agent, résident…) et "
            "leurs périodes, statut, dates d'arrivée et de départ, résidence.",
            en="Knowing which documents concern the person: populations (student, staff, resident…) and their "
            "periods, status, entry and departure dates, residence.",
        ),
        _PUBLIC_TASK,
        (Action.IMPORT_PERSONS, Action.READ_CAMPAIGNS, Action.EXPORT_EVIDENCE, Action.READ_ME),
        Retention(_DEPARTED_RETENTION, "retention_departed_years", "years"),
        _DEPARTED,
        _NOBODY_ELSE,
    ),
    Category.ACKNOWLEDGEMENT: Description(
        Category.ACKNOWLEDGEMENT,
        Text(fr="Prises de connaissance", en="Acknowledgements"),
        Text(
            fr="Prouver qu'une personne a pris connaissance d'une version d'un document (texte accepté, motif "
            "d'un visa papier, reçu PDF scellé), par exemple devant une instance disciplinaire.",
            en="Proving that a person acknowledged a version of a document (the wording accepted, the reason "
            "of a paper visa, the sealed PDF receipt), e.g. before a disciplinary board.",
        ),
        _PUBLIC_TASK,
        (Action.READ_RECEIPTS, Action.EXPORT_EVIDENCE, Action.READ_CAMPAIGNS, Action.READ_ME),
        Retention(
            Text(
                fr="{n} ans après le départ de la personne, le texte, le motif, l'auteur et le sel de "
                "l'enregistrement sont effacés et son reçu scellé supprimé ; l'enregistrement chaîné (version, "
                "date, empreintes salées) reste comme preuve et ne désigne plus personne : la chaîne se vérifie "
                "toujours.",
                en="{n} years after the person's departure, the record's wording, reason, author and salt are "
                "erased and its sealed receipt deleted; the chained record (version, date, salted digests) stays "
                "as evidence and names no one any more: the chain still verifies.",
            ),
            "retention_departed_years",
            "years",
        ),
        (ERASE_ACK_PERSONAL, *_DEPARTED),
        _NOBODY_ELSE,
    ),
    Category.CLIENT: Description(
        Category.CLIENT,
        Text(fr="Données de connexion", en="Client data"),
        Text(
            fr="Adresse IP et navigateur d'une prise de connaissance, d'un lien de connexion utilisé ou d'une "
            "action journalisée : sécurité et preuve en cas de contestation.",
            en="IP address and user agent of an acknowledgement, of a sign-in link used or of an audited "
            "action: security, and evidence if it is disputed.",
        ),
        _ACCOUNTABILITY,
        (Action.EXPORT_EVIDENCE, Action.READ_AUDIT),
        Retention(
            Text(
                fr="{n} jours, puis effacées : chaque jour par la tâche d'effacement des données de connexion pour "
                "les prises de connaissance et les liens de connexion, par le traitement de conservation pour le "
                "journal d'audit.",
                en="{n} days, then erased: daily by the client data erasure job for acknowledgements and sign-in "
                "links, by the retention job for the audit log.",
            ),
            "client_data_retention_days",
            "days",
        ),
        (ERASE_ACK_CLIENT, ERASE_LINK_CLIENT, CLIENT_JOB, RUN_RETENTION),
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
    Category.SIGN_IN: Description(
        Category.SIGN_IN,
        Text(fr="Connexion", en="Sign-in"),
        Text(
            fr="Authentifier : identités (sujet du fournisseur d'identité, nom affiché), rôles accordés, "
            "utilisation des liens de connexion (seule l'empreinte du jeton est gardée).",
            en="Authentication: identities (identity provider subject, display name), roles granted, use of "
            "sign-in links (only the token's digest is kept).",
        ),
        Text(
            fr="Art. 6(1)(e) RGPD (mission d'intérêt public) et art. 32 RGPD (sécurité).",
            en="GDPR art. 6(1)(e) (public task) and art. 32 (security).",
        ),
        (Action.READ_TOKENS, Action.READ_AUDIT),
        Retention(
            Text(
                fr="Tant que l'accès est accordé ; l'identité d'une personne partie est effacée avec ses données "
                "{n} ans après son départ.",
                en="While access is granted; a departed person's identity is erased with their data {n} years "
                "after their departure.",
            ),
            "retention_departed_years",
            "years",
        ),
        (ERASE_LINK_CLIENT, *_DEPARTED),
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
    Category.NOTICE: Description(
        Category.NOTICE,
        Text(fr="Avis électroniques", en="E-mail notices"),
        Text(
            fr="Suivre l'envoi des avis d'ouverture, des relances et des remises de documents : destinataire, "
            "objet, corps, réponse du serveur de messagerie, dates.",
            en="Following the sending of opening notices, reminders and document deliveries: recipient, "
            "subject, body, the mail server's answer, dates.",
        ),
        _PUBLIC_TASK,
        (Action.READ_NOTICES, Action.READ_OUTBOX),
        Retention(
            Text(
                fr="{n} jours après l'envoi, puis effacés par le traitement de conservation.",
                en="{n} days after sending, then erased by the retention job.",
            ),
            "retention_notice_days",
            "days",
        ),
        (RUN_RETENTION, RETENTION_JOB, RETENTION_COMMAND, ERASE_PERSON),
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
    Category.ACTOR: Description(
        Category.ACTOR,
        Text(fr="Auteurs des actes", en="Actors"),
        Text(
            fr="Savoir quel agent a enregistré, approuvé ou décidé quoi (colonnes « *_by ») : responsabilité "
            "des actes de gestion.",
            en="Knowing which staff member recorded, approved or decided what (``*_by`` columns): accountability "
            "for management acts.",
        ),
        _ACCOUNTABILITY,
        (Action.READ_COMMITMENT_RECORDS, Action.READ_APPROVALS, Action.READ_PROVISIONS, Action.READ_AUDIT),
        Retention(
            Text(
                fr="Aussi longtemps que l'enregistrement dont l'agent est l'auteur (preuve de gestion) ; sur une "
                "prise de connaissance, effacé avec elle.",
                en="As long as the record the staff member made (evidence of management); on an acknowledgement, "
                "erased with it.",
            ),
        ),
        (ERASE_ACK_PERSONAL,),
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
    Category.AUDIT: Description(
        Category.AUDIT,
        Text(fr="Journal d'audit", en="Audit log"),
        Text(
            fr="Tracer chaque modification, chaque refus et chaque lecture de données personnelles : qui "
            "(sujet de connexion), quoi, quand ; les personnes concernées n'y figurent que par identifiant.",
            en="Tracing every change, every refusal and every read of personal data: who (sign-in subject), "
            "what, when; the persons concerned appear only by id.",
        ),
        _ACCOUNTABILITY,
        (Action.READ_AUDIT,),
        Retention(
            Text(
                fr="Aussi longtemps que le journal (ajout seul) : l'auteur y figure par son sujet de connexion, "
                "remplacé par un identifiant sans lien avec l'annuaire de l'école quand ses données sont effacées "
                "en application de la règle de conservation des personnes parties ; les personnes concernées n'y "
                "figurent que par identifiant, qui ne désigne plus personne une fois leur identité effacée.",
                en="As long as the log (append-only): the caller appears by their sign-in subject, replaced by "
                "an identifier the school's directory cannot link back when their data are erased under the "
                "departed persons' retention rule; the persons concerned appear by id only, which names no one "
                "once their identity is erased.",
            ),
        ),
        _DEPARTED,
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
    Category.READ_LOG: Description(
        Category.READ_LOG,
        Text(fr="Consultations", en="Reads"),
        Text(
            fr="Savoir quel agent a consulté les données personnelles d'une personne, et quand ; la personne "
            "peut le voir.",
            en="Knowing which staff member read a person's personal data, and when; the person can see it.",
        ),
        _ACCOUNTABILITY,
        (Action.READ_AUDIT, Action.READ_ME),
        Retention(
            Text(
                fr="Aussi longtemps que le journal d'audit ; la personne lue n'y figure que par identifiant.",
                en="As long as the audit log; the person read appears only by id.",
            ),
        ),
        (),
        _NOBODY_ELSE,
    ),
    Category.CORRECTION: Description(
        Category.CORRECTION,
        Text(fr="Demandes de rectification", en="Correction requests"),
        Text(
            fr="Traiter les demandes de rectification (art. 16 RGPD) : ce que la personne demande, la décision "
            "de l'administration de l'école.",
            en="Handling requests for correction (GDPR art. 16): what the person asks, the school "
            "administration's decision.",
        ),
        Text(
            fr="Art. 6(1)(c) RGPD : obligation de répondre aux demandes des personnes (art. 12 et 16 RGPD).",
            en="GDPR art. 6(1)(c): the obligation to answer data subjects' requests (GDPR art. 12 and 16).",
        ),
        (Action.READ_CORRECTIONS, Action.DECIDE_CORRECTION, Action.READ_OWN_DATA),
        Retention(_DEPARTED_RETENTION, "retention_departed_years", "years"),
        _DEPARTED,
        _NOBODY_ELSE,
    ),
    Category.LEGAL_HOLD: Description(
        Category.LEGAL_HOLD,
        Text(fr="Gels pour contentieux", en="Legal holds"),
        Text(
            fr="Suspendre l'effacement des données de personnes nommées pendant un contentieux, avec le motif.",
            en="Suspending the erasure of named persons' data during a case, with the reason.",
        ),
        Text(
            fr="Art. 6(1)(c) et (e) RGPD ; art. 17(3)(e) : constatation, exercice ou défense de droits en justice.",
            en="GDPR art. 6(1)(c) and (e); art. 17(3)(e): establishment, exercise or defence of legal claims.",
        ),
        (Action.PLACE_LEGAL_HOLD, Action.READ_AUDIT),
        Retention(
            Text(
                fr="Tant que le gel dure, puis avec les données de la personne : le motif d'un gel levé est effacé "
                "avec elles ; le gel et sa levée restent au journal d'audit, personnes par identifiant.",
                en="While the hold lasts, then with the person's data: a released hold's reason is erased with "
                "them; the hold and its release stay in the audit log, persons by id.",
            ),
        ),
        _DEPARTED,
        Text(fr="Personne d'autre.", en="Nobody else."),
    ),
}


def describe(category: Category | str) -> Description:
    return CATEGORIES[Category(category)]


def recipients(category: Category | str) -> list[Recipient]:
    """The roles allowed an action that shows the category, with their widest scope (policy order);
    members read their own data only (``recipients_note`` says so), so they are not listed."""
    found: dict[Role, Scope] = {}
    needs: dict[Role, str | None] = {}
    for action in describe(category).actions:
        for role, scope in POLICY.get(action, {}).items():
            if role in PERSON_SCOPED:
                continue
            if found.get(role) is not Scope.ANYWHERE:
                found[role] = scope
            # a role that needs a named scope for one action but not for another needs none
            named = REQUIRED_SCOPES.get((action, role))
            needs[role] = named if needs.get(role, named) is not None else None
    return [Recipient(role, found[role], needs[role]) for role in Role if role in found]
