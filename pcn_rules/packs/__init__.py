"""Rule packs: one contract year's requirements as data, loaded, validated and compiled once."""

from pcn_rules.packs.discover import available_packs
from pcn_rules.packs.load import load_pack
from pcn_rules.packs.model import RulePack

__all__ = ["RulePack", "available_packs", "load_pack"]
