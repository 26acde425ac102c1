#!/usr/bin/env bash
# The servers and tools the tests use beyond Node and Rust, installed with apt-get when missing:
# strace (the security test traces the refine path's system calls) and redis-server (the store
# tests start their own on a free port). Fails loudly when they are missing and cannot be installed.
set -euo pipefail
missing=()
command -v strace >/dev/null || missing+=(strace)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} with apt-get" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
# The package starts a system-wide server on 6379; the tests need none.
$sudo service redis-server stop >/dev/null 2>&1 || true
