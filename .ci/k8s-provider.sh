#!/usr/bin/env bash
# Builds the real Kubernetes provider (pulumi-resource-kubernetes) from its source on the Go
# module proxy, for the engine tests that run it against the test API server (issue 24), once:
# the binary is cached. Prints the directory holding it.
#
# The module's go.mod replaces the SDK with ../sdk (its repository's layout): the script drops
# that line, so the SDK version it requires is used. main.go embeds schema-embed.json and
# terraform-mapping-embed.json, which its own `go generate` (generate.go) writes from the
# schema.json and terraform-mapping.json beside them, stamped with VERSION.
set -Eeuo pipefail
MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
SOURCE=v4.0.0-20260115033456-f47bc2d6f199
# The plugin version the program's SDK (go.mod: pulumi-kubernetes/sdk/v4) asks the engine for.
VERSION=${PLATFORM_K8S_PROVIDER_VERSION:-4.33.0}
ROOT=${PLATFORM_TESTBIN:-$HOME/.cache/platform-testbin}
DEST=$ROOT/pulumi-resource-kubernetes-$SOURCE
if [ -x "$DEST/pulumi-resource-kubernetes" ]; then
	echo "[k8s-provider] already built in $DEST" >&2
	echo "$DEST"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$(GOFLAGS=-mod=mod go mod download -json "$MODULE@$SOURCE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
cp -r "$dir" "$work/provider"
chmod -R u+w "$work/provider"
cd "$work/provider"
sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => ..\/sdk$/d' go.mod
echo "[k8s-provider] generating the embedded schema (version $VERSION)" >&2
(cd cmd/pulumi-resource-kubernetes && GOWORK=off GOFLAGS=-mod=mod VERSION=$VERSION go run ./generate.go) >&2
echo "[k8s-provider] building $MODULE@$SOURCE (cold: ~15 min on 2 cores alone, peak ~5 GB)" >&2
mkdir -p "$DEST.tmp"
GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" go build -o "$DEST.tmp/pulumi-resource-kubernetes" \
	-ldflags "-X $MODULE/pkg/version.Version=$VERSION" ./cmd/pulumi-resource-kubernetes >&2
mv "$DEST.tmp" "$DEST"
echo "$DEST"
