#!/usr/bin/env node
// Exit 0 when node_modules already holds exactly what package-lock.json pins, 1 otherwise.
// `./dev test` runs this first and skips `npm ci` (which deletes and reinstalls node_modules)
// when it says yes. It is a cheap check (about 100 small JSON reads) and errs towards
// "reinstall": package.json must agree with the lock file's root entry, npm's record of the
// last install (node_modules/.package-lock.json) must equal the lock file's package list
// entry for entry, and every locked package must be on disk at its locked version.
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");

function readJSON(file) {
  return JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));
}

function same(a, b) {
  return JSON.stringify(a || {}) === JSON.stringify(b || {});
}

function installed() {
  const manifest = readJSON("package.json");
  const lock = readJSON("package-lock.json");
  const record = readJSON(path.join("node_modules", ".package-lock.json"));
  const top = lock.packages[""] || {};
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    if (!same(manifest[field], top[field])) return false;   // lock file out of date
  }
  const locked = Object.keys(lock.packages).filter((key) => key !== "");
  if (!same(locked.sort(), Object.keys(record.packages).sort())) return false;
  for (const key of locked) {
    if (!same(lock.packages[key], record.packages[key])) return false;
    const onDisk = readJSON(path.join(key, "package.json"));
    if (onDisk.version !== lock.packages[key].version) return false;
  }
  return true;
}

let ok = false;
try {
  ok = installed();
} catch (error) {
  ok = false;   // a missing or unreadable file: not installed
}
process.exit(ok ? 0 : 1);
