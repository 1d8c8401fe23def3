#!/usr/bin/env bash
# Makes `chromium` available for the HTML report render test. Idempotent: does
# nothing when chromium is already on PATH; otherwise installs Debian's
# `chromium` package with apt-get (through sudo only when not root).
# Recommends are skipped (GL drivers, sandbox helper, desktop bits are not
# needed headless); one font package is added so text renders in screenshots.
# Exits non-zero with a message on stderr when it cannot install.
set -euo pipefail

log() { printf '[install-chromium] %s\n' "$*" >&2; }
fail() { log "ERROR: $*"; exit 2; }
# no redirection to /dev/null: some sandboxes do not let every user open it
have() { [ -n "$(command -v "$1")" ]; }

if have chromium; then
  log "chromium already on PATH: $(command -v chromium)"
  exit 0
fi

have apt-get \
  || fail "chromium is not on PATH and apt-get is not available; install chromium with your package manager"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo && sudo -n true >&2; then
    SUDO="sudo -n"
  else
    fail "chromium is not on PATH and installing it needs root: run 'apt-get install -y chromium' as root (or allow passwordless sudo)"
  fi
fi

log "installing chromium with apt-get (this can take a few minutes)"
$SUDO apt-get update -qq >&2 || fail "apt-get update failed"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 \
  || fail "apt-get install -y chromium failed (see the apt output above)"

have chromium \
  || fail "apt-get reported success but chromium is still not on PATH"
log "installed: $(command -v chromium)"
