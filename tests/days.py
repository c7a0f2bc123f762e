"""A clock for the skill's `clock=` that tests move from day to day (follow-up, daily watch)."""
from datetime import date, timedelta


class DayClock:
    def __init__(self, first_day: date):
        self.first_day = self.day = first_day

    def __call__(self) -> date:
        return self.day

    def move_to(self, days_after_first: int) -> None:
        self.day = self.first_day + timedelta(days=days_after_first)
