#!/usr/bin/env bash
# Installs every client that capture-clients.mjs records, on a fresh Debian 12 machine that has
# Rust, Node 20, npm, Python 3.11, gcc and apt (and java 17). Idempotent: a step whose marker is
# present is skipped; MATERIAL_REINSTALL=1 redoes them all. Nothing goes into the project's
# node_modules: npm clients go to target/material/node, Python ones to target/material/venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/target/material"
mkdir -p "$out"
reinstall="${MATERIAL_REINSTALL:-0}"

apt_pkgs=(
  curl wget                         # cli
  chromium firefox-esr              # real browsers (Debian builds, no download of their own)
  xvfb xdotool fonts-liberation     # headful browsers on a virtual display, clicked by a real X event
  php-cli php-curl ruby libwww-perl # other languages' HTTP clients
  lynx w3m                          # text-mode browsers
  openjdk-17-jdk-headless           # java.net.http.HttpClient (single-file source launcher)
  python3-venv                      # the venv of the Python clients
)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ] || [ "$reinstall" = 1 ]; then
  echo "material: apt-get install ${missing[*]:-${apt_pkgs[*]}}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >&2
fi

# Python clients, pinned.
req="$root/scripts/material/requirements.txt"
if [ ! -x "$out/venv/bin/python" ] || ! cmp -s "$req" "$out/venv/.requirements.txt" || [ "$reinstall" = 1 ]; then
  echo "material: pip install -r scripts/material/requirements.txt into target/material/venv" >&2
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  cp "$req" "$out/venv/.requirements.txt"
fi

# npm clients, pinned by the lockfile; browsers are never downloaded (Debian's are used).
lock="$root/scripts/material/node/package-lock.json"
if [ ! -d "$out/node/node_modules" ] || ! cmp -s "$lock" "$out/node/package-lock.json" || [ "$reinstall" = 1 ]; then
  echo "material: npm ci into target/material/node" >&2
  mkdir -p "$out/node"
  cp "$root/scripts/material/node/package.json" "$lock" "$out/node/"
  (cd "$out/node" && PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# bun and deno come with the project's own devDependencies.
if [ ! -x "$root/node_modules/.bin/bun" ] || [ ! -x "$root/node_modules/.bin/deno" ]; then
  echo "material: npm ci in the project (bun, deno, arcjet)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "material: clients installed" >&2
