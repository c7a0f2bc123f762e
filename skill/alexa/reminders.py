"""An Alexa reminder for the user's review date, through the Reminders API and ask-sdk's own
service client. No wording lives here: the caller passes the text Alexa will say.

The skill must be built with an API client (CustomSkillBuilder(api_client=...)) so that
handler_input.service_client_factory exists. Prefer ReminderApiClient: DefaultApiClient alone
waits for ever on a slow API, past Alexa's 8 s limit, and reads an answer of any size. Ours
bounds each call in total (not per socket read: an API dripping a byte a second never times
out per read) and caps the answer's size (issue 18)."""
from __future__ import annotations

import enum
import logging
import threading
import time as clock
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CallTimedOut
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import List, Optional, Tuple, Union

from ask_sdk_model import PermissionStatus
from ask_sdk_model.services import ApiClient, ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo, PushNotification, PushNotificationStatus, Recurrence, ReminderRequest,
    SpokenInfo, SpokenText, Trigger, TriggerType)
from ask_sdk_model.ui import AskForPermissionsConsentCard

logger = logging.getLogger(__name__)

REMINDERS_PERMISSION = "alexa::alerts:reminders:skill:readwrite"
DEFAULT_TIMEOUT = (2.0, 3.0)  # (connect, read) seconds, per socket operation
TOTAL_TIMEOUT_S = 3.0         # the whole call, answer read included
MAX_RESPONSE_BYTES = 256 * 1024   # a reminder, or this skill's list of them: a few KB
API_CALL_THREADS = 8


class ReminderApiClient(ApiClient):
    """An ApiClient (requests, HTTPS only, as DefaultApiClient) with each call bounded in total
    time and answer size. `requests` is loaded on the first call rather than at import: most
    sessions never set a reminder, and importing it was a third of a Lambda cold start.

    The call runs on a small shared pool and the caller waits at most `total_timeout`: a
    stuck call then holds a pool thread (until its per-read timeouts or the deadline checked
    while reading end it), never the person's answer."""

    def __init__(self, timeout: Union[float, Tuple[float, float]] = DEFAULT_TIMEOUT, *,
                 total_timeout: float = TOTAL_TIMEOUT_S,
                 max_response_bytes: int = MAX_RESPONSE_BYTES):
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes

    def invoke(self, request):
        from ask_sdk_core.exceptions import ApiClientException

        deadline = clock.monotonic() + self.total_timeout
        call = _call_pool().submit(self._call, request, deadline)
        try:
            return call.result(timeout=self.total_timeout)
        except CallTimedOut:
            call.cancel()
            raise ApiClientException(
                f"no answer from the Alexa API within {self.total_timeout:g} s") from None

    def _call(self, request, deadline: float):
        import json

        import requests
        from ask_sdk_core.exceptions import ApiClientException
        from ask_sdk_model.services import ApiClientResponse

        if not (request.url or "").lower().startswith("https://"):
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        headers = {}
        for key, value in request.headers or []:
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        data = None
        if request.body:
            content_type = headers.get("Content-type") or headers.get("Content-Type") or ""
            data = json.dumps(request.body) if "json" in content_type else request.body
        try:
            response = requests.request(request.method or "GET", request.url, headers=headers,
                                        data=data, timeout=self.timeout, stream=True)
        except requests.RequestException as problem:
            raise ApiClientException(f"Error executing the request: {problem}") from None
        with response:
            body = bytearray()
            for chunk in response.iter_content(16 * 1024):
                body += chunk
                if len(body) > self.max_response_bytes:
                    raise ApiClientException(
                        f"answer larger than {self.max_response_bytes} bytes: not read")
                if clock.monotonic() > deadline:
                    raise ApiClientException("answer still arriving at the deadline")
            text = bytes(body).decode(response.encoding or "utf-8", errors="replace")
            return ApiClientResponse(headers=list(response.headers.items()),
                                     status_code=response.status_code, body=text)


_pool: Optional[ThreadPoolExecutor] = None
_pool_lock = threading.Lock()


def _call_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(API_CALL_THREADS, thread_name_prefix="alexa-api")
        return _pool


class ReminderStatus(enum.Enum):
    CREATED = "created"
    NO_PERMISSION = "no_permission"  # not granted in the request: ask with permissions_card()
    REFUSED = "refused"              # the API said 401/403: permission revoked meanwhile
    FAILED = "failed"                # anything else: network, timeout, 5xx, bad answer


@dataclass(frozen=True)
class ReminderResult:
    status: ReminderStatus
    reminder_id: Optional[str] = None  # the alertToken, when CREATED
    reason: str = ""                   # short, for logs; never spoken

    @property
    def created(self) -> bool:
        return self.status is ReminderStatus.CREATED


def has_reminders_permission(request_envelope) -> bool:
    """True when the user granted the reminders scope and Alexa sent an API access token."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    if system is None or not system.api_access_token:
        return False
    permissions = getattr(system.user, "permissions", None)
    scope = (getattr(permissions, "scopes", None) or {}).get(REMINDERS_PERMISSION)
    return getattr(scope, "status", None) == PermissionStatus.GRANTED


def reminder_request(review_date: date, spoken_text: str, locale: str, *,
                     hour: int = 10) -> ReminderRequest:
    """An absolute reminder at `hour`:00 on `review_date`, naive (the device's time zone)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    return ReminderRequest(
        request_time=now,
        trigger=Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE,
                        scheduled_time=datetime.combine(review_date, time(hour=hour))),
        alert_info=AlertInfo(spoken_info=SpokenInfo(
            content=[SpokenText(locale=locale, text=spoken_text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED))


def daily_reminder_request(first_day: date, last_day: date, spoken_text: str, locale: str, *,
                           hour: int = 10) -> ReminderRequest:
    """A reminder at `hour`:00 each day from `first_day` to `last_day`, naive (the device's
    time zone). The Reminders API's recurrence: startDateTime, endDateTime and an RFC 5545 rule
    (its older freq and byDay are deprecated, and scheduledTime is ignored with a recurrence)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    at = time(hour=hour)
    return ReminderRequest(
        request_time=now,
        trigger=Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE, recurrence=Recurrence(
            start_date_time=datetime.combine(first_day, at),
            end_date_time=datetime.combine(last_day, at),
            recurrence_rules=[f"FREQ=DAILY;BYHOUR={hour};BYMINUTE=0;BYSECOND=0"])),
        alert_info=AlertInfo(spoken_info=SpokenInfo(
            content=[SpokenText(locale=locale, text=spoken_text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED))


def create_review_reminder(handler_input, review_date: date, spoken_text: str, locale: str,
                           *, hour: int = 10) -> ReminderResult:
    """Create the reminder; never raises."""
    return create_reminder(handler_input,
                           lambda: reminder_request(review_date, spoken_text, locale, hour=hour))


def create_reminder(handler_input, build_request) -> ReminderResult:
    """Create the reminder `build_request()` returns; never raises."""
    try:
        if not has_reminders_permission(handler_input.request_envelope):
            return ReminderResult(ReminderStatus.NO_PERMISSION, reason="reminders not granted")
        factory = handler_input.service_client_factory
        if factory is None:
            return ReminderResult(ReminderStatus.FAILED,
                                  reason="skill built without an API client")
        response = factory.get_reminder_management_service().create_reminder(build_request())
    except ServiceException as problem:
        return _failure(problem)
    except Exception as problem:  # noqa: BLE001 - bad answers raise SerializationException etc.
        logger.warning("reminder not created: %r", problem)
        return ReminderResult(ReminderStatus.FAILED, reason=_short(repr(problem)))
    token = getattr(response, "alert_token", None)
    if not isinstance(token, str) or not token:
        logger.warning("reminder API answered without an alertToken")
        return ReminderResult(ReminderStatus.FAILED, reason="no alertToken in the answer")
    return ReminderResult(ReminderStatus.CREATED, reminder_id=token, reason="created")


def delete_reminder(handler_input, reminder_id: Optional[str]) -> bool:
    """Best effort, for "forget me": True when the API confirmed; never raises."""
    try:
        if not reminder_id or handler_input.service_client_factory is None:
            return False
        factory = handler_input.service_client_factory
        factory.get_reminder_management_service().delete_reminder(reminder_id)
        return True
    except Exception as problem:  # noqa: BLE001
        logger.warning("reminder %s not deleted: %s", reminder_id, _short(str(problem)))
        return False


def list_reminder_ids(handler_input) -> Optional[List[str]]:
    """The ids of every reminder this skill holds for this user, from the Reminders API itself
    (so "forget me" finds a reminder whose id the store lost), or None when the API cannot be
    asked (no permission, no client) or fails; never raises."""
    try:
        if handler_input.service_client_factory is None or \
                not has_reminders_permission(handler_input.request_envelope):
            return None
        answer = handler_input.service_client_factory.get_reminder_management_service() \
            .get_reminders()
        return [alert.alert_token for alert in (getattr(answer, "alerts", None) or [])
                if isinstance(getattr(alert, "alert_token", None), str) and alert.alert_token]
    except Exception as problem:  # noqa: BLE001
        logger.warning("reminders not listed: %s", _short(str(problem)))
        return None


def permissions_card() -> AskForPermissionsConsentCard:
    return AskForPermissionsConsentCard(permissions=[REMINDERS_PERMISSION])


def _failure(problem: ServiceException) -> ReminderResult:
    # The SDK reports network errors and timeouts as status 500 too ("Call to service failed").
    code = problem.status_code
    reason = _short(f"{code} {problem}")
    logger.warning("reminder not created: %s", reason)
    if code in (401, 403):
        return ReminderResult(ReminderStatus.REFUSED, reason=reason)
    return ReminderResult(ReminderStatus.FAILED, reason=reason)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
