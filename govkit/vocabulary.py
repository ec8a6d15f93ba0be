"""Vocabulary shared by several domains: who a document applies to (a kind's populations, in
documents) is who is concerned by its campaign (persons and campaigns, in acknowledgements) and
what the rules count. A vocabulary of one domain stays in that domain's ``vocabulary.py``."""

from __future__ import annotations

from enum import StrEnum


class Population(StrEnum):
    """The populations of persons the action plan distinguishes (DESIGN.md glossary)."""

    STUDENT = "student"
    APPRENTICE = "apprentice"
    DOCTORAL_STUDENT = "doctoral_student"
    STAFF = "staff"
    ADJUNCT = "adjunct"
    CONTRACTOR = "contractor"
    RESIDENT = "resident"
    INTERN = "intern"  # stagiaire
    HOUSING_STAFF = "housing_staff"  # personnel des résidences (MAISEL)
    CATERING_STAFF = "catering_staff"  # personnel de restauration


class TrainingAudience(StrEnum):
    """Who a training is for, as the plan's Axe 2 names its targets (DESIGN.md glossary)."""

    NEW_STUDENTS = "new_students"  # élèves primo-entrants
    NEW_DOCTORAL_STUDENTS = "new_doctoral_students"  # nouveaux doctorants entrants
    STAFF = "staff"  # l'ensemble des personnels
    MANAGEMENT_COMMITTEE = "management_committee"  # comités de direction (codir)
    THESIS_SUPERVISORS = "thesis_supervisors"  # encadrants de thèse et tuteurs d'apprentis
    ASSOCIATION_LEADERS = "association_leaders"  # responsables des BDE et associations étudiantes
    INTERNATIONAL_STUDENTS = "international_students"  # étudiants internationaux
    REFERENTS_AND_CELLS = "referents_and_cells"  # référents égalité, handicap, membres des cellules d'écoute
    CATERING_AND_HOUSING_STAFF = "catering_and_housing_staff"  # personnels de restauration et d'hébergement


class SurveyAudience(StrEnum):
    """Who a survey is for (Axe 5)."""

    FIRST_YEAR_STUDENTS = "first_year_students"  # élèves de première année
    STUDENTS = "students"
    DOCTORAL_STUDENTS = "doctoral_students"
    STAFF = "staff"


class SurveyStatus(StrEnum):
    """Where a survey stands: planned, built (questionnaire ready), open (invitations sent), closed."""

    PLANNED = "planned"
    BUILT = "built"
    OPEN = "open"
    CLOSED = "closed"
