#!/usr/bin/env bash
# One idempotent set-up: npm packages, the TypeScript build, and Verilator +
# Icarus Verilog (and redis-server, for the distributed sweep's test) from
# Debian when they are missing. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# npm packages: install when node_modules is missing or older than the lockfile
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# simulators (and tclsh) from Debian when missing
missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v iverilog  >/dev/null 2>&1 || missing+=(iverilog)
command -v tclsh     >/dev/null 2>&1 || missing+=(tcl)       # the Vivado scripts are checked under tclsh
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the distributed sweep's test starts its own
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      log "need ${missing[*]} but cannot install without root: run 'apt-get install -y ${missing[*]}' as root"; exit 2
    fi
  fi
  log "installing ${missing[*]} with apt-get"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# TypeScript build (incremental: tsc only rewrites what changed)
log "building TypeScript"
npx tsc -p tsconfig.json
