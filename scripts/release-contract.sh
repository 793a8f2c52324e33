#!/usr/bin/env bash
# Releases the contract: tags the current commit vX.Y.Z and writes releases/contract-vX.Y.Z.binpb (the buf image of
# proto/ at that tag), the file CI's `buf breaking` checks against. Then point CONTRACT_RELEASE in .ci/run at it
# and commit both. Usage: scripts/release-contract.sh v0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release-contract.sh vX.Y.Z}
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release-contract: \"$version\" is not vX.Y.Z" >&2; exit 2; }
git diff --quiet -- proto || { echo "release-contract: proto/ has uncommitted changes; commit them first" >&2; exit 1; }
git tag -a "$version" -m "contract $version"
npx buf build ".git#tag=$version,subdir=proto" -o "releases/contract-$version.binpb"
echo "release-contract: tagged $version and wrote releases/contract-$version.binpb; set CONTRACT_RELEASE=$version in .ci/run and commit"
