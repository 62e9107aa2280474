#!/usr/bin/env bash
# Builds the Pulumi CLI v3.250.0 from the Go module proxy (module github.com/pulumi/pulumi/pkg/v3,
# package cmd/pulumi, with the clipboard replace pkg's own go.mod has) for the engine tests
# (tests/engine_*_test.go, internal/runner/e2e_test.go), once: the binary is cached. Prints the
# directory to put on PATH.
# Cold: ~12 min on 2 cores (measured 2026-11-23, downloads included); cached: instant.
set -Eeuo pipefail
VERSION=v3.250.0
ROOT=${PLATFORM_TESTBIN:-$HOME/.cache/platform-testbin}
DEST=$ROOT/pulumi-$VERSION
if [ -x "$DEST/pulumi" ] && [ "$("$DEST/pulumi" version 2>/dev/null)" = "$VERSION" ]; then
	echo "[pulumi-cli] $VERSION already built in $DEST" >&2
	echo "$DEST"
	exit 0
fi
mkdir -p "$DEST"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/go.mod" <<MOD
module pulumicli

go 1.26

require github.com/pulumi/pulumi/pkg/v3 $VERSION

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
echo "[pulumi-cli] building pulumi $VERSION (cold: ~12 min)" >&2
cd "$work"
GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" go build -o "$DEST/pulumi" \
	-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
	github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
"$DEST/pulumi" version >&2
echo "$DEST"
