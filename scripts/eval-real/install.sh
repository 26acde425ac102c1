#!/usr/bin/env bash
# Fetches the public material of the real-source evaluation into target/eval-real/ (nothing is
# installed system-wide, nothing fetched is committed), on a Debian 12 machine with Node 20, npm,
# Python 3.11 and apt:
#   - Debian binary packages, downloaded with `apt-get download` and unpacked with dpkg-deb -x:
#     wfuzz and wapiti (attack wordlists), fortunes, fortunes-min, fortunes-de (prose),
#     wamerican, wfrench (word lists: names and words with apostrophes);
#   - the source package of modsecurity-crs (OWASP Core Rule Set 3.3.4: rules and regression
#     tests), with `apt-get source --download-only` from a deb-src list private to target/ (the
#     machine's own apt sources are left alone);
#   - a venv in target/eval-real/venv with scripts/eval-real/requirements.txt (real PCRE2 and
#     libinjection for the WAF emulation, PyYAML for CRS's tests).
# Idempotent: each step is skipped when its marker is present; EVAL_REAL_REINSTALL=1 redoes them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/target/eval-real"
mat="$out/material"
mkdir -p "$out" "$mat"
re="${EVAL_REAL_REINSTALL:-0}"
export DEBIAN_FRONTEND=noninteractive

debs=(wfuzz wapiti fortunes fortunes-min fortunes-de wamerican wfrench)
if [ ! -f "$mat/.debs" ] || [ "$re" = 1 ]; then
  echo "eval-real: apt-get download ${debs[*]}" >&2
  mkdir -p "$out/debs" && rm -f "$out"/debs/*.deb
  if ! (cd "$out/debs" && apt-get download "${debs[@]}" >/dev/null 2>&1); then
    apt-get update -qq >&2
    (cd "$out/debs" && apt-get download "${debs[@]}" >/dev/null 2>&1)
  fi
  rm -rf "$mat/root" && mkdir -p "$mat/root"
  : > "$mat/versions.tsv"
  for d in "$out"/debs/*.deb; do
    dpkg-deb -x "$d" "$mat/root"
    printf '%s\t%s\n' "$(dpkg-deb -f "$d" Package)" "$(dpkg-deb -f "$d" Version)" >> "$mat/versions.tsv"
  done
  touch "$mat/.debs"
fi

if [ ! -f "$mat/.crs" ] || [ "$re" = 1 ]; then
  echo "eval-real: apt-get source --download-only modsecurity-crs" >&2
  apt_dir="$out/apt-src"
  rm -rf "$apt_dir" && mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/src"
  cat > "$apt_dir/src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  opts=(-o "Dir::Etc::SourceList=$apt_dir/src.sources" -o "Dir::Etc::SourceParts=$apt_dir/none"
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
  apt-get "${opts[@]}" update -qq >&2
  (cd "$apt_dir/src" && apt-get "${opts[@]}" source --download-only modsecurity-crs >/dev/null 2>&1)
  rm -rf "$mat/crs" && mkdir -p "$mat/crs"
  tar xzf "$apt_dir"/src/modsecurity-crs_*.orig.tar.gz -C "$mat/crs" --strip-components=1
  dsc=$(ls "$apt_dir"/src/modsecurity-crs_*.dsc)
  printf 'modsecurity-crs (source)\t%s\n' "$(sed -n 's/^Version: //p' "$dsc")" >> "$mat/versions.tsv"
  touch "$mat/.crs"
fi

req="$root/scripts/eval-real/requirements.txt"
if [ ! -x "$out/venv/bin/python" ] || ! cmp -s "$req" "$out/venv/.requirements.txt" || [ "$re" = 1 ]; then
  echo "eval-real: pip install -r scripts/eval-real/requirements.txt into target/eval-real/venv" >&2
  if ! python3 -m venv "$out/venv" 2>/dev/null; then
    apt-get install -y -qq --no-install-recommends python3-venv >&2
    python3 -m venv "$out/venv"
  fi
  "$out/venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  cp "$req" "$out/venv/.requirements.txt"
fi

if [ ! -d "$root/node_modules/user-agents" ] || [ ! -d "$root/node_modules/arcjet" ]; then
  echo "eval-real: npm ci in the project (user-agents, crawler-user-agents, disposable-email-domains, arcjet)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
"$out/venv/bin/python" "$root/scripts/eval-real/extract.py" 2>/dev/null # payloads.json, benign.json
echo "eval-real: material ready in target/eval-real/material" >&2
