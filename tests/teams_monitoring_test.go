package tests

import (
	"testing"

	"github.com/example/platform/internal/kubeapi"
)

// monitoringObject is a ServiceMonitor, PodMonitor or PrometheusRule named "probe" in ns.
func monitoringObject(kind, ns string, spec map[string]any) kubeapi.Object {
	return kubeapi.Object{ID: kind + " " + ns, Body: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1", "kind": kind,
		"metadata": map[string]any{"name": "probe", "namespace": ns},
		"spec":     spec,
	}}
}

func serviceMonitor(ns string, endpoint map[string]any, extra map[string]any) kubeapi.Object {
	spec := map[string]any{
		"selector":  map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "api"}},
		"endpoints": []any{endpoint},
	}
	for k, v := range extra {
		spec[k] = v
	}
	return monitoringObject("ServiceMonitor", ns, spec)
}

func alertRule(ns string, rule map[string]any) kubeapi.Object {
	return monitoringObject("PrometheusRule", ns, map[string]any{"groups": []any{map[string]any{"name": "team", "rules": []any{rule}}}})
}

// The teams' monitors and alerts stay out of the platform's, on the real kube-apiserver: the
// plan's ValidatingAdmissionPolicy and binding are applied with the namespaces, then the
// server admits or refuses what a team (or Argo CD for it) would write in its namespace. The
// same objects in a platform namespace pass: the policy is the teams'.
func TestTeamMonitoringPolicyOnAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	applyPolicies(t, s, stackPlan(t, "dev"))
	port := map[string]any{"port": "http", "path": "/metrics"}
	tokenFile := map[string]any{"port": "http", "bearerTokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"}
	warning := map[string]any{"alert": "ApiDown", "expr": `up{job="api"} == 0`, "for": "5m", "labels": map[string]any{"severity": "warning"}}
	critical := map[string]any{"alert": "ApiDown", "expr": `up{job="api"} == 0`, "labels": map[string]any{"severity": "critical"}}
	cases := []struct {
		name   string
		obj    kubeapi.Object
		denied string // "" = admitted
	}{
		{"the scaffold's monitor", serviceMonitor("payments", port, nil), ""},
		{"own namespace named", serviceMonitor("payments", port, map[string]any{"namespaceSelector": map[string]any{"matchNames": []any{"payments"}}}), ""},
		{"Prometheus' token", serviceMonitor("payments", tokenFile, nil), "may not read files"},
		{"Prometheus' CA file", serviceMonitor("payments", map[string]any{"port": "http", "tlsConfig": map[string]any{"caFile": "/etc/prometheus/certs/ca.crt"}}, nil), "may not read files"},
		{"key from a Secret of the team's", serviceMonitor("payments", map[string]any{"port": "http", "scheme": "https", "tlsConfig": map[string]any{
			"ca": map[string]any{"secret": map[string]any{"name": "api-tls", "key": "ca.crt"}}}}, nil), ""},
		{"every namespace", serviceMonitor("payments", port, map[string]any{"namespaceSelector": map[string]any{"any": true}}), "its own namespace only"},
		{"another team's", serviceMonitor("payments", port, map[string]any{"namespaceSelector": map[string]any{"matchNames": []any{"search"}}}), "its own namespace only"},
		{"a PodMonitor on every namespace", monitoringObject("PodMonitor", "search", map[string]any{
			"selector": map[string]any{}, "podMetricsEndpoints": []any{port}, "namespaceSelector": map[string]any{"any": true}}), "its own namespace only"},
		{"a warning", alertRule("payments", warning), ""},
		{"a recording rule", alertRule("payments", map[string]any{"record": "api:requests:rate5m", "expr": `sum(rate(http_requests_total[5m]))`}), ""},
		{"a critical alert", alertRule("payments", critical), "severity to warning or info"},
		{"no severity", alertRule("payments", map[string]any{"alert": "ApiDown", "expr": "vector(1)"}), "severity to warning or info"},
		{"an InfoInhibitor", alertRule("payments", map[string]any{"alert": "InfoInhibitor", "expr": "vector(1)", "labels": map[string]any{"severity": "info"}}), "not named InfoInhibitor"},
		{"the platform's own", serviceMonitor("monitoring", tokenFile, map[string]any{"namespaceSelector": map[string]any{"any": true}}), ""},
		{"the platform's critical", alertRule("monitoring", critical), ""},
	}
	waitForPolicy(t, s, cases[2].obj)
	for _, c := range cases {
		checkAdmission(t, c.name, s.DryRunApply(c.obj), c.denied)
	}
}
