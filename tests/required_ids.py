"""The requirement IDs each bundled pack must implement (the in-repo truth)."""

from __future__ import annotations

#: The requirement IDs the 2019/20 pack must implement (the in-repo truth).
IDS_2019 = (
    "REG-PRACTICES",
    "REG-LIST-SIZE",
    "REG-MAP",
    "REG-INITIAL-AGREEMENT",
    "REG-CLINICAL-DIRECTOR",
    "REG-NOMINATED-PAYEE",
    "REG-ON-TIME",
    "CORE-CONTRACT",
    "CORE-GP-LED",
    "CORE-ONE-NETWORK",
    "MEMB-CHANGE",
    "POP-MIN",
    "POP-TYPICAL-MAX",
    "SINGLE-PRACTICE",
    "GEO-CONTIGUOUS",
    "GEO-CROSS-CCG",
    "COV-NON-PARTICIPANT",
    "NA-FULL",
    "NA-DATA-SHARING",
    "CD-CLINICIAN",
    "CD-IN-POST",
    "COM-APPROVAL",
    "EHA-MINUTES",
    "COLLAB-EXPECTED",
    "ARRS-BASELINE",
    "ARRS-2019-ROLES",
    "FUND-ENTITLEMENTS",
)
