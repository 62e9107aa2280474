package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// Alerts page someone: Alertmanager routes to the stack's receiver, whose URL comes from SSM
// through an ExternalSecret that exists before Alertmanager starts, mounted and read from a
// file (never in values); the Watchdog goes to the heartbeat in prod, to nobody in dev; critical
// alerts silence warnings of the same alert and namespace.
func TestAlertsPageSomeone(t *testing.T) {
	for stack, receiver := range map[string]string{"dev": "webhook_configs", "prod": "slack_configs"} {
		p := stackPlan(t, stack)
		kps := p.named(t, typeRelease, "addons-kube-prometheus-stack")
		v := values(kps)
		cfg := get(v, "alertmanager.config").(map[string]any)
		route := cfg["route"].(map[string]any)
		if route["receiver"] != "oncall" || strings.Join(stringsOf(route["group_by"]), ",") != "alertname,namespace" || route["repeat_interval"] != "4h" {
			t.Errorf("%s: route %v", stack, route)
		}
		receivers := map[string]map[string]any{}
		for _, r := range cfg["receivers"].([]any) {
			receivers[r.(map[string]any)["name"].(string)] = r.(map[string]any)
		}
		oncall := strings.Join(flatten(receivers["oncall"][receiver]), " ")
		if !strings.Contains(oncall, "_file=/etc/alertmanager/secrets/alertmanager-receiver/url") {
			t.Errorf("%s: the on-call receiver %v does not read the mounted URL", stack, receivers["oncall"])
		}
		heartbeat := receivers["heartbeat"]["webhook_configs"] != nil
		if heartbeat != (stack == "prod") {
			t.Errorf("%s: heartbeat receiver %v", stack, receivers["heartbeat"])
		}
		watchdog := route["routes"].([]any)[0].(map[string]any)
		if watchdog["receiver"] != "heartbeat" || stringsOf(watchdog["matchers"])[0] != `alertname = "Watchdog"` {
			t.Errorf("%s: the Watchdog route %v", stack, watchdog)
		}
		inhibit := strings.Join(flatten(cfg["inhibit_rules"]), " ")
		if !strings.Contains(inhibit, `source_matchers=severity = "critical"`) || !strings.Contains(inhibit, "equal=namespace") {
			t.Errorf("%s: inhibition %s", stack, inhibit)
		}
		if stringsOf(get(v, "alertmanager.alertmanagerSpec.secrets"))[0] != "alertmanager-receiver" {
			t.Errorf("%s: Alertmanager does not mount the receiver's Secret", stack)
		}
		es := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "addons-alert-receiver")
		keys := strings.Join(flatten(get(es, "spec.data")), " ")
		cluster := "platform-" + stack
		if !strings.Contains(keys, "remoteRef.key="+contract.AlertReceiverParameter(cluster)) ||
			strings.Contains(keys, contract.AlertHeartbeatParameter(cluster)) != (stack == "prod") ||
			getString(es, "metadata.namespace") != "monitoring" || getString(es, "spec.secretStoreRef.name") != contract.ParameterStore {
			t.Errorf("%s: receiver secret %v", stack, es.Inputs)
		}
		// Alertmanager's pod waits for the Secret by itself (it mounts it); the release does not
		// wait for it, which put External Secrets' rollout on the first up's critical path
		// (TestRemovedDependenciesStayRemoved).
		if contains(kps.Dependencies, es.URN) {
			t.Errorf("%s: kube-prometheus-stack waits for its receiver's Secret again", stack)
		}
		if strings.Contains(strings.Join(flatten(v.Inputs), " "), "hooks.slack.com") {
			t.Errorf("%s: a receiver URL reached the Helm values", stack)
		}
	}
}

// No receiver is a loud warning on every preview, naming the key and the SSM parameter.
func TestNoReceiverWarns(t *testing.T) {
	in := stackInput(t, "dev")
	edit("platform:addons", "monitoring.alerting", map[string]any{})(t, in.Config)
	cfg, err := config.Decode(in.Project, in.Stack, in.Config, map[string]bool{"platform:argocdClientSecret": true, "github:token": true, "platform:runnersGitHubToken": true})
	if err != nil {
		t.Fatal(err)
	}
	warned := strings.Join(cfg.Warnings(), "\n")
	if !strings.Contains(warned, "platform:addons.monitoring.alerting.receiver is not set") || !strings.Contains(warned, "/platform-dev/platform/alertmanager/receiver-url") {
		t.Errorf("warnings: %q", warned)
	}
	if w := stackConfig(t, "dev").Warnings(); strings.Contains(strings.Join(w, " "), "receiver") {
		t.Errorf("dev has a receiver, yet warns: %v", w)
	}
}
