#!/usr/bin/env bash
# Renders an eval report (report.html) to a PNG with headless Chromium, so anyone can see it.
# Usage: scripts/report_screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]   (default 1200x2600)
set -euo pipefail
report="$(readlink -f "$1")"
png="$(readlink -f "$(dirname "$2")")/$(basename "$2")"
size="${3:-1200x2600}"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "report_screenshot.sh: needs chromium (Debian: apt-get install chromium)" >&2
    exit 1
  fi
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$png" "file://$report" 2>/dev/null
echo "wrote $png"
