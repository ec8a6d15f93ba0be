"""The exact words a person acknowledges, in French or English (recorded as shown)."""

from __future__ import annotations

from datetime import date

from govkit.french import de


def wording(
    *,
    language: str,
    given_name: str,
    family_name: str,
    title: str,
    school: str,
    version: int,
    effective_from: date,
    sha256: str,
) -> str:
    day = effective_from.strftime("%d/%m/%Y")
    if language == "en":
        return (
            f"I, {given_name} {family_name}, acknowledge that I have read the document \u201c{title}\u201d of "
            f"{school}, version {version} in force from {day} (SHA-256 fingerprint {sha256}), and undertake to "
            "comply with it. The French text is the authentic version."
        )
    return (
        f"Je soussigné·e, {given_name} {family_name}, reconnais avoir pris connaissance du document "
        f"« {title} » {de(school)}, version {version} en vigueur à compter du {day} (empreinte SHA-256 "
        f"{sha256}), et m'engage à le respecter."
    )


def carried_forward_wording(*, language: str, previous_version: int, version: int) -> str:
    if language == "en":
        return (
            f"Acknowledgement of version {previous_version} carried forward to version {version}: "
            "editorial change, no new acknowledgement needed."
        )
    return (
        f"Prise de connaissance de la version {previous_version} reportée sur la version {version} : "
        "modification rédactionnelle, sans nouvelle prise de connaissance."
    )
