"""``python -m evalengine`` runs the command-line interface."""

from .cli import console_main

raise SystemExit(console_main())
