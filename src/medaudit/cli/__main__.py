"""`python -m medaudit.cli` runs the CLI (used by tests that spawn real processes)."""

from medaudit.cli.app import main

main()
