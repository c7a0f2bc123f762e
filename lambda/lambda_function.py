"""AWS Lambda entry point: set the function's handler to lambda_function.lambda_handler."""
from skill.alexa.app import build_skill, handle_event

# Built once per Lambda container, so content is loaded and checked at cold start, not per
# request. The skill holds no per-user state: everything per session travels in the envelope.
_SKILL = build_skill()


def lambda_handler(event, context):
    return handle_event(_SKILL, event, context)
