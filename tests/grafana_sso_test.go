package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

// Grafana logs in with GitHub: the organization's members only, roles from their teams
// (Argo CD's admins are Admins, the product teams the configured role, nobody else gets in),
// no local login form, the client secret from SSM through an ExternalSecret that exists
// before Grafana starts, never in the values.
func TestGrafanaSingleSignOn(t *testing.T) {
	for stack, teamRole := range map[string]string{"dev": "Editor", "prod": "Viewer"} {
		p := stackPlan(t, stack)
		kps := p.named(t, typeRelease, "addons-kube-prometheus-stack")
		v := values(kps)
		ini := get(v, "grafana.grafana\\.ini")
		if ini == nil {
			ini = get(v, "grafana").(map[string]any)["grafana.ini"]
		}
		gh := ini.(map[string]any)["auth.github"].(map[string]any)
		if gh["enabled"] != true || gh["allowed_organizations"] != "example-org" || gh["role_attribute_strict"] != true ||
			!strings.HasPrefix(gh["client_id"].(string), "Ov23li") || gh["client_secret"] != nil {
			t.Errorf("%s: auth.github %v", stack, gh)
		}
		path := gh["role_attribute_path"].(string)
		for _, want := range []string{"contains(groups[*], '@example-org/platform') && 'Admin'",
			"contains(groups[*], '@example-org/payments-devs') && '" + teamRole + "'", "contains(groups[*], '@example-org/search-devs') && '" + teamRole + "'"} {
			if !strings.Contains(path, want) {
				t.Errorf("%s: role_attribute_path %q lacks %q", stack, path, want)
			}
		}
		if strings.Index(path, "'Admin'") > strings.Index(path, "'"+teamRole+"'") {
			t.Errorf("%s: a lesser role is tried before Admin: %s", stack, path)
		}
		if ini.(map[string]any)["auth"].(map[string]any)["disable_login_form"] != true {
			t.Errorf("%s: the local login form is on", stack)
		}
		if getString(v, "grafana.envFromSecret") != "grafana-github-oauth" {
			t.Errorf("%s: Grafana does not read the client secret", stack)
		}
		es := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "addons-grafana-oauth")
		if getString(es, "spec.data.0.secretKey") != "GF_AUTH_GITHUB_CLIENT_SECRET" ||
			getString(es, "spec.data.0.remoteRef.key") != contract.GrafanaOAuthSecretParameter("platform-"+stack) || !contains(kps.Dependencies, es.URN) {
			t.Errorf("%s: OAuth secret %v (release waits: %v)", stack, es.Inputs, contains(kps.Dependencies, es.URN))
		}
	}
}
