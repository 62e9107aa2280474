package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

// Grafana logs in with GitHub: the organization's members only, roles from their teams (Argo
// CD's admins are Admins of every organization, each product team the configured role in its
// own organization and nowhere else, nobody else gets in), no local login form, the client
// secret from SSM through an ExternalSecret that exists before Grafana starts, never in the
// values.
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
		// The role path gives Admin to the admins and nothing to anyone else: a product team's
		// member gets a role only in the team's organization, by the mapping.
		if path := gh["role_attribute_path"].(string); path != "contains(groups[*], '@example-org/platform') && 'Admin'" {
			t.Errorf("%s: role_attribute_path %q", stack, path)
		}
		mapping := map[string]bool{}
		for _, m := range strings.Fields(gh["org_mapping"].(string)) {
			mapping[m] = true
		}
		want := []string{"@example-org/platform:*:Admin", "@example-org/payments-devs:payments:" + teamRole, "@example-org/search-devs:search:" + teamRole}
		if stack == "dev" {
			want = append(want, "@example-org/developers:1:Viewer")
		}
		for _, w := range want {
			if !mapping[w] {
				t.Errorf("%s: org_mapping %q lacks %q", stack, gh["org_mapping"], w)
			}
		}
		if len(mapping) != len(want) || gh["skip_org_role_sync"] != false {
			t.Errorf("%s: org_mapping %q (skip_org_role_sync %v), want exactly %v", stack, gh["org_mapping"], gh["skip_org_role_sync"], want)
		}
		if ini.(map[string]any)["auth"].(map[string]any)["disable_login_form"] != true {
			t.Errorf("%s: the local login form is on", stack)
		}
		if getString(v, "grafana.envFromSecret") != "grafana-github-oauth" {
			t.Errorf("%s: Grafana does not read the client secret", stack)
		}
		es := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "addons-grafana-oauth")
		if getString(es, "spec.data.0.secretKey") != "GF_AUTH_GITHUB_CLIENT_SECRET" ||
			getString(es, "spec.data.0.remoteRef.key") != contract.GrafanaOAuthSecretParameter("platform-"+stack) || contains(kps.Dependencies, es.URN) {
			t.Errorf("%s: OAuth secret %v (release waits: %v)", stack, es.Inputs, contains(kps.Dependencies, es.URN))
		}
	}
}
