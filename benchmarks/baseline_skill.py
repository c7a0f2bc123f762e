"""The benchmarks' yardstick: the smallest useful ask-sdk-core skill.

It answers a LaunchRequest with one sentence and ends the session; anything else gets the same
sentence. It has the same shapes as Sciatica Check so that a ratio compares like with like:

* ``lambda_handler(event, context)``: the skill is built once at import, as in
  ``lambda/lambda_function.py``, and each event is deserialized, invoked and serialized the way
  ``skill.alexa.app.handle_event`` does it;
* ``create_app()``: a Flask app serving the same skill on ``POST /`` through flask-ask-sdk's
  ``SkillAdapter``, as ``skill.alexa.server.create_app`` does (imported only when called, so that
  ``import baseline_skill`` costs what a Lambda cold start costs).

Run as a WSGI app: ``gunicorn 'baseline_skill:create_app()'`` from this directory.
"""
from __future__ import annotations

import json

from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope

SENTENCE = "Hello from the baseline skill."

_builder = SkillBuilder()


@_builder.request_handler(can_handle_func=lambda handler_input: True)
def _answer(handler_input):
    builder = handler_input.response_builder.speak(SENTENCE)
    if is_request_type("LaunchRequest")(handler_input):
        builder.set_should_end_session(True)
    return builder.response


_SKILL = _builder.create()


def lambda_handler(event, context):
    envelope = _SKILL.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
    response = _SKILL.invoke(request_envelope=envelope, context=context)
    return _SKILL.serializer.serialize(response)


def create_app(verify_signature: bool = False, verify_timestamp: bool = True, verifiers=None):
    """The same skill behind flask-ask-sdk, with the SDK's verifiers configured as asked.

    A ``RequestVerifier`` among ``verifiers`` takes the place of the SDK's signature check, as
    in ``skill.alexa.server.create_app``."""
    from skill.alexa._oscrypto_compat import ensure_oscrypto_loads

    ensure_oscrypto_loads()  # the same workaround the project's server needs, before the SDK
    from flask import Flask
    from flask_ask_sdk.skill_adapter import (VERIFY_SIGNATURE_APP_CONFIG,
                                             VERIFY_TIMESTAMP_APP_CONFIG, SkillAdapter)
    from ask_sdk_webservice_support.verifier import RequestVerifier

    extra = list(verifiers or [])
    app = Flask("baseline_skill")
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = verify_signature and not any(
        isinstance(v, RequestVerifier) for v in extra)
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = verify_timestamp
    adapter = SkillAdapter(skill=_SKILL, skill_id="baseline", verifiers=extra, app=app)
    app.add_url_rule("/", "alexa", adapter.dispatch_request, methods=["POST"])
    return app
