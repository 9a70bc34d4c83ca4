"""``python -m pcn_rules`` runs the ``pcn-check`` command line."""

from .cli import main

main()
