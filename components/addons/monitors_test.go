package addons

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/alertrules"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func dependsOn(r, on planner.Resource) bool { return plantest.Contains(r.Dependencies, on.URN) }

// With monitoring, every addon is scraped: the charts after kube-prometheus-stack render their
// ServiceMonitors and wait for its release (the CRDs); the two before it get PodMonitors that
// wait for it; the rules cover the enabled addons.
func TestEveryAddonIsScraped(t *testing.T) {
	p, err := build(t, everything(), true)
	if err != nil {
		t.Fatal(err)
	}
	kps := plantest.Named(t, p, helmkit.ReleaseType, "addons-kube-prometheus-stack")
	crds := plantest.Named(t, p, helmkit.ReleaseType, "addons-monitoring-crds")
	if !dependsOn(kps, crds) {
		t.Error("kube-prometheus-stack does not wait for the CRDs' release: the two would race to create the CRDs")
	}
	for key, path := range map[string]string{
		"external-dns": "serviceMonitor.enabled", "cluster-autoscaler": "serviceMonitor.enabled",
		"loki": "monitoring.serviceMonitor.enabled", "alloy": "serviceMonitor.enabled", "tempo": "serviceMonitor.enabled",
	} {
		rel := plantest.Named(t, p, helmkit.ReleaseType, "addons-"+key)
		if v := (planner.Resource{Inputs: rel.Get("values").(map[string]any)}); v.Get(path) != true {
			t.Errorf("%s: %s is %v", key, path, v.Get(path))
		}
		if !dependsOn(rel, crds) {
			t.Errorf("%s: renders a ServiceMonitor without waiting for the monitoring CRDs", key)
		}
		if dependsOn(rel, kps) {
			t.Errorf("%s: waits for kube-prometheus-stack's whole rollout, when its ServiceMonitor needs only the CRDs", key)
		}
	}
	ca := planner.Resource{Inputs: plantest.Named(t, p, helmkit.ReleaseType, "addons-cluster-autoscaler").Get("values").(map[string]any)}
	if ca.GetString("serviceMonitor.namespace") != "kube-system" || ca.Get("extraArgs.emit-per-nodegroup-metrics") != true {
		t.Errorf("cluster autoscaler: monitor in %q, per-node-group metrics %v", ca.GetString("serviceMonitor.namespace"), ca.Get("extraArgs.emit-per-nodegroup-metrics"))
	}
	for _, key := range []string{"aws-load-balancer-controller", "external-secrets"} {
		rel := plantest.Named(t, p, helmkit.ReleaseType, "addons-"+key)
		if dependsOn(rel, kps) || (planner.Resource{Inputs: rel.Get("values").(map[string]any)}).Get("serviceMonitor.enabled") == true {
			t.Errorf("%s: installed before kube-prometheus-stack, it must not render a ServiceMonitor", key)
		}
		mon := plantest.Named(t, p, "kubernetes:monitoring.coreos.com/v1:PodMonitor", "addons-"+key+"-monitor")
		if !dependsOn(mon, kps) {
			t.Errorf("%s: PodMonitor does not wait for kube-prometheus-stack", key)
		}
	}
	esoValues := planner.Resource{Inputs: plantest.Named(t, p, helmkit.ReleaseType, "addons-external-secrets").Get("values").(map[string]any)}
	if esoValues.Get("grafanaDashboard.enabled") != true {
		t.Error("External Secrets' dashboard is off")
	}
	rules := plantest.Named(t, p, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "addons-alert-rules")
	var names []string
	for _, g := range rules.Get("spec.groups").([]any) {
		names = append(names, g.(map[string]any)["name"].(string))
	}
	if got := strings.Join(names, " "); got != "platform.external-secrets platform.cluster-autoscaler platform.external-dns platform.aws-load-balancer-controller platform.loki platform.tempo" || !dependsOn(rules, kps) {
		t.Errorf("rule groups %s", got)
	}
}

// The PodMonitors select the pods as the pinned charts label them, on their metrics ports;
// External Secrets keeps its metrics' own namespace label (the ExternalSecret's).
func TestAddonPodMonitors(t *testing.T) {
	mons := AddonPodMonitors(everything())
	if len(mons) != 2 {
		t.Fatalf("%d PodMonitors", len(mons))
	}
	for _, m := range mons {
		spec := planner.Resource{Inputs: m.Spec()}
		want := map[string]string{"aws-load-balancer-controller": "metrics-server", "external-secrets": "metrics"}[m.Name]
		if spec.GetString("podMetricsEndpoints.0.port") != want ||
			spec.Get("selector.matchLabels").(map[string]any)["app.kubernetes.io/instance"] != m.Name ||
			spec.Get("podMetricsEndpoints.0.honorLabels") != (m.Name == "external-secrets") {
			t.Errorf("%s: %v", m.Name, m.Spec())
		}
	}
	cfg := everything()
	cfg.LoadBalancerController.Enabled = false
	if mons := AddonPodMonitors(cfg); len(mons) != 1 || mons[0].Name != "external-secrets" {
		t.Errorf("without the controller: %v", mons)
	}
}

// Without monitoring nothing is scraped: no ServiceMonitor values (no CRD to take them), no
// monitors, no rules.
func TestNoMonitoringNoMonitors(t *testing.T) {
	cfg := everything()
	cfg.Monitoring.Enabled = false
	p, err := build(t, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Counts()
	if c["kubernetes:monitoring.coreos.com/v1:PodMonitor"]+c["kubernetes:monitoring.coreos.com/v1:PrometheusRule"] != 0 {
		t.Errorf("counts %v", c)
	}
	for _, key := range []string{"external-dns", "loki", "tempo", "external-secrets"} {
		v := planner.Resource{Inputs: plantest.Named(t, p, helmkit.ReleaseType, "addons-"+key).Get("values").(map[string]any)}
		if v.Get("serviceMonitor") != nil || v.Get("monitoring") != nil || v.Get("grafanaDashboard") != nil {
			t.Errorf("%s: scrape values without monitoring: %v", key, v.Inputs)
		}
	}
}

// A chart whose ServiceMonitor needs the CRD, installed before the CRDs' release, is an
// error naming it, not a release that fails in the cluster.
func TestScrapedBeforeMonitoringIsAnError(t *testing.T) {
	_, err := plantest.Run(func(ctx *pulumi.Context) error {
		c := &Addons{name: "addons", args: Args{Config: everything()}}
		_, err := c.install(ctx, addon{key: "external-dns", namespace: "kube-system", chart: helmkit.Charts.ExternalDNS})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "external-dns is installed before the monitoring CRDs") {
		t.Errorf("err = %v", err)
	}
}

// Each enabled addon has its rules; a disabled one has none.
func TestAddonRuleGroups(t *testing.T) {
	cfg := everything()
	cfg.Loki.Enabled, cfg.ClusterAutoscaler.Enabled = false, false
	var got []string
	for _, g := range AddonRuleGroups(cfg) {
		got = append(got, g.Name)
	}
	if strings.Join(got, " ") != "platform.external-secrets platform.external-dns platform.aws-load-balancer-controller platform.tempo" {
		t.Errorf("groups %v", got)
	}
	if len(alertrules.Spec(AddonRuleGroups(cfg)...)["groups"].([]any)) != 4 {
		t.Error("spec groups")
	}
}
