"""Options the chat, the server and `speak` share: where memory is kept and which profile."""
from __future__ import annotations

import os
from typing import Optional


def add_memory_options(parser) -> None:
    parser.add_argument("--db", default=None,
                        help="SQLite file for remembered users (env SCIATICA_DB_PATH; default "
                             "under your data directory)")
    parser.add_argument("--profile", choices=("local", "clinic", "public"), default=None,
                        help="deployment profile (env SCIATICA_PROFILE): public keeps no memory")


def options_environment(args, default_db: Optional[str] = None) -> dict:
    """The process environment with --db and --profile laid over it."""
    environ = dict(os.environ)
    if args.db or default_db:
        environ["SCIATICA_DB_PATH"] = args.db or default_db
    if args.profile:
        environ["SCIATICA_PROFILE"] = args.profile
    return environ
