"""Reminders through ask-sdk's real service client, against a local HTTPS stand-in for the
Alexa API: a tiny real skill (CustomSkillBuilder with an API client) runs each call."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from alexa_api import REMINDERS_PATH, api  # noqa: F401 - api is a fixture
from skill.alexa.envelopes import launch_request, request_envelope
from skill.alexa.reminders import (REMINDERS_PERMISSION, ReminderApiClient, ReminderStatus,
                                   create_review_reminder, delete_reminder,
                                   has_reminders_permission, permissions_card)

REVIEW = dt.date(2030, 3, 4)
TEXT = "Time to book your review."


def envelope(api=None, **context) -> dict:
    event = request_envelope(launch_request(), locale="en-GB")
    if api is not None:
        event["context"]["System"].update(api.envelope_context(**context))
    return event


def run(event: dict, action, api_client=None):
    """Invoke a one-handler skill built with `api_client`; return what `action` returned."""
    results = []

    class Handler(AbstractRequestHandler):
        def can_handle(self, handler_input):
            return True

        def handle(self, handler_input):
            results.append(action(handler_input))
            return handler_input.response_builder.response

    builder = CustomSkillBuilder(api_client=api_client)
    builder.add_request_handler(Handler())
    skill = builder.create()
    skill.invoke(request_envelope=skill.serializer.deserialize(json.dumps(event),
                                                               RequestEnvelope), context=None)
    return results[0]


def create(event, api_client="default", **kwargs):
    client = DefaultApiClient() if api_client == "default" else api_client
    return run(event, lambda hi: create_review_reminder(hi, REVIEW, TEXT, "en-GB", **kwargs),
               client)


def test_created_with_the_real_client(api):
    result = create(envelope(api, token="tok-123"))
    assert result.status is ReminderStatus.CREATED and result.created
    [sent] = api.requests
    assert (sent.method, sent.path, sent.authorization) == ("POST", REMINDERS_PATH,
                                                           "Bearer tok-123")
    assert result.reminder_id in api.reminders
    body = sent.body
    assert body["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2030-03-04T10:00:00"}
    assert body["alertInfo"] == {"spokenInfo": {"content": [{"locale": "en-GB", "text": TEXT}]}}
    assert body["pushNotification"] == {"status": "ENABLED"}
    request_time = dt.datetime.fromisoformat(body["requestTime"])
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert abs(now - request_time) < dt.timedelta(minutes=1)


def test_hour_and_timeout_client(api):
    result = create(envelope(api), api_client=ReminderApiClient(), hour=8)
    assert result.created
    assert api.requests[0].body["trigger"]["scheduledTime"] == "2030-03-04T08:00:00"


@pytest.mark.parametrize("context", [{"granted": False}, {"token": ""}])
def test_no_permission_sends_nothing(api, context):
    result = create(envelope(api, **context))
    assert result.status is ReminderStatus.NO_PERMISSION and result.reminder_id is None
    assert api.requests == []


def test_permission_check_on_envelopes(api):
    def check(event):
        return has_reminders_permission(DefaultSerializer().deserialize(json.dumps(event),
                                                                       RequestEnvelope))
    assert check(envelope(api)) is True
    assert check(envelope(api, granted=False)) is False
    assert check(envelope()) is False  # no permissions at all
    other_scope = envelope(api)
    scopes = other_scope["context"]["System"]["user"]["permissions"]["scopes"]
    scopes["alexa::alerts:timers:skill:readwrite"] = scopes.pop(REMINDERS_PERMISSION)
    assert check(other_scope) is False


@pytest.mark.parametrize("status", [401, 403])
def test_revoked_permission_is_refused(api, status):
    api.fail_with(status, {"code": "UNAUTHORIZED", "message": "The user has not granted."})
    result = create(envelope(api))
    assert result.status is ReminderStatus.REFUSED and str(status) in result.reason
    assert len(api.requests) == 1


@pytest.mark.parametrize("status, body", [
    (500, {"code": "INTERNAL_ERROR", "message": "boom"}),
    (503, "<html>gateway</html>"),             # not JSON: the SDK raises a SerializationException
    (429, {"code": "TOO_MANY_REQUESTS", "message": "slow down"}),
    (400, {"code": "INVALID_REMINDER_TIME", "message": "in the past"}),
    (201, {"status": "ON"}),                   # success without an alertToken
    (201, "not json"),
])
def test_other_answers_fail(api, status, body):
    api.fail_with(status, body)
    result = create(envelope(api))
    assert result.status is ReminderStatus.FAILED and result.reminder_id is None
    assert result.reason


def test_closed_connection_fails(api):
    api.fail_with(close=True)
    result = create(envelope(api))
    assert result.status is ReminderStatus.FAILED and "500" in result.reason


def test_slow_answer_times_out(api):
    api.fail_with(201, {"alertToken": "late"}, delay=3.0)
    started = time.monotonic()
    result = create(envelope(api), api_client=ReminderApiClient(timeout=0.3))
    assert result.status is ReminderStatus.FAILED
    assert time.monotonic() - started < 2.0


def test_untrusted_certificate_fails(api, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert create(envelope(api)).status is ReminderStatus.FAILED
    assert api.requests == []  # the TLS handshake failed: certificates are checked


def test_plain_http_endpoint_is_refused_by_the_sdk(api):
    event = envelope(api)
    event["context"]["System"]["apiEndpoint"] = api.endpoint.replace("https:", "http:")
    result = create(event)
    assert result.status is ReminderStatus.FAILED and "non-HTTPS" in result.reason
    assert api.requests == []


def test_skill_without_api_client_fails_with_reason(api):
    result = create(envelope(api), api_client=None)
    assert result.status is ReminderStatus.FAILED and "API client" in result.reason


def test_delete(api):
    reminder_id = create(envelope(api)).reminder_id
    assert run(envelope(api), lambda hi: delete_reminder(hi, reminder_id), DefaultApiClient())
    assert api.requests[-1].method == "DELETE"
    assert api.requests[-1].path == f"{REMINDERS_PATH}/{reminder_id}"
    assert api.requests[-1].authorization == "Bearer test-token"
    assert api.reminders == {}


@pytest.mark.parametrize("reminder_id, failure", [
    ("unknown", None), ("x", (500, {"code": "INTERNAL_ERROR", "message": "boom"})),
    ("x", (401, {"code": "UNAUTHORIZED", "message": "no"})), (None, None)])
def test_delete_failure_is_false(api, reminder_id, failure):
    if failure:
        api.fail_with(*failure)
    assert run(envelope(api), lambda hi: delete_reminder(hi, reminder_id),
               DefaultApiClient()) is False
    assert run(envelope(api), lambda hi: delete_reminder(hi, "y"), None) is False


def test_permissions_card_shape():
    card = DefaultSerializer().serialize(permissions_card())
    assert card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_PERMISSION]}
