package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
)

// rendered is one object of a rendered release, by kind and name.
func rendered(t *testing.T, objs []map[string]any, kind, name string) planner.Resource {
	t.Helper()
	for _, o := range objs {
		if o["kind"] == kind && planner.Resource(planner.Resource{Inputs: o}).GetString("metadata.name") == name {
			return planner.Resource{Inputs: o}
		}
	}
	t.Fatalf("no %s %s in the rendered release", kind, name)
	return planner.Resource{}
}

// What the observability stack's tenancy settings become in the pinned charts, rendered with
// the plan's values (a value a chart ignored would leave every team reading everyone's data):
// Loki and Tempo require a tenant and let the platform read several; Alloy stamps each line
// with its namespace's team; Prometheus enforces the namespace label but on the platform's
// own monitors and rules; Grafana runs the organizations' reconciler as its admin, maps GitHub
// teams to organizations, and takes dashboards from the platform's namespaces only.
func TestTenancyInTheRenderedCharts(t *testing.T) {
	p := stackPlan(t, "prod")
	release := func(name string) []map[string]any { return renderRelease(t, p.named(t, typeRelease, name), "1.35.0") }

	lokiConfig := getString(rendered(t, release("addons-loki"), "ConfigMap", "loki"), "data.config\\.yaml")
	if lokiConfig == "" {
		lokiConfig = rendered(t, release("addons-loki"), "ConfigMap", "loki").Inputs["data"].(map[string]any)["config.yaml"].(string)
	}
	for _, want := range []string{"auth_enabled: true", "multi_tenant_queries_enabled: true"} {
		if !strings.Contains(lokiConfig, want) {
			t.Errorf("Loki's config lacks %q", want)
		}
	}
	tempo := release("addons-tempo")
	tempoConfig := rendered(t, tempo, "ConfigMap", "tempo").Inputs["data"].(map[string]any)["tempo.yaml"].(string)
	for _, want := range []string{"multitenancy_enabled: true", "multi_tenant_queries_enabled: true"} {
		if !strings.Contains(tempoConfig, want) {
			t.Errorf("Tempo's config lacks %q", want)
		}
	}
	alloy := rendered(t, release("addons-alloy"), "ConfigMap", "alloy").Inputs["data"].(map[string]any)["config.alloy"].(string)
	for _, want := range []string{"namespace = true", `__meta_kubernetes_namespace_label_platform_example_org_team`, "stage.tenant", `tenant_id = "platform"`} {
		if !strings.Contains(alloy, want) {
			t.Errorf("Alloy's config lacks %q", want)
		}
	}

	kps := release("addons-kube-prometheus-stack")
	var prom planner.Resource
	for _, o := range kps {
		if o["kind"] == "Prometheus" {
			prom = planner.Resource{Inputs: o}
		}
	}
	// The chart adds its own rules by name to the exclusions; ours are whole namespaces.
	excluded, _ := prom.Get("spec.excludedFromEnforcement").([]any)
	whole := map[string]bool{}
	for _, e := range excluded {
		m := e.(map[string]any)
		if ns := m["namespace"].(string); strings.HasPrefix(ns, "payments") || strings.HasPrefix(ns, "search") {
			t.Errorf("a team's monitors escape the namespace label: %v", e)
		}
		if m["name"] == nil {
			whole[m["namespace"].(string)+"/"+m["resource"].(string)] = true
		}
	}
	if prom.GetString("spec.enforcedNamespaceLabel") != "namespace" || len(whole) != 4*len(contract.PlatformNamespaces) || !whole["logging/servicemonitors"] {
		t.Errorf("Prometheus enforces %q, excludes %v", prom.GetString("spec.enforcedNamespaceLabel"), whole)
	}
	deploy := rendered(t, kps, "Deployment", "kube-prometheus-stack-grafana")
	var tenants, dashboards map[string]any
	for _, c := range deploy.Get("spec.template.spec.containers").([]any) {
		switch c.(map[string]any)["name"] {
		case "tenants":
			tenants = c.(map[string]any)
		case "grafana-sc-dashboard":
			dashboards = c.(map[string]any)
		}
	}
	if tenants == nil || tenants["image"] != addons.SidecarImage {
		t.Fatalf("Grafana's pod runs no reconciler: %v", tenants)
	}
	env := planner.Resource{Inputs: tenants}
	if env.GetString("env.0.valueFrom.secretKeyRef.name") != addons.GrafanaAdminSecret || env.GetString("env.1.name") != "GF_ADMIN_PASSWORD" ||
		env.GetString("volumeMounts.0.name") != addons.GrafanaTenantsConfigMap {
		t.Errorf("the reconciler's container = %v", tenants)
	}
	mounted := false
	for _, v := range deploy.Get("spec.template.spec.volumes").([]any) {
		if planner.Resource(planner.Resource{Inputs: v.(map[string]any)}).GetString("configMap.name") == addons.GrafanaTenantsConfigMap {
			mounted = true
		}
	}
	if !mounted {
		t.Error("Grafana's pod does not mount the reconciler's ConfigMap")
	}
	var namespaces string
	for _, e := range dashboards["env"].([]any) {
		if e.(map[string]any)["name"] == "NAMESPACE" {
			namespaces = e.(map[string]any)["value"].(string)
		}
	}
	if namespaces != strings.Join(contract.PlatformNamespaces, ",") {
		t.Errorf("Grafana takes dashboards from %q, want the platform's namespaces", namespaces)
	}
	ini := rendered(t, kps, "ConfigMap", "kube-prometheus-stack-grafana").Inputs["data"].(map[string]any)["grafana.ini"].(string)
	for _, want := range []string{"org_mapping = @example-org/platform:*:Admin @example-org/payments-devs:payments:Viewer", "role_attribute_strict = true", "skip_org_role_sync = false"} {
		if !strings.Contains(ini, want) {
			t.Errorf("grafana.ini lacks %q:\n%s", want, ini)
		}
	}
}
