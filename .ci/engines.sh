#!/usr/bin/env bash
# Builds the enforcing engines the boundary tests ask (tests/engines/*: each a Go module of its
# own, so their dependencies stay out of the program's) and the Helm CLI the network policy
# test renders the pinned charts with, once: the binaries are cached. Prints the directory to
# export as PLATFORM_ENGINES.
#   argocd-engine  Argo CD v3.3.19's AppProject checks (tests/engines/argocd)
#   netpol-engine  cyclonus v0.5.6's NetworkPolicy evaluator (tests/engines/netpol)
#   loki           Loki v3.7.6, the log store, multi-tenant (tests/engines/loki: Loki's replaces)
#   prom-label-proxy  prom-label-proxy v0.15.0, the teams' metrics proxy
#   iam-engine     @cloud-copilot/iam-simulate and iam-data, AWS's IAM decisions (tests/engines/iam:
#                  npm ci from its lockfile; Node.js; AGPL test tools, run as a separate process)
#   kube-controller-manager  kube-controller-manager v1.31.14, the test API server's version
#                  (tests/engines/kcm): the namespace, garbage-collector and resource-quota
#                  controllers beside the API server for the real Kubernetes provider's test
#   amconfig-engine  prometheus-operator v0.93.1's Alertmanager config builder (tests/engines/amconfig):
#                  how the operator merges and confines the teams' AlertmanagerConfigs
#   helm           Helm v3.22.1 (helm.sh/helm/v3/cmd/helm)
#   actionlint     actionlint v1.7.12, GitHub Actions' workflow checker (github.com/rhysd/actionlint)
# Cold: ~20 min on 2 cores beside nothing else (Argo CD's and Loki's packages are most of it);
# cached: instant. A binary is rebuilt when its module's go.mod, go.sum or source changes.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=${PLATFORM_TESTBIN:-$HOME/.cache/platform-testbin}
HELM_VERSION=v3.22.1
export GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"

build_engine() { # name dir [package: default the module's own main]
	local name=$1 dir=$2 pkg=${3:-.} sum dest
	sum=$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go | sha256sum | cut -c1-16)
	dest=$ROOT/engines/$name-$sum
	if [ ! -x "$dest/$name" ]; then
		echo "[engines] building $name ($dir)" >&2
		mkdir -p "$dest"
		(cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$dest/$name" "$pkg") >&2
	fi
	ln -sf "$dest/$name" "$OUT/$name"
}

OUT=$ROOT/engines/bin
mkdir -p "$OUT"
build_engine argocd-engine tests/engines/argocd &
A=$!
build_engine netpol-engine tests/engines/netpol &
N=$!
build_engine loki tests/engines/loki github.com/grafana/loki/v3/cmd/loki &
K=$!
build_engine kube-controller-manager tests/engines/kcm k8s.io/kubernetes/cmd/kube-controller-manager &
C=$!
build_engine amconfig-engine tests/engines/amconfig &
M=$!

# The IAM engine: its lockfile's packages, installed beside a copy of engine.mjs.
install_iam() {
	local dir=tests/engines/iam sum dest
	command -v node >/dev/null && command -v npm >/dev/null || { echo "[engines] Node.js and npm are required for the IAM engine" >&2; return 1; }
	sum=$(cat "$dir"/package.json "$dir"/package-lock.json "$dir"/engine.mjs | sha256sum | cut -c1-16)
	dest=$ROOT/engines/iam-$sum
	if [ ! -f "$dest/.installed" ]; then
		echo "[engines] installing the IAM engine (npm ci)" >&2
		rm -rf "$dest" && mkdir -p "$dest"
		cp "$dir"/package.json "$dir"/package-lock.json "$dir"/engine.mjs "$dest"/
		(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund) >&2
		touch "$dest/.installed"
	fi
	printf '#!/bin/sh\nexec node "%s/engine.mjs" "$@"\n' "$dest" >"$OUT/iam-engine"
	chmod +x "$OUT/iam-engine"
}
install_iam &
I=$!
# build_tool name module version package [ldflags]: a released tool from the Go module proxy.
build_tool() {
	local name=$1 module=$2 version=$3 pkg=$4 ldflags=${5:-} dest=$ROOT/$1-$3 work
	if [ ! -x "$dest/$name" ]; then
		echo "[engines] building $name $version" >&2
		work=$(mktemp -d)
		(cd "$work" && printf 'module %scli\n\ngo 1.26\n\nrequire %s %s\n' "$name" "$module" "$version" >go.mod &&
			GOFLAGS="-mod=mod -buildvcs=false" go build -o "$dest/$name" -ldflags "$ldflags" "$pkg") >&2
		rm -rf "$work"
	fi
	ln -sf "$dest/$name" "$OUT/$name"
}
build_tool helm helm.sh/helm/v3 "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" &
H=$!
build_tool actionlint github.com/rhysd/actionlint v1.7.12 github.com/rhysd/actionlint/cmd/actionlint &
L=$!
build_tool prom-label-proxy github.com/prometheus-community/prom-label-proxy v0.15.0 github.com/prometheus-community/prom-label-proxy &
P=$!
wait "$H"
wait "$L"
wait "$P"
wait "$K"
wait "$I"
wait "$A"
wait "$N"
wait "$C"
wait "$M"
echo "$OUT"
