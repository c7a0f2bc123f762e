"""A clock for the skill's `clock=` that tests move from day to day (follow-up, daily watch),
and a skill that remembers users in a test's own SQLite file. `clock` and `skill` are also
fixtures: a test module imports them (`from days import clock, skill`) to get the remembering
skill in place of conftest's default one."""
from datetime import date, timedelta

import pytest

from skill.alexa.app import build_skill
from skill.memory.settings import Settings
from skill.memory.store import SQLitePersistenceAdapter

FIRST_DAY = date(2026, 11, 26)


def remembering_skill(database, clock):
    """The skill with memory on, keeping users in `database`, its days from `clock`."""
    return build_skill(settings=Settings("local", True),
                       persistence_adapter=SQLitePersistenceAdapter(database), clock=clock)


class DayClock:
    def __init__(self, first_day: date):
        self.first_day = self.day = first_day

    def __call__(self) -> date:
        return self.day

    def move_to(self, days_after_first: int) -> None:
        self.day = self.first_day + timedelta(days=days_after_first)


@pytest.fixture
def clock():
    return DayClock(FIRST_DAY)


@pytest.fixture
def skill(database, clock):
    return remembering_skill(database, clock)
