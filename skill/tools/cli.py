"""sciatica-skill: talk to the skill as text, serve it over HTTPS for Alexa or over Wyoming for
Home Assistant, check content."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable, Optional, TextIO

from skill.alexa.speech import speech_text
from skill.content.loader import DEFAULT_LOCALE, ContentError, available_locales, load_content
from skill.tools.options import add_memory_options, options_environment


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="sciatica-skill", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="type what you would say; read what Alexa would say")
    chat.add_argument("--locale", default=DEFAULT_LOCALE)
    chat.add_argument("--show-json", action="store_true", help="print each request and response")
    chat.add_argument("--today", type=_iso_day, default=None,
                      help="pretend today is this date (YYYY-MM-DD), to try a check-in")
    chat.add_argument("--user", default="sciatica-chat",
                      help="who is talking: the same name is remembered between chats")
    add_memory_options(chat)
    chat.set_defaults(run=_chat)

    serve = commands.add_parser("serve", help="run the endpoint for Alexa (waitress; TLS by a "
                                             "reverse proxy in front)")
    serve.add_argument("--host", default=os.environ.get("SCIATICA_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SCIATICA_PORT", "5000")))
    serve.add_argument("--skill-id", default=os.environ.get("SCIATICA_SKILL_ID"),
                       help="refuse requests for any other skill (env SCIATICA_SKILL_ID)")
    serve.add_argument("--no-verify", action="store_true",
                       help="skip Alexa's request signature check (local testing only)")
    serve.add_argument("--dev-server", action="store_true",
                       help="Flask's development server instead of waitress (local testing only: "
                            "it is not built for the open internet)")
    serve.add_argument("--threads", type=int, default=None,
                       help="waitress worker threads (default 8)")
    add_memory_options(serve)
    serve.set_defaults(run=_serve)

    wyoming = commands.add_parser(
        "wyoming", help="run the Wyoming handle service for Home Assistant Assist (no cloud)")
    wyoming.add_argument("--uri", default=os.environ.get("SCIATICA_WYOMING_URI",
                                                         "tcp://127.0.0.1:10700"),
                         help="where to listen: tcp://HOST:PORT or unix://PATH "
                              "(env SCIATICA_WYOMING_URI)")
    wyoming.add_argument("--locale", default=DEFAULT_LOCALE,
                         help="this room's locale: its region's emergency number; the region's "
                              "other languages are served too (en-US also serves es-US)")
    wyoming.add_argument("--conversation-idle", type=float, default=300.0,
                         help="seconds of quiet after which a conversation is over (300)")
    wyoming.add_argument("--max-conversations", type=int, default=1000,
                         help="conversations kept at once; the longest idle is ended first")
    wyoming.add_argument("--connection-idle", type=float, default=10.0,
                         help="seconds a connection may stay silent before it is closed (10)")
    wyoming.add_argument("--max-connections", type=int, default=128,
                         help="connections at once; beyond, a new one gets an error (128)")
    add_memory_options(wyoming)
    wyoming.set_defaults(run=_wyoming)

    check = commands.add_parser("check-content", help="load and check every content file")
    check.set_defaults(run=_check_content)

    model = commands.add_parser("write-model", help="regenerate interaction_model/<locale>.json")
    model.add_argument("--directory", default="interaction_model")
    model.set_defaults(run=_write_model)

    # Subcommands that live in their own modules register themselves below, one line each.
    # (more subcommands)
    from skill.tools import packaging; packaging.register(commands)  # noqa: E702
    from skill.language import model_check; model_check.register(commands)  # noqa: E702
    from skill.tools import speak; speak.register(commands)  # noqa: E702
    from skill.review import pack as review_pack; review_pack.register(commands)  # noqa: E702

    args = parser.parse_args(argv)
    return args.run(args)


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _skill_for(args, clock=date.today):
    """build_skill() with the command line's memory options over the environment's."""
    from skill.alexa.app import build_skill

    return build_skill(environ=options_environment(args), clock=clock)


def _chat(args, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    from skill.alexa.app import handle_event
    from skill.alexa.envelopes import Conversation, launch_request, session_ended_request
    from skill.language.interaction_model import build_interaction_model
    from skill.language.nlu import addresses_skill, resolve

    model = build_interaction_model(args.locale)
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    # What a person says to open the skill, in the chat's language (the hints stay English).
    opening = f"{'abre' if args.locale.startswith('es') else 'open'} {invocation}"
    today = args.today
    skill = _skill_for(args, clock=(lambda: today) if today else date.today)
    conversation = Conversation(locale=args.locale,
                                user_id=f"amzn1.ask.account.{args.user}")
    last_reprompt: Optional[str] = None
    write: Callable[[str], None] = lambda line: print(line, file=stdout, flush=True)  # noqa: E731

    def send(request: dict) -> None:
        nonlocal last_reprompt
        envelope = conversation.envelope(request)
        response = handle_event(skill, envelope)
        conversation.absorb(response)
        if args.show_json:
            write(json.dumps({"request": envelope["request"], "response": response}, indent=2))
        body = response.get("response", {})
        if body.get("outputSpeech"):
            write("Alexa: " + speech_text(body["outputSpeech"]))
        card = body.get("card")
        if card and card.get("type") == "AskForPermissionsConsent":
            write(f"[permissions card in the Alexa app, asking for: "
                  f"{', '.join(card.get('permissions') or [])}]")
        elif card:
            write(f"[card in the Alexa app] {card.get('title')}: {card.get('content')}")
        reprompt = (body.get("reprompt") or {}).get("outputSpeech")
        last_reprompt = speech_text(reprompt) if reprompt else None
        if conversation.session_id is None:
            write(f"(the skill has ended the session; say '{opening}' to start again)")

    write("Sciatica Check text chat. Type what you would say to Alexa. An empty line is "
          "silence; Ctrl-D quits.")
    write(f"You: {opening}")
    send(launch_request())
    silences = 0
    interactive = stdin.isatty()
    while True:
        if interactive:
            print("You: ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        utterance = line.strip()
        if not utterance:
            # Alexa says the reprompt once after silence, then ends the session.
            if conversation.session_id is None:
                continue
            silences += 1
            if silences == 1 and last_reprompt:
                write("Alexa: " + last_reprompt)
            else:
                send(session_ended_request("EXCEEDED_MAX_REPROMPTS"))
                conversation.session_id = None
            continue
        silences = 0
        request = resolve(model, utterance, in_session=conversation.session_id is not None,
                          locale=args.locale)
        if conversation.session_id is None and not addresses_skill(model, utterance,
                                                                   locale=args.locale):
            write(f"(no session is open: start with '{opening}')")
            continue
        send(request)
    return 0


def _serve(args) -> int:
    from skill.alexa import server
    from skill.memory.settings import InsecureSettings

    verify = not args.no_verify
    if not verify:
        print("WARNING: request signature verification is OFF. Use --no-verify only for "
              "local testing; Alexa requires it on a public endpoint.", file=sys.stderr)
    try:
        app = server.create_app(_skill_for(args), verify_signature=verify,
                                skill_id=args.skill_id)
    except (server.InsecureDeployment, InsecureSettings) as refusal:
        print(f"sciatica-skill serve: refusing to start: {refusal}", file=sys.stderr)
        return 2
    if args.dev_server:
        print("WARNING: Flask's development server (--dev-server): local testing only.",
              file=sys.stderr)
        app.run(host=args.host, port=args.port)
    else:
        server.serve(app, args.host, args.port, threads=args.threads or server.SERVE_THREADS)
    return 0


def _wyoming(args) -> int:
    import asyncio
    import logging

    from skill.memory.device_records import DeviceRecords
    from skill.memory.settings import require_own_salt, settings_from_env
    from skill.memory.store import SALT_VARIABLE, default_database_path
    from skill.wyoming.conversations import Conversations
    from skill.wyoming.service import serve
    from skill.wyoming.turns import SpeakerSkill

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    environ = options_environment(args)
    try:
        settings = settings_from_env(environ)
        require_own_salt(settings, environ)   # as the Alexa endpoint: skill/memory/settings.py
        conversations = Conversations(args.conversation_idle, args.max_conversations)
        records = DeviceRecords(default_database_path(environ)) if settings.memory_enabled else None
        skill = SpeakerSkill(args.locale, settings, records,
                             conversations=conversations, salt=environ.get(SALT_VARIABLE))
    except (ValueError, ContentError) as problem:
        print(f"wyoming: {problem}", file=sys.stderr)
        return 2
    where = f"memory in {records.path}" if records is not None else "memory off"
    print(f"Sciatica Check for Wyoming at {args.uri} ({args.locale}; {settings.profile}: {where})",
          file=sys.stderr, flush=True)
    try:
        asyncio.run(serve(skill, args.uri, args.connection_idle, args.max_connections))
    except KeyboardInterrupt:
        pass
    return 0


def _check_content(args) -> int:
    failed = False
    for locale in available_locales():
        try:
            content = load_content(locale)
            print(f"{locale}: ok ({len(content.screen_questions)} questions, "
                  f"{len(content.advice)} advice chunks)")
            from skill.alexa.app import check_companion_content
            for path in check_companion_content(locale):
                print(f"{locale}: {path.name}: ok")
        except ContentError as error:
            failed = True
            print(error, file=sys.stderr)
    return 1 if failed else 0


def _write_model(args) -> int:
    from skill.language.interaction_model import write_interaction_model

    for locale in available_locales():
        print(write_interaction_model(locale, Path(args.directory)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
