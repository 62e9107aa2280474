package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// prometheusTool finds a tool of the Prometheus project (promtool: Debian package prometheus;
// amtool: prometheus-alertmanager; .ci/run installs both). Without it the test skips, saying
// so, or fails where PLATFORM_REQUIRE_PROMTOOL=1 (CI).
func prometheusTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "PLATFORM_REQUIRE_PROMTOOL", "no "+name+" on PATH (apt-get install "+pkg+"): not checked here")
	}
	return p
}

// withoutSecretFiles swaps the receivers' *_file fields (the URL read from the mounted
// Secret) for literal stand-in URLs: Debian's amtool is 0.25, older than webhook url_file
// (Alertmanager 0.26; kube-prometheus-stack runs a newer one). Everything else is as planned.
func withoutSecretFiles(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			switch k {
			case "url_file":
				out["url"] = "https://receiver.invalid" + val.(string)
			case "api_url_file":
				out["api_url"] = "https://hooks.slack.invalid" + val.(string)
			default:
				out[k] = withoutSecretFiles(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutSecretFiles(e)
		}
		return out
	}
	return v
}

// Alertmanager's own amtool loads each stack's config (receivers, matchers, inhibition) and
// routes alerts as a person on call expects: the Watchdog to the heartbeat only, the chart's
// InfoInhibitor to nobody, everything else, critical or not, platform's or a team's, to on-call.
func TestAlertmanagerRoutesWithAmtool(t *testing.T) {
	tool := prometheusTool(t, "amtool", "prometheus-alertmanager")
	for _, stack := range []string{"dev", "prod"} {
		cfg := get(values(stackPlan(t, stack).named(t, typeRelease, "addons-kube-prometheus-stack")), "alertmanager.config")
		file := filepath.Join(t.TempDir(), "alertmanager.yaml")
		writeYAML(t, file, withoutSecretFiles(cfg))
		if out, err := exec.Command(tool, "check-config", file).CombinedOutput(); err != nil {
			t.Fatalf("%s: amtool check-config: %v\n%s", stack, err, out)
		}
		for _, c := range []struct {
			receiver string
			labels   []string
		}{
			{"heartbeat", []string{"alertname=Watchdog", "severity=none"}},
			{"null", []string{"alertname=InfoInhibitor", "severity=none", "namespace=payments"}},
			{"oncall", []string{"alertname=KubePodCrashLooping", "severity=warning", "namespace=payments"}},
			{"oncall", []string{"alertname=ClusterSecretStoreNotReady", "severity=critical"}},
			{"oncall", []string{"alertname=LokiPushErrors", "severity=critical", "namespace=logging"}},
		} {
			args := append([]string{"config", "routes", "test", "--config.file=" + file, "--verify.receivers=" + c.receiver}, c.labels...)
			// stdout: the receivers; stderr: a warning that the file overrides the URL.
			out, err := exec.Command(tool, args...).Output()
			if err != nil || strings.TrimSpace(string(out)) != c.receiver {
				t.Errorf("%s: %s routes to %q, want %s (%v)", stack, strings.Join(c.labels, " "), strings.TrimSpace(string(out)), c.receiver, err)
			}
		}
	}
}
