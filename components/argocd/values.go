package argocd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// Namespace Argo CD runs in.
const Namespace = contract.ArgoCDNamespace

// DexSecret holds the GitHub OAuth app's client secret, synced from SSM; Dex reads it through
// the $<secret>:<key> reference, which requires the part-of: argocd label.
const (
	DexSecret    = "argocd-dex-github"
	DexSecretKey = "clientSecret"
)

// ApplicationHealthLua makes Argo CD assess the health of Application resources (removed from
// the defaults in 1.8), so an app-of-apps waits for each sync wave's child apps.
const ApplicationHealthLua = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`

// DexConfig is the GitHub connector limited to the org's teams.
func DexConfig(clientID, org string, teams []string) (string, error) {
	cfg := map[string]any{"connectors": []any{map[string]any{
		"type": "github", "id": "github", "name": "GitHub",
		"config": map[string]any{
			"clientID":     clientID,
			"clientSecret": "$" + DexSecret + ":" + DexSecretKey,
			// Groups are "org:team-slug", as the RBAC policy names them (the default is the
			// team's display name).
			"teamNameField": "slug",
			"orgs":          []any{map[string]any{"name": org, "teams": teams}},
		},
	}}}
	b, err := yaml.Marshal(cfg)
	return string(b), err
}

// RBACPolicy maps each org:team to its role; everyone else gets nothing (policy.default "").
func RBACPolicy(org string, roles map[string]string) string {
	teams := make([]string, 0, len(roles))
	for t := range roles {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	var b strings.Builder
	for _, t := range teams {
		fmt.Fprintf(&b, "g, %s:%s, %s\n", org, t, roles[t])
	}
	return b.String()
}

// Settings are the inputs of the Argo CD values.
type Settings struct {
	Domain         string
	CertificateArn pulumi.StringInput
	Replicas       int
	ClientID, Org  string
	Teams          []string
	Roles          map[string]string
	// Monitored: the controllers' metrics and their ServiceMonitors (kube-prometheus-stack).
	Monitored bool
}

// metricsComponents are the Argo CD parts whose metrics are scraped: the application
// controller (applications' sync and health), the API server, the repo server (Git and
// manifest generation) and the ApplicationSet controller (the teams' applications). The
// chart renders their ServiceMonitors only when the CRD is there.
var metricsComponents = []string{"controller", "server", "repoServer", "applicationSet"}

// IngressAnnotations put Argo CD on the shared ALB. TLS ends at the ALB and the server runs
// insecure behind it, so the backend protocol is HTTP (the chart's gRPC Service overrides it).
func IngressAnnotations(certificateArn pulumi.StringInput) map[string]any {
	a := helmkit.ALBIngressAnnotations(certificateArn, "/healthz")
	a["alb.ingress.kubernetes.io/backend-protocol"] = "HTTP"
	return a
}

// Host is Argo CD's name on the shared ALB.
func Host(domain string) string { return contract.ArgoCDHost + "." + domain }

// Values: TLS ends at the ALB (server.insecure), the chart's AWS ALB ingress support adds the
// gRPC route the argocd CLI needs, local admin off, GitHub login through Dex, HA in prod.
func Values(s Settings) (map[string]any, error) {
	dex, err := DexConfig(s.ClientID, s.Org, s.Teams)
	if err != nil {
		return nil, err
	}
	ha := s.Replicas > 1
	v := map[string]any{
		"global": map[string]any{"domain": Host(s.Domain)},
		"configs": map[string]any{
			// Applications in AppsNamespace too (the root app's), which only the platform
			// project admits (its sourceNamespaces).
			"params": map[string]any{"server.insecure": true, "application.namespaces": AppsNamespace},
			"cm": map[string]any{
				"url":           "https://" + Host(s.Domain),
				"admin.enabled": false,
				"dex.config":    dex,
				"resource.customizations.health.argoproj.io_Application": ApplicationHealthLua,
			},
			"rbac": map[string]any{
				"policy.default": "",
				"policy.csv":     RBACPolicy(s.Org, s.Roles),
				"scopes":         "[groups]",
			},
		},
		"server": map[string]any{
			"replicas":  s.Replicas,
			"resources": helmkit.Resources("50m", "128Mi", "512Mi"),
			"ingress": map[string]any{
				"enabled":          true,
				"controller":       "aws",
				"ingressClassName": "alb",
				"annotations":      IngressAnnotations(s.CertificateArn),
				// A second Service for gRPC (the argocd CLI), routed by Content-Type; its own
				// health check, since the Ingress's applies to HTTP only where not overridden.
				"aws": map[string]any{
					"serviceType":            "ClusterIP",
					"backendProtocolVersion": "GRPC",
					"serviceAnnotations": map[string]any{
						"alb.ingress.kubernetes.io/healthcheck-path": "/grpc.health.v1.Health/Check",
						"alb.ingress.kubernetes.io/success-codes":    "0",
					},
				},
			},
		},
		"repoServer":     map[string]any{"replicas": s.Replicas, "resources": helmkit.Resources("100m", "256Mi", "1Gi")},
		"applicationSet": map[string]any{"replicas": s.Replicas, "resources": helmkit.Resources("50m", "64Mi", "256Mi")},
		"controller":     map[string]any{"replicas": 1, "resources": helmkit.Resources("250m", "512Mi", "2Gi")},
		"dex":            map[string]any{"resources": helmkit.Resources("25m", "64Mi", "128Mi")},
		"redis-ha":       map[string]any{"enabled": ha},
		"redis":          map[string]any{"enabled": !ha, "resources": helmkit.Resources("50m", "64Mi", "256Mi")},
	}
	if ha {
		// Every replicated component keeps all but one pod through a node drain (an upgrade of
		// the node group, the autoscaler's scale-in); the controller runs one replica, and
		// Dex is stateless and single.
		onePodAtATime := map[string]any{"enabled": true, "maxUnavailable": 1}
		for _, c := range []string{"server", "repoServer", "applicationSet"} {
			v[c].(map[string]any)["pdb"] = onePodAtATime
		}
		v["redis-ha"] = map[string]any{"enabled": true,
			"podDisruptionBudget": map[string]any{"maxUnavailable": 1},
			"haproxy":             map[string]any{"podDisruptionBudget": map[string]any{"maxUnavailable": 1}}}
	}
	if s.Monitored {
		for _, c := range metricsComponents {
			v[c].(map[string]any)["metrics"] = map[string]any{"enabled": true, "serviceMonitor": map[string]any{"enabled": true}}
		}
	}
	return v, nil
}
