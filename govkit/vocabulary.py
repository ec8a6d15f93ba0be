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
