// Package images records the container images the pinned charts run and the CPU
// architectures each is published for, with the evidence. Nothing here can ask a registry at
// plan time, so the table is data reviewed like code: tests/chartimages_test.go renders every
// pinned chart with the stacks' values and fails on an image missing here (a chart bump cannot
// slip an unlisted image in), and config validation refuses an arm64 node group while any
// image the platform runs lacks arm64.
package images

import (
	"fmt"
	"slices"
	"strings"
)

// Image is one image reference's architectures and how they are known.
type Image struct {
	Arches []string // linux architectures, Go names (amd64, arm64, ...)
	// Evidence names the upstream build configuration that publishes those architectures
	// (a Makefile, workflow or goreleaser line). Read says whether it was read from the
	// upstream repository when the table was written (2026-12-08), or is stated from the
	// project's documented release practice and still to be re-read at the tag.
	Evidence string
	Read     bool
}

// Table maps each image reference (registry/repository:tag, digest dropped) to its entry.
var Table = map[string]Image{
	// alloy-1.11.1
	"docker.io/grafana/alloy:v1.18.1":                                {[]string{"amd64", "arm64", "ppc64le", "s390x"}, "grafana/alloy Makefile/CI: docker buildx --platform linux/amd64,linux/arm64,linux/ppc64le,linux/s390x", false},
	"quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0": {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus-operator/prometheus-operator .github/workflows/publish.yaml: per-arch images amd64 arm64 arm ppc64le s390x under one manifest list", false},
	// argo-cd-10.1.1
	"ecr-public.aws.com/docker/library/haproxy:3.3.10-alpine": {[]string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"}, "docker-library/official-images library/haproxy: Architectures line of the alpine tags (a Docker Official Image mirrored on ECR Public)", false},
	"ecr-public.aws.com/docker/library/redis:8.2.3-alpine":    {[]string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"}, "docker-library/official-images library/redis: Architectures line of the alpine tags (Docker Official Image mirrored on ECR Public)", false},
	"ghcr.io/dexidp/dex:v2.45.1":                              {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "dexidp/dex .github/workflows/artifacts.yaml: platforms linux/amd64,linux/arm/v7,linux/arm64,linux/ppc64le,linux/s390x", false},
	"koalaman/shellcheck:v0.11.0":                             {[]string{"amd64", "arm64", "arm"}, "koalaman/shellcheck .github/workflows/build.yml: deploy builds and pushes multi-arch manifests for amd64, arm64, armv6", false},
	"quay.io/argoproj/argocd:v3.4.4":                          {[]string{"amd64", "arm64", "ppc64le", "s390x"}, "argoproj/argo-cd .github/workflows/image-reuse.yaml via release.yaml: platforms linux/amd64,linux/arm64,linux/s390x,linux/ppc64le", false},
	// aws-load-balancer-controller-3.5.0
	"public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0": {[]string{"amd64", "arm64"}, "kubernetes-sigs/aws-load-balancer-controller Makefile: IMG_PLATFORM ?= linux/amd64,linux/arm64 (ko build --platform)", true},
	// cluster-autoscaler-9.59.0
	"registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2": {[]string{"amd64", "arm64", "s390x"}, "kubernetes/autoscaler cluster-autoscaler/Makefile: ALL_ARCH = amd64 arm64 s390x, pushed as a manifest list by the image promoter", false},
	// external-dns-1.21.1
	"registry.k8s.io/external-dns/external-dns:v0.21.0": {[]string{"amd64", "arm64", "arm"}, "kubernetes-sigs/external-dns .ko.yaml / Makefile: platforms linux/amd64,linux/arm64,linux/arm/v7", false},
	// external-secrets-2.9.0
	"ghcr.io/external-secrets/external-secrets:v2.9.0": {[]string{"amd64", "arm64", "ppc64le"}, "external-secrets/external-secrets Makefile: ARCH ?= amd64 arm64 ppc64le (docker.build builds each)", true},
	// kube-prometheus-stack-88.5.3
	"docker.io/bats/bats:1.14.0":                                     {[]string{"amd64", "arm64"}, "bats-core/bats-core .github/workflows/release.yml: docker buildx platforms linux/amd64,linux/arm64 (chart test hook only)", false},
	"docker.io/grafana/grafana:13.2.0":                               {[]string{"amd64", "arm64", "arm"}, "grafana/grafana release pipeline: images for linux/amd64, linux/arm64, linux/arm/v7", false},
	"docker.io/library/busybox:1.38.0":                               {[]string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"}, "docker-library/official-images library/busybox: Architectures line (Grafana's init container)", false},
	"quay.io/kiwigrid/k8s-sidecar:2.10.1":                            {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "kiwigrid/k8s-sidecar .github/workflows/release.yaml: platforms linux/amd64,linux/arm64,linux/arm/v7,linux/ppc64le,linux/s390x", false},
	"docker.io/kiwigrid/k8s-sidecar:2.10.1":                          {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "kiwigrid/k8s-sidecar .github/workflows/release.yaml: the same build pushed to Docker Hub", false},
	"quay.io/prometheus-operator/prometheus-operator:v0.93.1":        {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus-operator/prometheus-operator .github/workflows/publish.yaml: amd64 arm64 arm ppc64le s390x", false},
	"quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1": {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus-operator/prometheus-operator .github/workflows/publish.yaml: amd64 arm64 arm ppc64le s390x", false},
	"quay.io/prometheus/alertmanager:v0.34.0":                        {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus/alertmanager Makefile: DOCKER_ARCHS ?= amd64 armv7 arm64 ppc64le s390x (Makefile.common docker-manifest)", false},
	"quay.io/prometheus/prometheus:v3.14.0-distroless":               {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus/prometheus Makefile: DOCKER_ARCHS ?= amd64 armv7 arm64 ppc64le s390x; Makefile.common common-docker-manifest joins them", true},
	"ghcr.io/jkroepke/kube-webhook-certgen:1.8.7":                    {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "jkroepke/kube-webhook-certgen .goreleaser.yaml: dockers_v2 platforms linux/amd64, linux/arm64, linux/arm/v7, linux/ppc64le, linux/s390x", false},
	"quay.io/prometheus/node-exporter:v1.12.1-distroless":            {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "prometheus/node_exporter Makefile: DOCKER_ARCHS ?= amd64 armv7 arm64 ppc64le s390x", false},
	"registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0":  {[]string{"amd64", "arm64", "arm", "ppc64le", "s390x"}, "kubernetes/kube-state-metrics Makefile: ALL_ARCH = amd64 arm arm64 ppc64le s390x (read at an older commit; the list has only grown)", true},
	"quay.io/thanos/thanos:v0.42.4":                                  {[]string{"amd64", "arm64", "ppc64le"}, "thanos-io/thanos Makefile: DOCKER_ARCHS ?= amd64 arm64 ppc64le (the operator's default Thanos image; unused unless a sidecar or ThanosRuler is set)", false},
	// loki-18.11.0
	"docker.io/grafana/loki:3.7.6":                      {[]string{"amd64", "arm64", "arm"}, "grafana/loki .github/workflows/images.yml: loki-image matrix linux/amd64, linux/arm64, linux/arm joined by docker buildx imagetools create", true},
	"docker.io/nginxinc/nginx-unprivileged:1.31-alpine": {[]string{"amd64", "arm64", "arm", "386", "ppc64le", "s390x"}, "nginx/docker-nginx-unprivileged .github/workflows/main.yml: platforms linux/amd64,linux/arm/v6,linux/arm/v7,linux/arm64,linux/386,linux/ppc64le,linux/s390x", false},
	"ghcr.io/jkroepke/access-log-exporter:0.4.11":       {[]string{"amd64", "arm64", "arm"}, "jkroepke/access-log-exporter .goreleaser.yaml: docker images for linux/amd64, linux/arm64, linux/arm/v7", false},
	// tempo-2.2.4
	"docker.io/grafana/tempo:2.10.8": {[]string{"amd64", "arm64"}, "grafana/tempo Makefile / release workflow: images for linux/amd64 and linux/arm64 joined in a manifest", false},
}

// ChartImages are the images each pinned chart ("<name>-<version>") renders with the
// platform's values, dev's and prod's (tests/chartimages_test.go keeps it exact).
var ChartImages = map[string][]string{
	"alloy-1.11.1": {"docker.io/grafana/alloy:v1.18.1", "quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0"},
	"argo-cd-10.1.1": {"ecr-public.aws.com/docker/library/haproxy:3.3.10-alpine", "ecr-public.aws.com/docker/library/redis:8.2.3-alpine",
		"ghcr.io/dexidp/dex:v2.45.1", "koalaman/shellcheck:v0.11.0", "quay.io/argoproj/argocd:v3.4.4"},
	"aws-load-balancer-controller-3.5.0": {"public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0"},
	"cluster-autoscaler-9.59.0":          {"registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2"},
	"external-dns-1.21.1":                {"registry.k8s.io/external-dns/external-dns:v0.21.0"},
	"external-secrets-2.9.0":             {"ghcr.io/external-secrets/external-secrets:v2.9.0"},
	"kube-prometheus-stack-88.5.3": {"docker.io/bats/bats:1.14.0", "docker.io/grafana/grafana:13.2.0", "docker.io/library/busybox:1.38.0",
		"quay.io/kiwigrid/k8s-sidecar:2.10.1", "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
		"quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1", "quay.io/prometheus/alertmanager:v0.34.0",
		"quay.io/prometheus/prometheus:v3.14.0-distroless", "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7",
		"quay.io/prometheus/node-exporter:v1.12.1-distroless", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
		"quay.io/thanos/thanos:v0.42.4"},
	"loki-18.11.0": {"docker.io/grafana/loki:3.7.6", "docker.io/kiwigrid/k8s-sidecar:2.10.1", "docker.io/nginxinc/nginx-unprivileged:1.31-alpine",
		"ghcr.io/jkroepke/access-log-exporter:0.4.11"},
	"tempo-2.2.4": {"docker.io/grafana/tempo:2.10.8"},
}

// Ref is an image reference as the table keys it: quotes and the digest dropped.
func Ref(image string) string {
	image = strings.Trim(image, `"' `)
	if i := strings.Index(image, "@sha256:"); i >= 0 {
		image = image[:i]
	}
	return image
}

// GoArch is the image architecture a node architecture needs (x86_64 -> amd64).
func GoArch(nodeArch string) string {
	if nodeArch == "x86_64" {
		return "amd64"
	}
	return nodeArch
}

// Lacking lists, for the charts given ("<name>-<version>"), the images that are not published
// for arch (a node architecture: x86_64 or arm64), each with the chart; an image or chart
// missing from the tables is lacking too (its architectures are not known).
func Lacking(charts []string, nodeArch string) []string {
	want := GoArch(nodeArch)
	var out []string
	for _, c := range charts {
		imgs, ok := ChartImages[c]
		if !ok {
			out = append(out, fmt.Sprintf("chart %s (its images are not in internal/images)", c))
			continue
		}
		for _, img := range imgs {
			if e, ok := Table[img]; !ok || !slices.Contains(e.Arches, want) {
				out = append(out, fmt.Sprintf("%s (chart %s)", img, c))
			}
		}
	}
	return out
}
