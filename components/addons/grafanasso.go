package addons

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
)

// GrafanaSSO logs people in to Grafana with GitHub: members of Org only, their role from
// their teams (Admin, then Editor, then Viewer; anyone else is refused), the local login
// form off. The admin password stays in SSM for break-glass use through the API.
type GrafanaSSO struct {
	ClientID, Org            string
	Admins, Editors, Viewers []string
}

// GrafanaOAuthSecret is the Secret Grafana reads its client secret from (as the environment
// variable Grafana maps to [auth.github] client_secret).
const GrafanaOAuthSecret = "grafana-github-oauth"

// RoleAttributePath maps GitHub teams ("@org/team") to Grafana roles; strict: no role, no login.
func (s GrafanaSSO) RoleAttributePath() string {
	var parts []string
	for _, r := range []struct {
		role  string
		teams []string
	}{{"Admin", s.Admins}, {"Editor", s.Editors}, {"Viewer", s.Viewers}} {
		for _, t := range r.teams {
			parts = append(parts, fmt.Sprintf("contains(groups[*], '@%s/%s') && '%s'", s.Org, t, r.role))
		}
	}
	return strings.Join(parts, " || ")
}

// values are the grafana.ini sections and the environment of GitHub login.
func (s GrafanaSSO) values(grafana map[string]any) {
	ini := grafana["grafana.ini"].(map[string]any)
	ini["auth"] = map[string]any{"disable_login_form": true}
	ini["auth.github"] = map[string]any{
		"enabled": true, "allow_sign_up": true, "client_id": s.ClientID,
		"scopes":                "user:email,read:org",
		"auth_url":              "https://github.com/login/oauth/authorize",
		"token_url":             "https://github.com/login/oauth/access_token",
		"api_url":               "https://api.github.com/user",
		"allowed_organizations": s.Org,
		"role_attribute_path":   s.RoleAttributePath(),
		"role_attribute_strict": true,
	}
	grafana["envFromSecret"] = GrafanaOAuthSecret
}

// grafanaOAuthSecret syncs the OAuth app's client secret from SSM.
func (c *Addons) grafanaOAuthSecret(ctx *pulumi.Context, namespace pulumi.StringInput, deps []pulumi.Resource) (pulumi.Resource, error) {
	keys := [][2]string{{"GF_AUTH_GITHUB_CLIENT_SECRET", contract.GrafanaOAuthSecretParameter(c.args.Cluster.Name)}}
	return c.secretFromSSM(ctx, c.name+"-grafana-oauth", GrafanaOAuthSecret, namespace, keys, deps)
}
