package addons

import (
	"strings"

	"github.com/example/platform/internal/contract"
)

// Observability is shared (one Prometheus, one Loki, one Tempo, one Grafana) and a team's logs
// and metrics hold personal data of a municipality's services, so each team sees its own only:
//   - logs: Loki is multi-tenant (auth_enabled). Alloy sets each line's tenant from its
//     namespace's team label, which only the program sets (the team's name; "platform" for the
//     platform's namespaces). A team's Grafana data source asks for the team's tenant; the
//     platform's for every tenant ("platform|<team>|...", multi-tenant queries on);
//   - metrics: Prometheus labels every series and rule of a team's monitors and rules with the
//     namespace they come from (the operator's enforcedNamespaceLabel; the platform's own
//     namespaces excluded), so a team cannot write into another's namespace; a team's Grafana
//     data source reads through its own prom-label-proxy, which admits only queries for the
//     team's namespaces (as OpenShift's user-workload monitoring does);
//   - traces: Tempo is multi-tenant too, read the same way;
//   - Grafana: one organization per team, holding those data sources; the team's GitHub team
//     is mapped into it (and nowhere else) at login, the platform's admins into every one. Only
//     an organization's Admins may change its data sources, and team members never are.
// Organizations cannot be provisioned from files, so a small reconciler beside Grafana
// (grafana-tenants.py) creates them and their data sources through Grafana's API.

// Tenant is a product team as the observability stack separates it.
type Tenant struct {
	// Name is the team's Loki and Tempo tenant and Grafana organization.
	Name string
	// Namespaces are the namespaces its metrics are limited to.
	Namespaces []string
	// GitHubTeam is mapped into its Grafana organization ("" maps nobody).
	GitHubTeam string
}

// PlatformTenant is the tenant of the platform's namespaces' logs and traces.
const PlatformTenant = "platform"

// The tenants Loki ("fake") and Tempo ("single-tenant") stored under before tenancy: the
// platform keeps reading them until their retention has passed.
const (
	lokiLegacyTenant  = "fake"
	tempoLegacyTenant = "single-tenant"
)

// TenantHeader is the header Loki and Tempo read the tenant from.
const TenantHeader = "X-Scope-OrgID"

// PlatformTenants is the platform's tenant header: every tenant, for Loki or Tempo.
func PlatformTenants(tenants []Tenant, legacy string) string {
	out := []string{PlatformTenant, legacy}
	for _, t := range tenants {
		out = append(out, t.Name)
	}
	return strings.Join(out, "|")
}

// MetricsProxy is a team's prom-label-proxy (Deployment and Service in monitoring).
func MetricsProxy(team string) string { return "prom-label-proxy-" + team }

// MetricsProxyURL is where the team's Grafana organization reads metrics.
func MetricsProxyURL(team string) string {
	return "http://" + MetricsProxy(team) + "." + MonitoringNamespace + ".svc.cluster.local:8080"
}

// PrometheusURL is kube-prometheus-stack's Prometheus (the release is named after the addon key).
func PrometheusURL() string {
	return "http://kube-prometheus-stack-prometheus." + MonitoringNamespace + ".svc.cluster.local:9090"
}

// MetricsProxyImage is prom-label-proxy's image (prometheus-community/prom-label-proxy v0.15.0).
const MetricsProxyImage = "quay.io/prometheuscommunity/prom-label-proxy:v0.15.0"

// MetricsProxyArgs enforce namespace=~"<the team's namespaces>" on every query, series, label
// and rule request, and refuse a query that asks for another namespace (-error-on-replace).
func MetricsProxyArgs(t Tenant) []string {
	args := []string{"-insecure-listen-address=0.0.0.0:8080", "-upstream=" + PrometheusURL(), "-label=namespace"}
	for _, ns := range t.Namespaces {
		args = append(args, "-label-value="+ns)
	}
	return append(args, "-enable-label-apis", "-error-on-replace")
}

// EnforcementExclusions are the platform's monitors and rules, in its namespaces: their series
// keep the namespace label of what they watch (kube-state-metrics' pods of every namespace),
// where a team's get the namespace of the monitor or rule.
func EnforcementExclusions() []any {
	var out []any
	for _, ns := range contract.PlatformNamespaces {
		for _, r := range []string{"servicemonitors", "podmonitors", "probes", "prometheusrules"} {
			out = append(out, map[string]any{"group": "monitoring.coreos.com", "resource": r, "namespace": ns})
		}
	}
	return out
}

// GrafanaTenants is the reconciler's desired state: an organization per team with its data
// sources (Prometheus through its proxy, Loki and Tempo with its tenant), the uids the
// platform's own data sources have, so that links between them work the same.
func GrafanaTenants(tenants []Tenant, loki, tempo bool) map[string]any {
	var orgs []any
	for _, t := range tenants {
		sources := []any{map[string]any{
			"uid": "prometheus", "name": "Prometheus", "type": "prometheus", "access": "proxy", "isDefault": true,
			"url": MetricsProxyURL(t.Name), "jsonData": map[string]any{"httpMethod": "POST"},
		}}
		for _, ds := range dataSources(loki, tempo, "$") {
			d := ds.(map[string]any)
			withTenant(d, t.Name)
			sources = append(sources, d)
		}
		orgs = append(orgs, map[string]any{"name": t.Name, "datasources": sources})
	}
	return map[string]any{"orgs": orgs}
}

// withTenant makes a data source send tenant in TenantHeader.
func withTenant(ds map[string]any, tenant string) {
	jsonData, _ := ds["jsonData"].(map[string]any)
	if jsonData == nil {
		jsonData = map[string]any{}
		ds["jsonData"] = jsonData
	}
	jsonData["httpHeaderName1"] = TenantHeader
	ds["secureJsonData"] = map[string]any{"httpHeaderValue1": tenant}
}

// grafanaOrgMapping is [auth.github] org_mapping: the admins Admin of every organization, the
// platform's other teams Viewers of the main one (the platform's), each product team's GitHub
// team its role in its own organization and nowhere else.
func (s GrafanaSSO) grafanaOrgMapping() string {
	var out []string
	for _, t := range s.Admins {
		out = append(out, "@"+s.Org+"/"+t+":*:Admin")
	}
	for _, t := range s.Viewers {
		out = append(out, "@"+s.Org+"/"+t+":1:Viewer")
	}
	for _, t := range s.Teams {
		if t.GitHubTeam != "" {
			out = append(out, "@"+s.Org+"/"+t.GitHubTeam+":"+t.Name+":"+s.TeamRole)
		}
	}
	return strings.Join(out, " ")
}

// TeamNamespaceSelector selects the teams' namespaces: those carrying the team label, which
// only the program sets and the platform's namespaces do not carry.
func TeamNamespaceSelector() map[string]any {
	return map[string]any{"matchExpressions": []any{map[string]any{"key": contract.TeamLabel, "operator": "Exists"}}}
}
