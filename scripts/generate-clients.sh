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
echo "generate-clients: clients/python/gen and clients/go/gen written"
