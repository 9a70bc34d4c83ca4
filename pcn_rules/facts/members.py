"""The members of a network as of a date: the practices listed, less one whose joining
(``membership_changes``) takes effect later, one that has left, and one whose opt-out
(``participation.opt_outs``) has taken effect; and the list sizes of every practice listed, of
which a declared network total may be the sum."""

from __future__ import annotations

from pcn_rules.facts.asof import AsOf
from pcn_rules.facts.model import Facts
from pcn_rules.submission.model import Submission
from pcn_rules.submission.network import Practice
from pcn_rules.vocab import human_date


def members_as_of(sub: Submission, view: AsOf, warnings: list[str]) -> list[tuple[int, Practice]]:
    """The listed practices that are members as of the date, with their places in the list:
    one whose membership change (``membership_changes``) makes it join after the date is not a
    member yet, and one that left on or before the date is no longer one; each left out is
    said in a warning (with no as-of date, every practice listed)."""
    listed = list(enumerate(sub.practices))
    opt_outs = sub.participation.opt_outs if sub.participation else None
    if view.as_of is None or not (sub.membership_changes or opt_outs):
        return listed
    out: set[str] = set()
    when = human_date(view.as_of)
    listed_codes = {p.ods_code for p in sub.practices}
    for index, opt in enumerate(opt_outs or []):
        # out of the DES from the day its opt-out takes effect (PART-CONFIRM asks that it be
        # taken off the list)
        code = opt.practice_ods_code
        effective = opt.effective_on
        if (
            code in listed_codes
            and effective is not None
            and opt.notified_on <= view.as_of
            and effective <= view.as_of
        ):
            out.add(code)
            warnings.append(
                f"{code} is listed among the practices but opted out from "
                f"{human_date(effective)} (participation.opt_outs[{index}]): it is not "
                f"counted as a member as of {when}"
            )
    for index, change in enumerate(sub.membership_changes or []):
        code = change.practice_ods_code
        if code not in listed_codes:
            continue
        path = f"membership_changes[{index}].effective_on"
        day = human_date(change.effective_on)
        if change.kind == "joining" and view.seen(change.effective_on, path, code) is None:
            out.add(code)
            warnings.append(
                f"{code} is listed among the practices but joins the network only on {day} "
                f"({path}): it is not counted as a member as of {when}"
            )
        elif change.kind == "leaving" and change.effective_on <= view.as_of:
            out.add(code)
            warnings.append(
                f"{code} is listed among the practices but left the network on {day} "
                f"({path}): it is not counted as a member as of {when}"
            )
    return [(index, practice) for index, practice in listed if practice.ods_code not in out]


def listed_sizes(sub: Submission, members: list[tuple[int, Practice]], network: Facts) -> None:
    """The list sizes of every practice listed, members or not as of the date: a declared
    network total is the sum of the practices it was declared with."""
    kept = {index for index, _ in members}
    others = [p for index, p in enumerate(sub.practices) if index not in kept]
    given = sum(p.list_size for p in others if p.list_size is not None)
    network["listed_list_size_partial"] = network["list_size_partial"] + given
    if "list_size" in network and all(p.list_size is not None for p in others):
        network["listed_list_size"] = network["list_size"] + given
