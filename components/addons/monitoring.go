package addons

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// Monitoring is kube-prometheus-stack: Prometheus and Alertmanager on gp3 volumes, Grafana on
// the shared ALB with a generated admin password kept in SSM. Chart pin:
// helmkit.Charts.KubePrometheusStack.

// Monitoring is the addon's block.
type Monitoring struct {
	Helm
	// RetentionDays of Prometheus' local TSDB.
	RetentionDays int
	// StorageGiB of each Prometheus volume (gp3).
	StorageGiB int
	// Receiver ("slack", "webhook" or "" for none) and Heartbeat: see AlertmanagerConfig.
	Receiver  string
	Heartbeat bool
	// SSO is Grafana's GitHub login (zero: local login only).
	SSO GrafanaSSO
}

// MonitoringNamespace runs node-exporter on the host network and PID namespace: it needs the
// privileged standard.
const MonitoringNamespace = "monitoring"

// GrafanaAdminSecret holds Grafana's admin credentials; the chart reads it (admin.existingSecret)
// instead of putting the password in Helm values, where `helm get values` would show it. Its
// password is readable by operators at contract.GrafanaPasswordParameter.
const GrafanaAdminSecret = "grafana-admin"

// GrafanaHost is Grafana's name on the shared ALB.
func GrafanaHost(domain string) string { return contract.GrafanaHost + "." + domain }

// MonitoringSettings are the inputs of the kube-prometheus-stack values.
type MonitoringSettings struct {
	Domain         string
	CertificateArn pulumi.StringInput
	RetentionDays  int
	StorageGiB     int
	Replicas       int
	Loki, Tempo    bool
	// Receiver and Heartbeat: see AlertmanagerConfig.
	Receiver  string
	Heartbeat bool
	SSO       GrafanaSSO
	// Tenants are the product teams, each read apart (tenancy.go).
	Tenants []Tenant
}

// MonitoringValues: Prometheus and Alertmanager on gp3 volumes (the chart defaults to
// emptyDir), with PDBs and replicas in prod; Grafana behind the shared ALB, its admin from a
// Secret, Loki and Tempo as data sources.
func MonitoringValues(s MonitoringSettings) map[string]any {
	host := GrafanaHost(s.Domain)
	pdb := map[string]any{"enabled": s.Replicas > 1, "minAvailable": 1}
	grafana := map[string]any{
		// More than one Grafana needs an external database; one with a PVC is enough.
		"replicas": 1,
		"admin": map[string]any{
			"existingSecret": GrafanaAdminSecret, "userKey": "admin-user", "passwordKey": "admin-password",
		},
		"persistence": map[string]any{
			"enabled": true, "type": "pvc", "storageClassName": GP3StorageClass,
			"accessModes": []any{"ReadWriteOnce"}, "size": "10Gi",
		},
		"ingress": map[string]any{
			"enabled":          true,
			"ingressClassName": "alb",
			"hosts":            []any{host},
			"path":             "/",
			"pathType":         "Prefix",
			"annotations":      helmkit.ALBIngressAnnotations(s.CertificateArn, "/api/health"),
		},
		"grafana.ini": map[string]any{"server": map[string]any{"root_url": "https://" + host}},
		"resources":   helmkit.Resources("100m", "256Mi", "512Mi"),
		// Dashboards from the platform's namespaces only (the chart's default is every
		// namespace): a team's ConfigMap would otherwise land in the platform's organization.
		"sidecar": map[string]any{"dashboards": map[string]any{"searchNamespace": platformNamespaces()}},
	}
	if s.SSO.ClientID != "" {
		s.SSO.values(grafana)
	}
	if len(s.Tenants) > 0 {
		grafanaTenantsValues(grafana)
	}
	sources := DataSources(s.Loki, s.Tempo, s.Tenants)
	values := map[string]any{
		"prometheus": map[string]any{
			"podDisruptionBudget": pdb,
			"prometheusSpec": map[string]any{
				// Monitors and rules from every namespace, without the release label the
				// chart otherwise requires: the addons' charts, ours, and the teams'.
				"serviceMonitorSelectorNilUsesHelmValues": false,
				"podMonitorSelectorNilUsesHelmValues":     false,
				"ruleSelectorNilUsesHelmValues":           false,
				// A team's monitors and rules write and read their own namespace only.
				"enforcedNamespaceLabel":  "namespace",
				"excludedFromEnforcement": EnforcementExclusions(),
				"retention":               fmt.Sprintf("%dd", s.RetentionDays),
				"replicas":                s.Replicas,
				"resources":               helmkit.Resources("500m", "2Gi", "4Gi"),
				"storageSpec": map[string]any{"volumeClaimTemplate": map[string]any{"spec": map[string]any{
					"storageClassName": GP3StorageClass,
					"accessModes":      []any{"ReadWriteOnce"},
					"resources":        map[string]any{"requests": map[string]any{"storage": fmt.Sprintf("%dGi", s.StorageGiB)}},
				}}},
			},
		},
		"alertmanager": map[string]any{
			"podDisruptionBudget": pdb,
			"config":              AlertmanagerConfig(s.Receiver, s.Heartbeat),
			"alertmanagerSpec": map[string]any{
				// The receiver's URL, from SSM (alertReceiverSecret), read from a file.
				"secrets": []any{AlertReceiverSecret},
				// Teams' AlertmanagerConfigs from team namespaces only, each held to its own
				// namespace's alerts (see AlertmanagerConfig). Stated, not left to the chart's
				// default, which reads every namespace.
				"alertmanagerConfigSelector":          map[string]any{},
				"alertmanagerConfigNamespaceSelector": TeamNamespaceSelector(),
				"alertmanagerConfigMatcherStrategy":   map[string]any{"type": "OnNamespace"},
				"replicas":                            s.Replicas,
				"resources":                           helmkit.Resources("50m", "128Mi", "256Mi"),
				"storage": map[string]any{"volumeClaimTemplate": map[string]any{"spec": map[string]any{
					"storageClassName": GP3StorageClass,
					"accessModes":      []any{"ReadWriteOnce"},
					"resources":        map[string]any{"requests": map[string]any{"storage": "10Gi"}},
				}}},
			},
		},
		"grafana": grafana,
		// EKS runs the control plane: its scheduler, controller manager and etcd cannot be
		// scraped, and kube-proxy's metrics listen on 127.0.0.1. Their targets would be down
		// and their default alerts would fire forever, so neither is scraped nor alerted on.
		"kubeControllerManager": map[string]any{"enabled": false},
		"kubeScheduler":         map[string]any{"enabled": false},
		"kubeEtcd":              map[string]any{"enabled": false},
		"kubeProxy":             map[string]any{"enabled": false},
		"defaultRules": map[string]any{"rules": map[string]any{
			"etcd": false, "kubeControllerManager": false, "kubeSchedulerAlerting": false,
			"kubeSchedulerRecording": false, "kubeProxy": false,
		}},
		// The operator and the bundled exporters (subchart aliases) get requests too.
		"prometheusOperator":       map[string]any{"resources": helmkit.Resources("100m", "128Mi", "256Mi")},
		"kube-state-metrics":       map[string]any{"resources": helmkit.Resources("50m", "128Mi", "256Mi")},
		"prometheus-node-exporter": map[string]any{"resources": helmkit.Resources("50m", "32Mi", "64Mi")},
	}
	if len(sources) > 0 {
		grafana["additionalDataSources"] = sources
	}
	return values
}

// Grafana's data source uids: links between data sources name them.
const (
	LokiDataSourceUID  = "loki"
	TempoDataSourceUID = "tempo"
)

// TraceIDPattern finds a trace id in a log line: logfmt (traceID=..., trace_id=...) and JSON
// ("traceId":"...") as OpenTelemetry SDKs and their log bridges write them.
const TraceIDPattern = `(?:traceID|trace_id|traceId)"?[=:]\s*"?([0-9a-fA-F]{16,32})`

// DataSources are the platform's Grafana data sources for Loki and Tempo: every tenant
// (PlatformTenants), linked both ways (dataSources). "$$" is Grafana provisioning's escape of "$".
func DataSources(loki, tempo bool, tenants []Tenant) []any {
	out := dataSources(loki, tempo, "$$")
	for _, ds := range out {
		d := ds.(map[string]any)
		legacy := lokiLegacyTenant
		if d["type"] == "tempo" {
			legacy = tempoLegacyTenant
		}
		withTenant(d, PlatformTenants(tenants, legacy))
	}
	return out
}

// dataSources are Grafana's Loki and Tempo data sources, linked both ways: a trace's spans
// open their logs in Loki (by trace id, a few minutes around the span), and a trace id in a
// log line opens the trace in Tempo. dollar is "$" as the format at hand writes it.
func dataSources(loki, tempo bool, dollar string) []any {
	var out []any
	if loki {
		ds := map[string]any{"name": "Loki", "type": "loki", "uid": LokiDataSourceUID, "access": "proxy", "url": LokiQueryURL()}
		if tempo {
			ds["jsonData"] = map[string]any{"derivedFields": []any{map[string]any{
				"name": "TraceID", "datasourceUid": TempoDataSourceUID, "matcherRegex": TraceIDPattern,
				"url": dollar + "{__value.raw}", "urlDisplayLabel": "View trace",
			}}}
		}
		out = append(out, ds)
	}
	if tempo {
		ds := map[string]any{"name": "Tempo", "type": "tempo", "uid": TempoDataSourceUID, "access": "proxy", "url": TempoQueryURL()}
		if loki {
			ds["jsonData"] = map[string]any{
				"tracesToLogsV2": map[string]any{
					"datasourceUid": LokiDataSourceUID, "spanStartTimeShift": "-5m", "spanEndTimeShift": "5m",
					"filterByTraceID": true, "filterBySpanID": false,
				},
				"lokiSearch": map[string]any{"datasourceUid": LokiDataSourceUID},
				"nodeGraph":  map[string]any{"enabled": true},
			}
		}
		out = append(out, ds)
	}
	return out
}

func (c *Addons) monitoring(ctx *pulumi.Context) error {
	cfg := c.args.Config.Monitoring
	cl := c.args.Cluster
	parent := pulumi.Parent(c)
	password, err := random.NewRandomPassword(ctx, c.name+"-grafana-admin-password", &random.RandomPasswordArgs{
		Length:  pulumi.Int(32),
		Special: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return err
	}
	param, err := ssm.NewParameter(ctx, c.name+"-grafana-admin-password", &ssm.ParameterArgs{
		Name:        pulumi.String(contract.GrafanaPasswordParameter(cl.Name)),
		Type:        pulumi.String("SecureString"),
		Value:       password.Result,
		KeyId:       cl.SecretsKeyArn,
		Description: pulumi.String("Grafana admin password of " + cl.Name),
	}, parent)
	if err != nil {
		return err
	}
	ns, err := c.namespace(ctx, MonitoringNamespace, helmkit.Privileged)
	if err != nil {
		return err
	}
	if _, err := corev1.NewSecret(ctx, c.name+"-grafana-admin", &corev1.SecretArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GrafanaAdminSecret), Namespace: ns.Metadata.Name()},
		Type:     pulumi.String("Opaque"),
		StringData: pulumi.StringMap{
			"admin-user":     pulumi.String("admin"),
			"admin-password": password.Result,
		},
	}, parent); err != nil {
		return err
	}
	values := MonitoringValues(MonitoringSettings{
		Domain:         c.args.Zone.Domain,
		CertificateArn: c.args.Certificate.Arn,
		RetentionDays:  cfg.RetentionDays,
		StorageGiB:     cfg.StorageGiB,
		Replicas:       cfg.Replicas,
		Loki:           c.args.Config.Loki.Enabled,
		Tempo:          c.args.Config.Tempo.Enabled,
		Receiver:       cfg.Receiver,
		Heartbeat:      cfg.Heartbeat,
		SSO:            cfg.SSO,
		Tenants:        c.args.Tenants,
	})
	// The monitoring CRDs go first, in a release of their own that has no pods and so waits
	// for no node: the charts that render ServiceMonitors (and Argo CD) wait only for them,
	// seconds after the namespace, not for the whole stack below to roll out (it was on the
	// first up's critical path: internal/timeline). Helm installs a chart's crds/ and never
	// updates or deletes them, so the main release below skips them once they exist.
	c.monitoringCRDs, err = helmkit.Install(ctx, helmkit.Release{
		ResourceName: c.name + "-monitoring-crds", ReleaseName: MonitoringCRDsRelease,
		Chart:     helmkit.Charts.KubePrometheusStack.Mirrored(c.args.Config.HelmRepository),
		Namespace: ns.Metadata.Name().Elem(), Values: MonitoringCRDsValues(),
	}, parent)
	if err != nil {
		return err
	}
	// The main release waits for the CRDs' release so the two never race to create them.
	// It does not wait for the Secrets that External Secrets writes (the receiver's, Grafana's
	// OAuth client): a pod that mounts a Secret not yet there starts when it appears, within
	// the release's wait, and waiting for them put External Secrets' rollout before this one.
	needs := append(c.withStorage(c.withLBC(c.base())), c.monitoringCRDs)
	if len(c.args.Tenants) > 0 {
		// Grafana's pod mounts the tenants' reconciler.
		cm, err := c.tenants(ctx, ns)
		if err != nil {
			return err
		}
		needs = append(needs, cm)
	}
	if c.ParameterStore != nil {
		if _, err := c.alertReceiverSecret(ctx, ns.Metadata.Name().Elem(), []pulumi.Resource{c.ParameterStore}); err != nil {
			return err
		}
		if cfg.SSO.ClientID != "" {
			if _, err := c.grafanaOAuthSecret(ctx, ns.Metadata.Name().Elem(), []pulumi.Resource{c.ParameterStore}); err != nil {
				return err
			}
		}
	}
	c.kps, err = c.install(ctx, addon{
		key: "kube-prometheus-stack", namespace: MonitoringNamespace, podSecurity: helmkit.Privileged,
		chart: helmkit.Charts.KubePrometheusStack, values: values, extra: cfg.ExtraValues,
		// Grafana's Ingress needs the controller's webhook, and must be deleted before it.
		needs: needs,
	})
	if err != nil {
		return err
	}
	c.GrafanaURL = pulumi.String("https://" + GrafanaHost(c.args.Zone.Domain)).ToStringOutput()
	c.GrafanaAdminPasswordParameter = param.Name
	return nil
}

func platformNamespaces() []any {
	out := make([]any, len(contract.PlatformNamespaces))
	for i, ns := range contract.PlatformNamespaces {
		out[i] = ns
	}
	return out
}

// MonitoringCRDsRelease is the release that brings the prometheus-operator CRDs alone.
const MonitoringCRDsRelease = "kube-prometheus-stack-crds"

// MonitoringCRDsValues turn off everything kube-prometheus-stack renders, so its release
// installs the CRDs of its crds subchart and nothing else (tests render it: no template).
func MonitoringCRDsValues() map[string]any {
	off := map[string]any{"enabled": false}
	values := map[string]any{"defaultRules": map[string]any{"create": false}}
	for _, k := range []string{"windowsMonitoring", "alertmanager", "grafana", "kubernetesServiceMonitors",
		"kubeApiServer", "kubelet", "kubeControllerManager", "coreDns", "kubeDns", "kubeEtcd", "kubeScheduler",
		"kubeProxy", "kubeStateMetrics", "nodeExporter", "prometheusOperator", "prometheus", "thanosRuler"} {
		values[k] = off
	}
	return values
}
