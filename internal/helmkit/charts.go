package helmkit

import "strings"

// Chart is a pinned Helm chart from its official repository.
type Chart struct {
	Name       string
	Repo       string
	Version    string
	AppVersion string
}

// Mirrored is the chart as a mirror serves it (platform:helm.repository): an HTTP(S) Helm
// repository holding the same names and versions, or an OCI registry path under which each
// chart is <path>/<name>. "" is the chart's upstream repository.
func (c Chart) Mirrored(repository string) Chart {
	if repository != "" {
		c.Repo = repository
	}
	return c
}

// OCI is whether the chart comes from an OCI registry (then its reference is Ref, and Helm
// takes no repository).
func (c Chart) OCI() bool { return strings.HasPrefix(c.Repo, "oci://") }

// Ref is how a release names the chart: its name in a Helm repository, or its full OCI
// reference.
func (c Chart) Ref() string {
	if c.OCI() {
		return strings.TrimSuffix(c.Repo, "/") + "/" + c.Name
	}
	return c.Name
}

// All are the pinned charts, in a stable order (what a mirror must hold).
func All() []Chart {
	c := Charts
	return []Chart{c.LoadBalancerController, c.ExternalDNS, c.ExternalSecrets, c.ClusterAutoscaler,
		c.KubePrometheusStack, c.Loki, c.Tempo, c.Alloy, c.ArgoCD}
}

// Charts pins every Helm chart the platform installs, Argo CD's too, in one place. Versions
// are the newest releases in the upstream repositories as read on 2026-11-23 (snapshots of
// 2026-08); each comment says where. Bump a chart here, re-read its values.yaml for the keys
// the addon's file sets, and run the tests (they check the pins and the values).
var Charts = struct {
	LoadBalancerController, ExternalDNS, ExternalSecrets, ClusterAutoscaler,
	KubePrometheusStack, Loki, Tempo, Alloy, ArgoCD Chart
}{
	// kubernetes-sigs/aws-load-balancer-controller helm/aws-load-balancer-controller/Chart.yaml (tag v3.5.0;
	// aws/eks-charts index 2026-08-03)
	LoadBalancerController: Chart{"aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.5.0", "v3.5.0"},
	// kubernetes-sigs/external-dns charts/external-dns/Chart.yaml (tag external-dns-helm-chart-1.21.1)
	ExternalDNS: Chart{"external-dns", "https://kubernetes-sigs.github.io/external-dns/", "1.21.1", "0.21.0"},
	// external-secrets/external-secrets deploy/charts/external-secrets/Chart.yaml (tag helm-chart-2.9.0)
	ExternalSecrets: Chart{"external-secrets", "https://charts.external-secrets.io", "2.9.0", "v2.9.0"},
	// kubernetes/autoscaler cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml (tag cluster-autoscaler-chart-9.59.0)
	ClusterAutoscaler: Chart{"cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.59.0", "1.35.0"},
	// prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml (its Grafana
	// subchart 12.11.1 now comes from grafana-community/helm-charts)
	KubePrometheusStack: Chart{"kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "88.5.3", "v0.93.1"},
	// grafana-community/helm-charts charts/loki/Chart.yaml: the open-source Loki chart moved
	// there in March 2026 (grafana/loki's chart is now Enterprise Logs only).
	Loki: Chart{"loki", "https://grafana-community.github.io/helm-charts", "18.11.0", "3.7.6"},
	// grafana-community/helm-charts charts/tempo/Chart.yaml: single-binary Tempo 2.x
	// (tempo-distributed 3.x needs Kafka).
	Tempo: Chart{"tempo", "https://grafana-community.github.io/helm-charts", "2.2.4", "2.10.8"},
	// grafana/alloy operations/helm/charts/alloy/Chart.yaml (Promtail is end of life since
	// March 2026; Loki's docs point to Alloy).
	Alloy: Chart{"alloy", "https://grafana.github.io/helm-charts", "1.11.1", "v1.18.1"},
	// argoproj/argo-helm charts/argo-cd/Chart.yaml
	ArgoCD: Chart{"argo-cd", "https://argoproj.github.io/argo-helm", "10.1.1", "v3.4.4"},
}

// AutoscalerImageTags are the newest Cluster Autoscaler patch releases per Kubernetes minor
// (kubernetes/autoscaler tags cluster-autoscaler-X.Y.Z); the autoscaler must match the
// cluster's minor version. Every supported Kubernetes version has an entry (a test checks).
var AutoscalerImageTags = map[string]string{
	"1.31": "v1.31.5",
	"1.32": "v1.32.7",
	"1.33": "v1.33.6",
	"1.34": "v1.34.5",
	"1.35": "v1.35.2",
	"1.36": "v1.36.1",
}
