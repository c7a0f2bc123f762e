"""Each conversation's state between turns, by the conversation id Home Assistant sends: what the
core kept (converse()'s Exchange.kept), the locale it runs in and the device it is heard on.

Bounded two ways, so that neither silence nor a flood grows memory: a conversation idle for
longer than `idle_seconds` is over, and beyond `limit` conversations the one idle longest is
ended to make room. An ended conversation is handed back (purge, keep) so the service can keep
a clinician's exam in progress (converse.end_conversation), as Alexa does when a session ends.

Not thread-safe on purpose: the service touches it from its one worker thread only."""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, List, Optional

DEFAULT_IDLE_SECONDS = 300.0   # Home Assistant keeps a satellite's conversation id five minutes
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Kept:
    """One conversation between turns."""

    kept: dict
    locale: str
    device: Optional[str] = None          # satellite or device id, as sent (never stored)
    last_used: float = field(default=0.0, compare=False)


class Conversations:
    def __init__(self, idle_seconds: float = DEFAULT_IDLE_SECONDS, limit: int = DEFAULT_LIMIT,
                 now: Callable[[], float] = time.monotonic):
        if idle_seconds <= 0 or limit < 1:
            raise ValueError("idle_seconds must be positive and limit at least 1")
        self.idle_seconds, self.limit, self._now = idle_seconds, limit, now
        self._table: "OrderedDict[str, Kept]" = OrderedDict()   # least recently used first

    def __len__(self) -> int:
        return len(self._table)

    def take(self, conversation_id: str) -> Optional[Kept]:
        """The live conversation under this id, removed from the table (the turn puts it back
        with keep), or None: unknown, or idle too long (then handed out by purge)."""
        found = self._table.get(conversation_id)
        if found is None or self._is_idle(found):
            return None
        return self._table.pop(conversation_id)

    def keep(self, conversation_id: str, conversation: Kept) -> List[Kept]:
        """Keep a conversation for its next turn; returns the conversations ended to make room."""
        self._table.pop(conversation_id, None)
        self._table[conversation_id] = Kept(conversation.kept, conversation.locale,
                                            conversation.device, self._now())
        ended = []
        while len(self._table) > self.limit:
            ended.append(self._table.popitem(last=False)[1])
        return ended

    def drop(self, conversation_id: str) -> None:
        self._table.pop(conversation_id, None)

    def purge(self) -> List[Kept]:
        """Remove and return every conversation idle too long."""
        ended = []
        while self._table:
            oldest_id, oldest = next(iter(self._table.items()))
            if not self._is_idle(oldest):
                break
            ended.append(self._table.pop(oldest_id))
        return ended

    def _is_idle(self, conversation: Kept) -> bool:
        return self._now() - conversation.last_used > self.idle_seconds
