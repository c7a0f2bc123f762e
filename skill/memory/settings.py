"""Deployment settings, from the environment.

Memory (remembering a user's screens between visits, with consent) is a deployment choice:
  local   (default) the embedded SQLite store on your own machine: memory on
  clinic  memory on, in the deployer's own store (SQLite on its server, or its DynamoDB table),
          for a clinic's own skill. On Alexa this is NOT a HIPAA arrangement: Amazon ended
          third-party HIPAA-eligible skills (those still using it were suppressed on
          9 December 2022) and offers no Business Associate Agreement route to them, so what a
          patient says still passes through Amazon's cloud. A clinic that needs everything to
          stay on its own machine uses the on-premises voice service instead
          (`sciatica-skill wyoming`, Home Assistant / Wyoming; issue 14).
  public  a skill published in the public store: memory off; reminders are still offered,
          because Alexa keeps those itself

Any profile that keeps memory outside `local` needs the deployer's own SCIATICA_USER_KEY_SALT:
with the public default, anyone who can read this source can recompute a stored key from a
user id (require_own_salt)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

PROFILES = {"local": True, "clinic": True, "public": False}
SALT_VARIABLE = "SCIATICA_USER_KEY_SALT"
MIN_SALT_CHARS = 32   # e.g. `python3 -c "import secrets; print(secrets.token_urlsafe(32))"`


class InsecureSettings(ValueError):
    """A deployment the skill refuses to start: the message says why and what to set."""


@dataclass(frozen=True)
class Settings:
    profile: str = "local"
    memory_enabled: bool = True


def settings_from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    profile = environ.get("SCIATICA_PROFILE", "local").strip().lower() or "local"
    if profile not in PROFILES:
        raise ValueError(f"SCIATICA_PROFILE must be one of {', '.join(PROFILES)}, got {profile!r}")
    return Settings(profile=profile, memory_enabled=PROFILES[profile])


def require_own_salt(settings: Settings, environ: Mapping[str, str] = os.environ) -> None:
    """Raise InsecureSettings when memory is kept outside `local` without a long secret salt of
    the deployer's own (store.py's DEFAULT_SALT is public: it is in this source)."""
    if not settings.memory_enabled or settings.profile == "local":
        return
    from skill.memory.store import DEFAULT_SALT

    salt = environ.get(SALT_VARIABLE) or ""
    if not salt or salt == DEFAULT_SALT:
        problem = "is not set"
    elif len(salt) < MIN_SALT_CHARS:
        problem = f"is {len(salt)} characters, fewer than {MIN_SALT_CHARS}"
    else:
        return
    raise InsecureSettings(
        f"the {settings.profile!r} profile keeps memory, and {SALT_VARIABLE} {problem}. It is the "
        "secret that turns an Alexa user id into the key a record is stored under; without a "
        "long one of your own, anyone with this source can work out whose record is whose. Set "
        f"{SALT_VARIABLE} to a random secret of at least {MIN_SALT_CHARS} characters, and keep "
        "it (changing it orphans every stored record).")
