#!/usr/bin/env bash
# Installs the Debian packages the test suite uses beyond Node: Python's grpcio (the Python client package test)
# and Chromium (the report page test). Idempotent: installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# python3-venv, -setuptools, -wheel: the Python package's offline install test; protobuf-compiler,
# protobuf-compiler-grpc, mypy-protobuf: its generated code (scripts/generate-clients.sh). jq: docs/grpcurl.md carries values
# from one answer to the next call with it (test/system/docs.test.ts runs the docs as written). mypy: the Python
# example is type-checked with the package's shipped types.
wanted=(python3-grpcio python3-protobuf python3-venv python3-setuptools python3-wheel protobuf-compiler protobuf-compiler-grpc mypy-protobuf mypy chromium openssl jq)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all present (${wanted[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -E"
echo "install-test-deps: installing ${missing[*]}"
if ! $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/tmp/install-test-deps.log 2>&1; then
  echo "install-test-deps: apt-get install failed; updating package lists and retrying"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update >>/tmp/install-test-deps.log 2>&1
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >>/tmp/install-test-deps.log 2>&1 || {
    tail -30 /tmp/install-test-deps.log >&2
    echo "install-test-deps: ERROR: could not install ${missing[*]}" >&2
    exit 1
  }
fi
echo "install-test-deps: done"
