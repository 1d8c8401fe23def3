#!/usr/bin/env bash
# Hashes the `quantrtl gen` output (RTL, ROM images, golden vectors) of every
# bundled model at its own folding and at a few overrides, one line per file:
# the before/after check of a refactor that must not change the generated RTL.
#   usage: bash scripts/rtl-hashes.sh [out-file]     (needs dist/: npm run setup)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-/dev/stdout}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli=(node bin/quantrtl)
{
  for model in models/*.json; do
    case "$model" in *.weights.json) continue ;; esac
    name=$(basename "$model" .json)
    for fold in "" "--pe 1 --simd 1" "--pe 2 --simd 8"; do
      tag="${name}${fold:+ ($fold)}"
      dir="$work/$name-$(echo "$fold" | tr -dc '0-9')"
      # shellcheck disable=SC2086
      if "${cli[@]}" gen "$model" --out "$dir" --vectors 2 $fold >/dev/null 2>"$work/err"; then
        (cd "$dir" && find . -type f ! -name ".*" | LC_ALL=C sort | xargs sha256sum) | sed "s|^|$tag |"
      else
        echo "$tag: gen failed: $(head -n 1 "$work/err")"
      fi
      rm -rf "$dir"
    done
  done
} > "$out"
