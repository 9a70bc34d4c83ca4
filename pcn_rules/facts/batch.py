"""The practices of a batch of networks: each with its memberships and the networks covering it
(for the rules that concern networks together, such as CORE-ONE-NETWORK and COV-FULL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pcn_rules.facts.model import Entity, Facts, SubmissionFacts, put

if TYPE_CHECKING:  # an annotation only: checking one submission needs no register (or csv)
    from pcn_rules.ingest.register import Register


def network_label(network: Facts) -> str:
    """How a network is named in findings about several networks: "Name (U12345)"."""
    code = network.get("ods_code")
    return f"{network['name']} ({code})" if code else str(network["name"])


def batch_practices(
    networks: list[SubmissionFacts], register: Register | None
) -> tuple[Entity, ...]:
    """Every practice of a batch: those in the register, and every member of every network.

    Each carries its memberships (one per listing, so a practice listed twice in one network
    counts twice) and the networks that cover its patients as a non-participating practice.
    """
    memberships: dict[str, list[str]] = {}
    covered_by: dict[str, list[str]] = {}
    # listed as covered under a local agreement that has expired by the date: not coverage
    # (one with no agreement recorded is covered as listed; COV-NON-PARTICIPANT asks for it)
    expired: dict[str, list[str]] = {}
    seen: dict[str, Facts] = {}
    for facts in networks:
        label = network_label(facts.network)
        for practice in facts.network["practices"]:
            code = practice["ods_code"]
            memberships.setdefault(code, []).append(label)
            seen.setdefault(code, practice)
        for covered in facts.entities.get("covered_practice", ()):
            agreement = covered.facts.get("local_agreement") or {}
            held = expired if agreement.get("in_force") is False else covered_by
            held.setdefault(covered.id, []).append(label)
    registered = {p.ods_code: p for p in register.practices} if register else {}
    out: list[Entity] = []
    no_labels: list[str] = []
    for code in sorted(registered.keys() | memberships.keys()):
        entry = registered.get(code)
        member = seen.get(code, {})
        listed = memberships.get(code, no_labels)
        distinct = sorted(set(listed))
        f: Facts = {
            "ods_code": code,
            "in_register": entry is not None,
            "memberships": listed,
            "membership_count": len(listed),
            "networks": distinct,
            "network_count": len(distinct),
            "covered_by": sorted(set(covered_by.get(code, no_labels))),
            "covered_agreement_expired": sorted(
                set(expired.get(code, no_labels)) - set(covered_by.get(code, no_labels))
            ),
        }
        put(f, "name", (entry.name if entry else None) or member.get("name"))
        put(f, "commissioner", (entry.commissioner if entry else None) or member.get("ccg"))
        put(f, "list_size", (entry.list_size if entry else None) or member.get("list_size"))
        out.append(Entity("register_practice", code, f.get("name"), f))
    return tuple(out)
