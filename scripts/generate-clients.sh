#!/usr/bin/env bash
# Generates the Python (clients/python/gen) and Go (clients/go/gen) clients' code from proto/ (buf.gen.clients.yaml);
# part of `npm run generate`, checked for no diff in CI. Needs protoc, grpc_python_plugin and protoc-gen-mypy_grpc
# (scripts/install-test-deps.sh installs them) and the pinned Go plugins (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in protoc grpc_python_plugin protoc-gen-mypy_grpc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "generate-clients: missing ${missing[*]}: run 'bash scripts/install-test-deps.sh' (Debian packages)" >&2
  exit 1
fi
bash scripts/install-go-tools.sh >/dev/null
npx buf generate --template buf.gen.clients.yaml
# PEP 561: the generated modules are typed (their .pyi stubs), so type checkers read them instead of treating every
# message as Any. buf's `clean: true` empties gen/ first, so the markers are written after it, at every level.
for dir in clients/python/gen/stakazo clients/python/gen/stakazo/ml clients/python/gen/stakazo/ml/v1; do
  : >"$dir/py.typed"
done
echo "generate-clients: clients/python/gen and clients/go/gen written"
