"""``python -m pcn_rules`` runs the ``pcn-check`` command line."""

from pcn_rules.cli import run

run()
