package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/chartkeys"
	"github.com/example/platform/internal/helmkit"
)

// chartKeys reads the pinned chart's key list (tests/testdata/charts/<chart>-<version>.keys,
// generated from its values.yaml by ./internal/helmkit/chartkeys). Its file name carries the
// version: bumping a pin without regenerating the list fails here.
func chartKeys(t *testing.T, c helmkit.Chart) chartkeys.ChartKeys {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "charts", c.Name+"-"+c.Version+".keys"))
	if err != nil {
		t.Fatalf("chart %s %s: no key list (generate it, see internal/helmkit/chartkeys): %v", c.Name, c.Version, err)
	}
	defer f.Close()
	keys, err := chartkeys.ReadChartKeys(f)
	if err != nil {
		t.Fatalf("%s: %v", f.Name(), err)
	}
	for _, p := range chartReads[c.Name] {
		keys.Open(p...)
	}
	return keys
}

// chartReads are what a pinned chart reads beyond its values.yaml's keys: maps its templates
// render whole (their keys are the user's), and keys its values.yaml shows only in a comment.
// Each was found in the chart's templates at its pinned tag (file: line).
var chartReads = map[string][][]string{
	"cluster-autoscaler": {
		{"extraArgs"}, // templates/deployment.yaml:136 range $key, $value := .Values.extraArgs
	},
	"kube-prometheus-stack": {
		{"grafana", "grafana.ini"},                     // grafana templates/_config.tpl:25 range over "grafana.ini"
		{"grafana", "ingress", "ingressClassName"},     // grafana templates/ingress.yaml:24
		{"grafana", "persistence", "storageClassName"}, // grafana templates/pvc.yaml:33, statefulset.yaml:63
	},
	"loki": {
		{"loki", "limits_config"},          // templates/_helpers.tpl (config): tpl (.Values.loki.limits_config | toYaml)
		{"loki", "storage", "bucketNames"}, // templates/_helpers.tpl:228 dig "storage" "bucketNames" "chunks"
	},
	"tempo": {
		{"tempo", "storage"}, // values.yaml:223 (the config template) toYaml .Values.tempo.storage
	},
	"external-secrets": {
		{"podDisruptionBudget", "maxUnavailable"},                   // templates/poddisruptionbudget.yaml:10
		{"webhook", "podDisruptionBudget", "maxUnavailable"},        // templates/webhook-poddisruptionbudget.yaml:11
		{"certController", "podDisruptionBudget", "maxUnavailable"}, // templates/cert-controller-poddisruptionbudget.yaml:10
	},
	"argo-cd": {
		{"configs", "cm"},     // templates/_helpers.tpl:219 omit .Values.configs.cm "create" "annotations", rendered whole
		{"configs", "params"}, // templates/_helpers.tpl:257 the same for argocd-cmd-params-cm
	},
}

// Helm ignores values its chart never reads. Every value the program gives every chart, in
// both stacks (extra values from config included), is one the pinned chart declares.
func TestHelmValuesAreReadByThePinnedCharts(t *testing.T) {
	charts := map[string]helmkit.Chart{}
	keys := map[string]chartkeys.ChartKeys{} // each list read once, for every release of its chart
	for _, c := range []helmkit.Chart{
		helmkit.Charts.LoadBalancerController, helmkit.Charts.ExternalDNS, helmkit.Charts.ExternalSecrets,
		helmkit.Charts.ClusterAutoscaler, helmkit.Charts.KubePrometheusStack, helmkit.Charts.Loki,
		helmkit.Charts.Tempo, helmkit.Charts.Alloy, helmkit.Charts.ArgoCD,
	} {
		charts[c.Name], keys[c.Name] = c, chartKeys(t, c)
	}
	seen := map[string]bool{}
	for _, stack := range []string{"dev", "prod"} {
		for _, rel := range stackPlan(t, stack).ofType(typeRelease) {
			c, ok := charts[getString(rel, "chart")]
			if !ok {
				t.Errorf("%s/%s: chart %q has no key list here", stack, rel.Name, getString(rel, "chart"))
				continue
			}
			seen[c.Name] = true
			vals, _ := get(rel, "values").(map[string]any)
			if unread := keys[c.Name].Unread(vals); len(unread) > 0 {
				t.Errorf("%s/%s: chart %s %s does not read %s", stack, rel.Name, c.Name, c.Version, strings.Join(unread, ", "))
			}
		}
	}
	for name := range charts {
		if !seen[name] {
			t.Errorf("chart %s: no release in either stack uses it", name)
		}
	}
}

// The check can fail: a misspelt key, a key below a map the chart declares, and a key the
// chart moved are caught; keys below a value the chart passes on as it is are not its business.
func TestChartKeyCheckCanFail(t *testing.T) {
	keys := chartKeys(t, helmkit.Charts.KubePrometheusStack)
	unread := keys.Unread(map[string]any{
		"prometheus": map[string]any{"prometheusSpec": map[string]any{
			"retention": "15d", "retension": "15d",
			// free-form below resources ({} in the chart)
			"resources": map[string]any{"requests": map[string]any{"cpu": "1"}},
		}},
		"grafana":   map[string]any{"adminUser": "x", "sidecar": map[string]any{"dashboards": map[string]any{"enable": true}}},
		"kubeProxy": map[string]any{"enabled": false},
		"kubeDns":   map[string]any{"enabled": false},
		"kubeDNS":   map[string]any{"enabled": false},
	})
	want := []string{"grafana.sidecar.dashboards.enable", "kubeDNS", "prometheus.prometheusSpec.retension"}
	if strings.Join(unread, " ") != strings.Join(want, " ") {
		t.Errorf("unread %v, want %v", unread, want)
	}
}
