package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/helmkit"
)

const typePrometheusRule = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"

// promtool is Prometheus' own rule checker.
func promtool(t *testing.T) string {
	t.Helper()
	return prometheusTool(t, "promtool", "prometheus")
}

// planRuleGroups are the rule groups of every PrometheusRule in the stack's plan.
func planRuleGroups(t *testing.T, stack string) []any {
	var groups []any
	for _, r := range stackPlan(t, stack).ofType(typePrometheusRule) {
		g, _ := get(r, "spec.groups").([]any)
		if len(g) == 0 {
			t.Errorf("%s/%s: no rule groups", stack, r.Name)
		}
		groups = append(groups, g...)
	}
	return groups
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
	}
}

// Prometheus loads every rule the plan creates (expressions, durations, annotation templates):
// the API server only checks the object's shape, and the operator drops a rule file Prometheus
// refuses.
func TestAlertRulesLoadInPrometheus(t *testing.T) {
	tool := promtool(t)
	for _, stack := range []string{"dev", "prod"} {
		file := filepath.Join(t.TempDir(), stack+"-rules.yaml")
		writeYAML(t, file, map[string]any{"groups": planRuleGroups(t, stack)})
		run(t, tool, "check", "rules", file)
	}
}

// series is one input series of a promtool unit test: a selector and its values, one per
// minute ("1x30": 31 samples of 1; "0+5x40": from 0, 5 more each minute).
type series struct{ Series, Values string }

// alertCase feeds series to the rules and expects, at eval, exactly these alerts of one
// name (their labels beside alertname); none for a healthy input.
type alertCase struct {
	alert  string
	input  []series
	eval   string
	labels []map[string]string
}

// alertCases: each platform alert fires on the failure it names, with the labels a person on
// call needs, after its "for"; the healthy cases (labels nil) do not fire.
var alertCases = []alertCase{
	{"ExternalSecretNotSynced", []series{
		{`externalsecret_status_condition{condition="Ready",status="False",name="db",namespace="payments"}`, "1x40"},
		{`externalsecret_status_condition{condition="Ready",status="False",name="ok",namespace="search"}`, "0x40"},
	}, "20m", []map[string]string{{"severity": "warning", "namespace": "payments", "name": "db"}}},
	{"ExternalSecretNotSynced", []series{
		{`externalsecret_status_condition{condition="Ready",status="False",name="db",namespace="payments"}`, "1x40"},
	}, "10m", nil}, // not yet: for 15m
	{"SecretStoreNotReady", []series{
		{`secretstore_status_condition{condition="Ready",status="False",name="payments",namespace="payments"}`, "1x40"},
	}, "20m", []map[string]string{{"severity": "warning", "namespace": "payments", "name": "payments"}}},
	{"ClusterSecretStoreNotReady", []series{
		{`clustersecretstore_status_condition{condition="Ready",status="False",name="aws-parameter-store"}`, "1x40"},
	}, "15m", []map[string]string{{"severity": "critical", "name": "aws-parameter-store"}}},
	{"NodeGroupAtMaxSize", []series{
		{`cluster_autoscaler_node_group_target_count{node_group="general"}`, "3x40"},
		{`cluster_autoscaler_node_group_max_count{node_group="general"}`, "3x40"},
		{`cluster_autoscaler_node_group_target_count{node_group="spot"}`, "2x40"},
		{`cluster_autoscaler_node_group_max_count{node_group="spot"}`, "5x40"},
	}, "20m", []map[string]string{{"severity": "warning", "node_group": "general"}}},
	{"PodsUnschedulable", []series{
		{`cluster_autoscaler_unschedulable_pods_count{type="unschedulable"}`, "2x40"},
	}, "20m", []map[string]string{{"severity": "warning"}}},
	{"PodsUnschedulable", []series{
		{`cluster_autoscaler_unschedulable_pods_count{type="unschedulable"}`, "0x40"},
		{`cluster_autoscaler_unschedulable_pods_count{type="scheduler_unprocessed"}`, "4x40"},
	}, "20m", nil},
	{"ClusterAutoscalerUnsafe", []series{
		{`cluster_autoscaler_cluster_safe_to_autoscale`, "0x40"},
	}, "20m", []map[string]string{{"severity": "warning"}}},
	// Never synced (0): stale once time() passes 30 minutes, then for 5m.
	{"ExternalDNSNotSyncing", []series{
		{`external_dns_controller_last_sync_timestamp_seconds`, "0x60"},
	}, "40m", []map[string]string{{"severity": "warning"}}},
	// Synced every minute: the timestamp keeps up with time().
	{"ExternalDNSNotSyncing", []series{
		{`external_dns_controller_last_sync_timestamp_seconds`, "0+60x60"},
	}, "60m", nil},
	{"LoadBalancerReconcileFailing", []series{
		{`awslbc_controller_reconcile_errors_total{controller="ingress",error_category="aws"}`, "0+1x60"},
		{`awslbc_controller_reconcile_errors_total{controller="service",error_category="aws"}`, "4x60"},
	}, "45m", []map[string]string{{"severity": "warning", "controller": "ingress"}}},
	{"LokiPushErrors", []series{
		{`loki_request_duration_seconds_count{route="loki_api_v1_push",status_code="500"}`, "0+10x40"},
		{`loki_request_duration_seconds_count{route="loki_api_v1_push",status_code="204"}`, "0+90x40"},
	}, "25m", []map[string]string{{"severity": "critical"}}},
	// 1% of pushes fail, and queries fail a lot: not a write problem.
	{"LokiPushErrors", []series{
		{`loki_request_duration_seconds_count{route="loki_api_v1_push",status_code="500"}`, "0+1x40"},
		{`loki_request_duration_seconds_count{route="loki_api_v1_push",status_code="204"}`, "0+99x40"},
		{`loki_request_duration_seconds_count{route="loki_api_v1_query_range",status_code="500"}`, "0+50x40"},
	}, "25m", nil},
	{"LokiChunkFlushFailing", []series{
		{`loki_ingester_chunks_flush_failures_total`, "0+1x60"},
	}, "35m", []map[string]string{{"severity": "warning"}}},
	{"LokiChunkFlushFailing", []series{
		{`loki_ingester_chunks_flush_failures_total`, "3x60"},
	}, "45m", nil},
	{"LokiDiscardingLogs", []series{
		{`loki_discarded_samples_total{reason="rate_limited",tenant="fake"}`, "0+100x40"},
	}, "30m", []map[string]string{{"severity": "warning", "reason": "rate_limited"}}},
	// Only the receiver refuses: the ingester failure counter does not exist yet.
	{"TempoRefusingSpans", []series{
		{`tempo_receiver_refused_spans{receiver="otlp",transport="grpc"}`, "0+5x40"},
	}, "25m", []map[string]string{{"severity": "warning"}}},
	{"TempoRefusingSpans", []series{
		{`tempo_receiver_refused_spans{receiver="otlp",transport="grpc"}`, "0x40"},
	}, "25m", nil},
	{"TempoDiscardingSpans", []series{
		{`tempo_discarded_spans_total{reason="trace_too_large",tenant="single-tenant"}`, "0+3x40"},
	}, "30m", []map[string]string{{"severity": "warning", "reason": "trace_too_large"}}},
	{"TempoFlushesFailing", []series{
		{`tempo_ingester_failed_flushes_total`, "0+1x90"},
	}, "30m", []map[string]string{{"severity": "warning"}}},
	{"ArgoCDAppOutOfSync", []series{
		{`argocd_app_info{namespace="argocd",name="payments-api",project="payments",dest_namespace="payments",sync_status="OutOfSync",health_status="Healthy"}`, "1x60"},
		{`argocd_app_info{namespace="argocd",name="search-api",project="search",dest_namespace="search",sync_status="Synced",health_status="Healthy"}`, "1x60"},
	}, "40m", []map[string]string{{"severity": "warning", "name": "payments-api", "project": "payments", "dest_namespace": "payments"}}},
	{"ArgoCDAppUnhealthy", []series{
		{`argocd_app_info{namespace="argocd",name="payments-api",project="payments",dest_namespace="payments",sync_status="Synced",health_status="Degraded"}`, "1x60"},
		{`argocd_app_info{namespace="argocd",name="search-api",project="search",dest_namespace="search",sync_status="Synced",health_status="Progressing"}`, "1x60"},
	}, "20m", []map[string]string{{"severity": "warning", "name": "payments-api", "project": "payments", "dest_namespace": "payments", "health_status": "Degraded"}}},
	{"ArgoCDSyncFailing", []series{
		{`argocd_app_sync_total{namespace="argocd",name="payments-api",project="payments",dest_server="https://kubernetes.default.svc",phase="Failed",dry_run="false"}`, "0+1x60"},
		{`argocd_app_sync_total{namespace="argocd",name="search-api",project="search",dest_server="https://kubernetes.default.svc",phase="Failed",dry_run="true"}`, "0+1x60"},
	}, "20m", []map[string]string{{"severity": "warning", "name": "payments-api", "project": "payments"}}},
}

// The rules behave: promtool runs each case against the rules as the plan creates them
// (annotations left out: their templates are checked by TestAlertRulesLoadInPrometheus), and
// every platform alert has a case that makes it fire.
func TestAlertRulesFireOnWhatTheyName(t *testing.T) {
	tool := promtool(t)
	dir := t.TempDir()
	names := map[string]bool{}
	var groups []any
	// Copies: the plan is shared by every test of the binary.
	for _, g := range planRuleGroups(t, "dev") {
		var rules []any
		for _, r := range g.(map[string]any)["rules"].([]any) {
			rule := map[string]any{}
			for k, v := range r.(map[string]any) {
				if k != "annotations" {
					rule[k] = v
				}
			}
			names[rule["alert"].(string)] = true
			rules = append(rules, rule)
		}
		groups = append(groups, map[string]any{"name": g.(map[string]any)["name"], "rules": rules})
	}
	writeYAML(t, filepath.Join(dir, "rules.yaml"), map[string]any{"groups": groups})
	fired := map[string]bool{}
	var tests []any
	for _, c := range alertCases {
		if !names[c.alert] {
			t.Errorf("case for %s: the plan has no such alert", c.alert)
		}
		var input []any
		for _, s := range c.input {
			input = append(input, map[string]any{"series": s.Series, "values": s.Values})
		}
		exp := []any{}
		for _, l := range c.labels {
			exp = append(exp, map[string]any{"exp_labels": l})
			fired[c.alert] = true
		}
		tests = append(tests, map[string]any{
			"interval":        "1m",
			"input_series":    input,
			"alert_rule_test": []any{map[string]any{"eval_time": c.eval, "alertname": c.alert, "exp_alerts": exp}},
		})
	}
	var missing []string
	for n := range names {
		if !fired[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("alerts without a case that fires them: %v", missing)
	}
	writeYAML(t, filepath.Join(dir, "tests.yaml"), map[string]any{
		"rule_files": []any{"rules.yaml"}, "evaluation_interval": "1m", "tests": tests,
	})
	run(t, tool, "test", "rules", filepath.Join(dir, "tests.yaml"))
}

// PVCs filling up page through kube-prometheus-stack's own rules (KubePersistentVolumeFillingUp
// in its kubernetesStorage group), which the values keep on; the key is the chart's.
func TestPersistentVolumeAlertsStayOn(t *testing.T) {
	keys := chartKeys(t, helmkit.Charts.KubePrometheusStack)
	if keys[`["defaultRules","rules","kubernetesStorage"]`] == "" {
		t.Fatal("kube-prometheus-stack has no defaultRules.rules.kubernetesStorage")
	}
	for _, stack := range []string{"dev", "prod"} {
		v := values(stackPlan(t, stack).named(t, typeRelease, "addons-kube-prometheus-stack"))
		if on := get(v, "defaultRules.rules.kubernetesStorage"); on != nil && on != true {
			t.Errorf("%s: the storage rules are off (%v)", stack, on)
		}
		if get(v, "defaultRules.create") == false {
			t.Errorf("%s: the default rules are off", stack)
		}
	}
}
