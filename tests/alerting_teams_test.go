package tests

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/internal/planner"
)

// alertmanagerConfigObject is an AlertmanagerConfig a team writes in its namespace.
func alertmanagerConfigObject(ns, name string, route map[string]any, receivers ...any) map[string]any {
	return map[string]any{
		"apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "AlertmanagerConfig",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec":     map[string]any{"route": route, "receivers": receivers},
	}
}

// mergedAlertmanagerConfig asks prometheus-operator's own config builder
// (tests/engines/amconfig) for the configuration Alertmanager gets from the planned
// kube-prometheus-stack values' base config and the teams' AlertmanagerConfigs, with the given
// matcher strategy, and writes it to a file amtool reads.
func mergedAlertmanagerConfig(t *testing.T, release planner.Resource, strategy string, configs []map[string]any, secrets []map[string]any) string {
	t.Helper()
	base, err := yaml.Marshal(withoutSecretFiles(get(release, "alertmanager.config")))
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Config string }
	runEnforcer(t, "amconfig-engine", map[string]any{
		"baseConfig": string(base), "namespace": addons.MonitoringNamespace, "matcherStrategy": strategy,
		"version": "v0.34.0", // the chart's alertmanager image (values.yaml alertmanager.alertmanagerSpec.image.tag)
		"configs": configs, "secrets": secrets,
	}, &out)
	file := filepath.Join(t.TempDir(), "alertmanager.yaml")
	if err := os.WriteFile(file, []byte(out.Config), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// routesTo is amtool's answer: the receivers an alert with these labels reaches, in order.
func routesTo(t *testing.T, file string, labels ...string) string {
	t.Helper()
	tool := prometheusTool(t, "amtool", "prometheus-alertmanager")
	out, err := exec.Command(tool, append([]string{"config", "routes", "test", "--config.file=" + file}, labels...)...).Output()
	if err != nil {
		t.Fatalf("amtool routes test %v: %v", labels, err)
	}
	return strings.TrimSpace(string(out))
}

// Teams route their own alerts, and only theirs. The app scaffold's AlertmanagerConfig (built
// with kustomize, as Argo CD applies it) and an attacker's in another team's namespace are
// merged into the stack's Alertmanager config by prometheus-operator's own code; Alertmanager's
// router (amtool) then shows: the app's alerts reach the team's webhook (and, marked as the
// team's, not on-call); a platform alert, also one about the team's namespace, reaches
// on-call; the attacker's routes, one matching the platform's namespace and one catching
// everything without `continue`, catch no platform alert and hide none from on-call. A
// control without the operator's namespace enforcement (strategy None) shows the same attacker
// would receive the platform's alerts.
func TestTeamAlertRoutingWithTheOperatorAndAmtool(t *testing.T) {
	prometheusTool(t, "amtool", "prometheus-alertmanager")
	for _, stack := range []string{"dev", "prod"} {
		release := values(stackPlan(t, stack).named(t, typeRelease, "addons-kube-prometheus-stack"))
		strategy := getString(release, "alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type")
		if strategy != "OnNamespace" || get(release, "alertmanager.alertmanagerSpec.alertmanagerConfigNamespaceSelector.matchExpressions.0.key") != "platform.example.org/team" {
			t.Fatalf("%s: the Alertmanager reads teams' configs with strategy %q from %v", stack, strategy, get(release, "alertmanager.alertmanagerSpec.alertmanagerConfigNamespaceSelector"))
		}
		var configs []map[string]any
		files, err := scaffoldApps["minimal"].Files(scaffoldStacks(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range kustomizeBuild(t, files, "teams/payments/apps/payments-api/overlays/"+stack) {
			if o.Body["kind"] == "AlertmanagerConfig" {
				configs = append(configs, o.Body)
			}
		}
		if len(configs) != 1 {
			t.Fatalf("%s: the scaffold has %d AlertmanagerConfigs, want 1", stack, len(configs))
		}
		grab := []any{map[string]any{"name": "grab", "webhookConfigs": []any{map[string]any{"urlSecret": map[string]any{"name": "grab", "key": "url"}}}}}
		configs = append(configs,
			alertmanagerConfigObject("search", "steal-platform", map[string]any{"receiver": "grab",
				"matchers": []any{map[string]any{"name": "namespace", "value": "monitoring", "matchType": "="}}}, grab...),
			alertmanagerConfigObject("search", "swallow", map[string]any{"receiver": "grab", "continue": false}, grab...),
		)
		secrets := []map[string]any{
			{"metadata": map[string]any{"name": "payments-api-alert-receiver", "namespace": "payments"}, "data": map[string]any{"url": b64("https://hooks.payments.invalid/alerts")}},
			{"metadata": map[string]any{"name": "grab", "namespace": "search"}, "data": map[string]any{"url": b64("https://attacker.invalid/")}},
		}
		file := mergedAlertmanagerConfig(t, release, strategy, configs, secrets)
		if out, err := exec.Command(prometheusTool(t, "amtool", "prometheus-alertmanager"), "check-config", file).CombinedOutput(); err != nil {
			t.Fatalf("%s: amtool check-config of the merged config: %v\n%s", stack, err, out)
		}
		team := "payments/payments-api/team"
		for _, c := range []struct {
			name, want string
			labels     []string
		}{
			{"the app's alert, the team's only", team + ",null", []string{"alertname=AppUnavailable", "app=payments-api", "namespace=payments", "notify=team", "severity=warning"}},
			{"the app's alert, not marked", team + ",oncall", []string{"alertname=AppRestarting", "app=payments-api", "namespace=payments", "severity=warning"}},
			{"a platform alert about the team's namespace", "oncall", []string{"alertname=KubePodCrashLooping", "namespace=payments", "severity=warning"}},
			{"a platform alert", "oncall", []string{"alertname=PrometheusRuleFailures", "namespace=monitoring", "severity=critical"}},
			{"a platform alert without a namespace", "oncall", []string{"alertname=ClusterSecretStoreNotReady", "severity=critical"}},
			{"a platform alert labelled with the app", "oncall", []string{"alertname=KubeDeploymentReplicasMismatch", "app=payments-api", "namespace=monitoring", "severity=warning"}},
			{"the heartbeat", "heartbeat", []string{"alertname=Watchdog", "severity=none"}},
			{"search's own alert, swallowed by its own config", "search/swallow/grab,oncall", []string{"alertname=SearchDown", "namespace=search", "severity=warning"}},
		} {
			if got := routesTo(t, file, c.labels...); got != c.want {
				t.Errorf("%s: %s: %s routes to %q, want %q", stack, c.name, strings.Join(c.labels, " "), got, c.want)
			}
		}
		// The control: the same objects without the operator's enforcement (strategy None).
		open := mergedAlertmanagerConfig(t, release, "None", configs, secrets)
		if got := routesTo(t, open, "alertname=PrometheusRuleFailures", "namespace=monitoring", "severity=critical"); !strings.Contains(got, "search/steal-platform/grab") {
			t.Errorf("%s: the control: without enforcement the attacker's routes give %q; the test would not see the hole", stack, got)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
