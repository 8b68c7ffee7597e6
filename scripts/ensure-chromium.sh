#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (test/e2e/docs-browser.e2e-spec.ts drives it with playwright-core, which never downloads a browser).
#   1. it is there: do nothing (quiet);
#   2. as root: apt-get install chromium (updating the package lists first if apt cannot find it);
#   3. otherwise: fail, saying what to run.
# Idempotent. CHROMIUM_PATH overrides the path the tests and this script look at.
set -uo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
say() { echo "ensure-chromium: $*" >&2; }

[ -x "$chromium" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  say "$chromium is missing; install it as root: sudo apt-get update && sudo apt-get install -y chromium"
  say "(or run: sudo bash scripts/ensure-chromium.sh). Without it the browser tests skip locally and fail under CI."
  exit 1
fi

command -v apt-get >/dev/null || {
  say "$chromium is missing and this is not a Debian/Ubuntu system (no apt-get): install Chromium and set CHROMIUM_PATH"
  exit 1
}

export DEBIAN_FRONTEND=noninteractive
say "installing chromium with apt-get"
apt-get install -y -qq chromium >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || {
  say "apt-get install chromium failed"
  exit 1
}

[ -x "$chromium" ] || {
  say "chromium was installed but $chromium is not there: set CHROMIUM_PATH"
  exit 1
}
say "$("$chromium" --version 2>/dev/null | tail -n 1)"
