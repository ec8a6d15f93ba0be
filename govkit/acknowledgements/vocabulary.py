"""Closed vocabularies of the acknowledgements domain."""

from __future__ import annotations

from enum import StrEnum


class Population(StrEnum):
    STUDENT = "student"
    APPRENTICE = "apprentice"
    DOCTORAL_STUDENT = "doctoral_student"
    STAFF = "staff"
    ADJUNCT = "adjunct"
    CONTRACTOR = "contractor"
    RESIDENT = "resident"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"
