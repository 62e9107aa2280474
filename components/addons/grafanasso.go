package addons

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
)

// GrafanaSSO logs people in to Grafana with GitHub: members of Org only, the local login form
// off. The platform's admins are Admins of every organization; the platform's other teams
// Viewers of the main one (the platform's); each product team's GitHub team TeamRole (Viewer
// or Editor) in its own organization and nowhere else (tenancy.go). Anyone else is refused.
// The admin password stays in SSM for break-glass use through the API.
type GrafanaSSO struct {
	ClientID, Org   string
	Admins, Viewers []string
	// Teams are the product teams; TeamRole is their members' role in their organization.
	Teams    []Tenant
	TeamRole string
}

// GrafanaOAuthSecret is the Secret Grafana reads its client secret from (as the environment
// variable Grafana maps to [auth.github] client_secret).
const GrafanaOAuthSecret = "grafana-github-oauth"

// RoleAttributePath makes the admins' GitHub teams ("@org/team") Admins whatever the
// organization mapping says (it is empty for the moment a new team's organization takes to
// appear): strict, so nobody else gets a role from it.
func (s GrafanaSSO) RoleAttributePath() string {
	var parts []string
	for _, t := range s.Admins {
		parts = append(parts, fmt.Sprintf("contains(groups[*], '@%s/%s') && 'Admin'", s.Org, t))
	}
	return strings.Join(parts, " || ")
}

// values are the grafana.ini sections and the environment of GitHub login. Strict: a user
// whom neither the role path nor the organization mapping gives a role is refused (never put
// in the main organization, which sees every team's data).
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
		"org_mapping":           s.grafanaOrgMapping(),
		"skip_org_role_sync":    false,
	}
	grafana["envFromSecret"] = GrafanaOAuthSecret
}

// grafanaOAuthSecret syncs the OAuth app's client secret from SSM.
func (c *Addons) grafanaOAuthSecret(ctx *pulumi.Context, namespace pulumi.StringInput, deps []pulumi.Resource) (pulumi.Resource, error) {
	keys := [][2]string{{"GF_AUTH_GITHUB_CLIENT_SECRET", contract.GrafanaOAuthSecretParameter(c.args.Cluster.Name)}}
	return c.secretFromSSM(ctx, c.name+"-grafana-oauth", GrafanaOAuthSecret, namespace, keys, deps)
}
