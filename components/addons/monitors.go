package addons

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/alertrules"
	"github.com/example/platform/internal/helmkit"
)

// Every addon's metrics are scraped, and the platform's alert rules watch them. The
// ServiceMonitor, PodMonitor and PrometheusRule kinds come with kube-prometheus-stack, so
// everything here waits for its release:
//   - the charts installed after it (ExternalDNS, Cluster Autoscaler, Loki, Alloy, Tempo; Argo
//     CD in its own component) render their own ServiceMonitors (ScrapeValues), whose labels and
//     ports their authors keep in step with their Services;
//   - the two it needs before it (the Load Balancer Controller for Grafana's Ingress, External
//     Secrets for Alertmanager's and Grafana's Secrets) get PodMonitors of ours (AddonPodMonitors).
// Prometheus selects monitors and rules in every namespace, without a release label
// (MonitoringValues' *NilUsesHelmValues).

// ScrapeValues are the values that make a chart render its ServiceMonitor (monitor: the
// release then waits for kube-prometheus-stack) and ship its dashboards, by addon key; merged
// only when monitoring is on. Each key is checked against the pinned chart
// (tests/chartvalues_test.go).
func ScrapeValues(key string) (values map[string]any, monitor bool) {
	switch key {
	case "external-dns":
		return map[string]any{"serviceMonitor": map[string]any{"enabled": true}}, true
	case "cluster-autoscaler":
		// The chart puts its ServiceMonitor in "monitoring" unless told otherwise: beside the
		// autoscaler instead. Its label release: prometheus-operator (serviceMonitor.selector,
		// which Helm merges, so {} would not remove it) is harmless: Prometheus selects every
		// monitor.
		return map[string]any{"serviceMonitor": map[string]any{"enabled": true, "namespace": "kube-system"}}, true
	case "loki":
		// Loki's own Service (and the gateway's exporter, LokiNetworkPolicy admits Prometheus to
		// both), its 13 dashboards, and the recording rules those dashboards query.
		return map[string]any{"monitoring": map[string]any{
			"serviceMonitor": map[string]any{"enabled": true},
			"dashboards":     map[string]any{"enabled": true},
			"rules":          map[string]any{"enabled": true},
		}}, true
	case "tempo", "alloy":
		return map[string]any{"serviceMonitor": map[string]any{"enabled": true}}, true
	case "external-secrets":
		// The chart's dashboard: a ConfigMap Grafana's sidecar loads from every namespace.
		return map[string]any{"grafanaDashboard": map[string]any{"enabled": true}}, false
	}
	return nil, false
}

// PodMonitorSpec is a PodMonitor of ours for a chart installed before the CRD exists.
type PodMonitorSpec struct {
	Name, Namespace string
	// Selector are the chart's pod selector labels; Port the name of its metrics port.
	Selector map[string]string
	Port     string
	// HonorLabels keeps the metrics' own namespace label (the object's, not the pod's).
	HonorLabels bool
}

// AddonPodMonitors scrape the Load Balancer Controller and External Secrets, as their pinned
// charts label their pods and name their ports (aws-load-balancer-controller v3.5.0
// templates/_helpers.tpl selectorLabels and deployment.yaml port metrics-server;
// external-secrets helm-chart-2.9.0 the same, port metrics).
func AddonPodMonitors(cfg Config) []PodMonitorSpec {
	var out []PodMonitorSpec
	if cfg.LoadBalancerController.Enabled {
		out = append(out, PodMonitorSpec{
			Name: "aws-load-balancer-controller", Namespace: "kube-system", Port: "metrics-server",
			Selector: map[string]string{"app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": "aws-load-balancer-controller"},
		})
	}
	if cfg.ExternalSecrets.Enabled {
		out = append(out, PodMonitorSpec{
			Name: "external-secrets", Namespace: "external-secrets", Port: "metrics", HonorLabels: true,
			Selector: map[string]string{"app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets"},
		})
	}
	return out
}

// Spec is the PodMonitor's spec.
func (s PodMonitorSpec) Spec() map[string]any {
	labels := map[string]any{}
	for k, v := range s.Selector {
		labels[k] = v
	}
	return map[string]any{
		"selector":            map[string]any{"matchLabels": labels},
		"podMetricsEndpoints": []any{map[string]any{"port": s.Port, "path": "/metrics", "honorLabels": s.HonorLabels}},
	}
}

// AddonRuleGroups are the platform's alert rules for the enabled addons.
func AddonRuleGroups(cfg Config) []alertrules.Group {
	var out []alertrules.Group
	for _, g := range []struct {
		on    bool
		group func() alertrules.Group
	}{
		{cfg.ExternalSecrets.Enabled, alertrules.ExternalSecrets},
		{cfg.ClusterAutoscaler.Enabled, alertrules.ClusterAutoscaler},
		{cfg.ExternalDNS.Enabled, alertrules.ExternalDNS},
		{cfg.LoadBalancerController.Enabled, alertrules.LoadBalancerController},
		{cfg.Loki.Enabled, alertrules.Loki},
		{cfg.Tempo.Enabled, alertrules.Tempo},
	} {
		if g.on {
			out = append(out, g.group())
		}
	}
	return out
}

// PlatformRulesName is the PrometheusRule of the addons' alerts, in the monitoring namespace.
const PlatformRulesName = "platform-addons"

// monitors creates the PodMonitors and the alert rules, once kube-prometheus-stack is in.
func (c *Addons) monitors(ctx *pulumi.Context) error {
	if c.kps == nil {
		return fmt.Errorf("addons: monitors need the kube-prometheus-stack release")
	}
	for _, m := range AddonPodMonitors(c.args.Config) {
		// The addon's namespace: created by this component, or kube-system.
		ns := pulumi.String(m.Namespace).ToStringOutput()
		if created, ok := c.namespaces[m.Namespace]; ok {
			ns = created.Metadata.Name().Elem()
		}
		if _, err := helmkit.NewMonitoringObject(ctx, c.name+"-"+m.Name+"-monitor", "PodMonitor", m.Name, ns, m.Spec(), c.kps, pulumi.Parent(c)); err != nil {
			return err
		}
	}
	groups := AddonRuleGroups(c.args.Config)
	if len(groups) == 0 {
		return nil
	}
	_, err := helmkit.NewMonitoringObject(ctx, c.name+"-alert-rules", "PrometheusRule", PlatformRulesName,
		c.namespaces[MonitoringNamespace].Metadata.Name().Elem(), alertrules.Spec(groups...), c.kps, pulumi.Parent(c))
	return err
}
