#!/usr/bin/env bash
# Installs the Go tools the clients and the grpcurl tests use, at pinned versions, into .tools/bin (git-ignored):
# grpcurl (the docs' examples are replayed with it), protoc-gen-go and protoc-gen-go-grpc (the Go client's stubs).
# Built with `go install` through the Go module proxy into a cache outside the checkout (STAKAZO_TOOLS_CACHE, default
# ~/.cache/stakazo-ml/go-tools), so a clean checkout (CI) copies them instead of building them again. Idempotent: a
# tool already built at its pinned version is kept.
# Prints nothing else on success than one line per tool; exits non-zero when Go is missing or a build fails.
set -euo pipefail
cd "$(dirname "$0")/.."

GRPCURL_VERSION=v1.9.4
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

TOOLS=(
  "grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl $GRPCURL_VERSION"
  "protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go $PROTOC_GEN_GO_VERSION"
  "protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc $PROTOC_GEN_GO_GRPC_VERSION"
)

export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  echo "install-go-tools: ERROR: no go command (expected on PATH or in /usr/local/go/bin)" >&2
  exit 1
fi
export GOBIN="${STAKAZO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stakazo-ml/go-tools}"
mkdir -p "$GOBIN" .tools/bin

for tool in "${TOOLS[@]}"; do
  read -r name pkg version <<<"$tool"
  # `go version -m` prints the module version a binary was built from: rebuild only when it differs.
  if [ -x "$GOBIN/$name" ] && go version -m "$GOBIN/$name" 2>/dev/null | grep -Eq "^[[:space:]]mod[[:space:]].*[[:space:]]$version([[:space:]]|$)"; then
    echo "install-go-tools: $name $version present"
  else
    echo "install-go-tools: building $name $version"
    go install "$pkg@$version"
  fi
  cmp -s "$GOBIN/$name" ".tools/bin/$name" || cp "$GOBIN/$name" ".tools/bin/$name"
done
