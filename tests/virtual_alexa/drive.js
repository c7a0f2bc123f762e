#!/usr/bin/env node
// Drive a running Sciatica Check server with virtual-alexa (pinned to 0.7.8 in package.json),
// the way a person talks to it: spoken words in, through the project's own interaction model.
//
// Usage: node tests/virtual_alexa/drive.js < scenario.json
//
// scenario.json:
//   {"skillURL": "http://127.0.0.1:PORT/",            the Flask endpoint (POST /)
//    "model": "interaction_model/en-US.json",         the interaction model virtual-alexa uses
//    "locale": "en-US",                               optional (default en-US)
//    "conversations": [["open sciatica check", "no", ...], ...]}
// Each conversation runs on a fresh VirtualAlexa (a new user and a new session). A turn is
// what the person says, as a string; {"say": "...", "literal": true} hands the words to
// virtual-alexa's utter() untouched (see the one-shot note below).
//
// Prints to stdout a JSON list with one list per conversation, one entry per turn:
//   {"said": words, "how": "utter" | "one-shot" | "fallback" | "literal",
//    "sent": {"type", "intent", "slots": {name: {"value", "status", "ids"}}, "new",
//             "attributes"},                       what virtual-alexa POSTed to the skill
//    "response": the skill's JSON response}          or {"error": "..."}; the conversation
//                                                      stops at its first error.
//
// Where virtual-alexa 0.7.8 differs from Alexa, and what this driver does about it:
//
// * One-shot invocations. utter() turns ANY utterance containing "ask", "open", "launch",
//   "tell" or "talk to" into a bare LaunchRequest unless it has the form "ask X to Y". So
//   utter("ask sciatica check, I can't control my bladder") sends a LaunchRequest and the
//   words about the bladder are lost (the skill just says its welcome; the test pins this
//   with a "literal" turn). Alexa instead opens a NEW session and sends the rest of the
//   sentence as an IntentRequest. The driver does the same: for "<ask|tell|open|launch|talk
//   to> <invocation name>[,] [to|that|about|if|whether] <rest>" it starts a new session and
//   utters <rest>, so the words still go through the interaction model (intent matching, slot
//   filling, entity resolution) rather than a hand-written intend() call. The request then
//   has session.new = true, exactly as a one-shot does.
// * No intent matches. utter() throws "Unable to match utterance" where Alexa would send
//   AMAZON.FallbackIntent (the model declares it). The driver sends that intent instead.
// * Slot values only resolve (and custom-slot samples only match at all) when the words
//   equal a value name or synonym exactly; contractions are literal ("i've" is not
//   "i have"). Nothing to work around: the model lists the phrasings people use.
"use strict";

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1"; // aws-sdk v2 banner on stderr

const fs = require("fs");
const path = require("path");

let VirtualAlexa;
try {
  ({ VirtualAlexa } = require("virtual-alexa"));
} catch (error) {
  process.stderr.write("cannot load virtual-alexa: run `npm ci` in the repository root\n" +
                       `(${error.message})\n`);
  process.exit(3);
}

const LAUNCH_VERBS = "(?:ask|tell|open|launch|talk to)";
const CONNECTORS = "(?:(?:to|that|about|if|whether|for)\\s+)?";

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function oneShotRest(words, invocationName) {
  const pattern = new RegExp(
    `^\\s*(?:alexa[\\s,]+)?${LAUNCH_VERBS}\\s+${escapeRegExp(invocationName)}[\\s,]+` +
    `${CONNECTORS}(.*\\S)\\s*$`, "i");
  const match = pattern.exec(words);
  return match ? match[1] : null;
}

function summarise(json) {
  const request = json.request || {};
  const sent = { type: request.type, new: json.session ? json.session.new : null,
                 attributes: json.session ? (json.session.attributes || null) : null };
  if (request.intent) {
    sent.intent = request.intent.name;
    sent.slots = {};
    for (const [name, slot] of Object.entries(request.intent.slots || {})) {
      const authorities = (slot.resolutions && slot.resolutions.resolutionsPerAuthority) || [];
      sent.slots[name] = {
        value: slot.value === undefined ? null : slot.value,
        status: authorities.length ? authorities[0].status.code : null,
        ids: authorities.flatMap((a) => (a.values || []).map((v) => v.value.id)),
      };
    }
  }
  if (request.reason) sent.reason = request.reason;
  return sent;
}

async function runConversation(scenario, modelPath, invocationName, hasFallback, turns) {
  const alexa = VirtualAlexa.Builder()
    .skillURL(scenario.skillURL)
    .interactionModelFile(modelPath)
    .locale(scenario.locale || "en-US")
    .create();
  let sent = null;
  alexa.filter((json) => { sent = JSON.parse(JSON.stringify(json)); });

  const results = [];
  for (const turn of turns) {
    const words = typeof turn === "string" ? turn : turn.say;
    const literal = typeof turn === "object" && turn !== null && turn.literal === true;
    const result = { said: words, how: literal ? "literal" : "utter" };
    sent = null;
    try {
      let response;
      const rest = literal ? null : oneShotRest(words, invocationName);
      if (rest !== null) {
        result.how = "one-shot";
        alexa.context().newSession();   // an invocation always opens a new session
        response = await alexa.utter(rest);
      } else {
        try {
          response = await alexa.utter(words);
        } catch (error) {
          const unmatched = error instanceof Error && /^Unable to match utterance/.test(error.message);
          if (!unmatched || literal || !hasFallback) throw error;
          result.how = "fallback";
          response = await alexa.intend("AMAZON.FallbackIntent");
        }
      }
      result.sent = sent ? summarise(sent) : null;
      // SkillResponse wraps the raw JSON; copy its own data fields back out.
      result.response = JSON.parse(JSON.stringify(response));
    } catch (error) {
      result.sent = sent ? summarise(sent) : null;
      result.error = error instanceof Error ? error.message : String(error);
      results.push(result);
      break;
    }
    results.push(result);
  }
  return results;
}

async function main() {
  const scenario = JSON.parse(fs.readFileSync(0, "utf8"));
  const modelPath = path.resolve(scenario.model);
  const model = JSON.parse(fs.readFileSync(modelPath, "utf8"));
  const languageModel = (model.interactionModel || model).languageModel;
  const invocationName = languageModel.invocationName;
  const hasFallback = languageModel.intents.some((i) => i.name === "AMAZON.FallbackIntent");
  const output = [];
  for (const turns of scenario.conversations) {
    output.push(await runConversation(scenario, modelPath, invocationName, hasFallback, turns));
  }
  process.stdout.write(JSON.stringify(output) + "\n");
}

main().catch((error) => {
  process.stderr.write(`drive.js failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
});
