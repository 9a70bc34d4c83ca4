"""Rule packs: one contract year's requirements as data, loaded, validated and compiled once."""

from pcn_rules.packs.load import RulePack, available_packs, load_pack

__all__ = ["RulePack", "available_packs", "load_pack"]
