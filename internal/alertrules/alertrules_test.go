package alertrules

import (
	"strings"
	"testing"
	"time"
)

func all() []Group {
	return []Group{ExternalSecrets(), ClusterAutoscaler(), ExternalDNS(), LoadBalancerController(), Loki(), Tempo(), ArgoCD()}
}

// Every rule is one a person on call can act on: a unique name, a severity the routing
// knows, a "for" long enough not to page on a blip, and words saying what broke and where to
// look. (promtool checks the PromQL and behaviour: tests/alertrules_test.go.)
func TestRules(t *testing.T) {
	seen := map[string]bool{}
	groups := map[string]bool{}
	for _, g := range all() {
		if !strings.HasPrefix(g.Name, "platform.") || groups[g.Name] || len(g.Rules) == 0 {
			t.Errorf("group %q", g.Name)
		}
		groups[g.Name] = true
		for _, r := range g.Rules {
			if seen[r.Alert] || r.Alert == "" {
				t.Errorf("alert %q is not unique", r.Alert)
			}
			seen[r.Alert] = true
			if r.Severity != Warning && r.Severity != Critical {
				t.Errorf("%s: severity %q", r.Alert, r.Severity)
			}
			if d, err := time.ParseDuration(r.For); err != nil || d < 5*time.Minute {
				t.Errorf("%s: for %q", r.Alert, r.For)
			}
			if r.Expr == "" || r.Summary == "" || len(r.Description) < 40 {
				t.Errorf("%s: expr, summary or description missing", r.Alert)
			}
		}
	}
}

func TestSpec(t *testing.T) {
	spec := Spec(ExternalDNS(), Tempo())
	groups := spec["groups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("groups %v", groups)
	}
	first := groups[0].(map[string]any)
	rule := first["rules"].([]any)[0].(map[string]any)
	if first["name"] != "platform.external-dns" || rule["alert"] != "ExternalDNSNotSyncing" || rule["for"] != "5m" ||
		rule["labels"].(map[string]any)["severity"] != Warning || rule["annotations"].(map[string]any)["summary"] == "" {
		t.Errorf("spec %v", spec)
	}
}
