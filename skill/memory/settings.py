"""Deployment settings, from the environment.

Memory (remembering a user's screens between visits, with consent) is a deployment choice,
because Amazon's policy treats stored health information as HIPAA territory:
  local   (default) the embedded SQLite store on your own machine: memory on
  clinic  a clinic's HIPAA-eligible deployment (its own agreement with Amazon): memory on
  public  a skill published in the public store: memory off; reminders are still offered,
          because Alexa keeps those itself"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

PROFILES = {"local": True, "clinic": True, "public": False}


@dataclass(frozen=True)
class Settings:
    profile: str = "local"
    memory_enabled: bool = True


def settings_from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    profile = environ.get("SCIATICA_PROFILE", "local").strip().lower() or "local"
    if profile not in PROFILES:
        raise ValueError(f"SCIATICA_PROFILE must be one of {', '.join(PROFILES)}, got {profile!r}")
    return Settings(profile=profile, memory_enabled=PROFILES[profile])
