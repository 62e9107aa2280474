package addons

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Loki stores the platform's logs in S3 (monolithic mode), and Grafana Alloy ships every
// pod's logs to it. Chart pins: helmkit.Charts.Loki and helmkit.Charts.Alloy.

// Namespace and service account of the logging addon.
const (
	LoggingNamespace   = "logging"
	LokiServiceAccount = "loki"
)

// LokiQueryURL is Loki's in-cluster endpoint (the gateway Service of the pinned chart; the
// release name is the addon key "loki").
func LokiQueryURL() string { return "http://loki-gateway." + LoggingNamespace + ".svc.cluster.local" }

// LokiPushURL is where the log shipper sends.
func LokiPushURL() string { return LokiQueryURL() + "/loki/api/v1/push" }

// LokiValues: Loki on S3 through the default AWS credential chain (Pod Identity), TSDB schema
// v13, retention enforced by the compactor. Monolithic mode (the chart's default; simple
// scalable is deprecated for Loki 4); in prod several instances with replication, as Loki's docs
// suggest for HA.
func LokiValues(bucket pulumi.StringInput, region string, retentionDays, replicas int) map[string]any {
	rf := 1
	if replicas >= 3 {
		rf = 3
	}
	v := map[string]any{
		"deploymentMode": "Monolithic",
		"loki": map[string]any{
			// Tenants: each team's logs apart (tenancy.go); the platform reads them all at once.
			"auth_enabled": true,
			"querier":      map[string]any{"multi_tenant_queries_enabled": true},
			"commonConfig": map[string]any{"replication_factor": rf},
			"schemaConfig": map[string]any{"configs": []any{map[string]any{
				"from": "2026-11-01", "store": "tsdb", "object_store": "s3", "schema": "v13",
				"index": map[string]any{"prefix": "loki_index_", "period": "24h"},
			}}},
			"storage": map[string]any{
				"type":        "s3",
				"bucketNames": map[string]any{"chunks": bucket, "ruler": bucket},
				// No keys: the default chain finds the Pod Identity credentials.
				"s3": map[string]any{"region": region},
			},
			"limits_config": map[string]any{"retention_period": fmt.Sprintf("%dh", retentionDays*24)},
			"compactor":     map[string]any{"retention_enabled": true, "delete_request_store": "s3"},
		},
		"serviceAccount": map[string]any{"create": true, "name": LokiServiceAccount},
		"singleBinary": map[string]any{
			"replicas":    replicas,
			"resources":   helmkit.Resources("500m", "1Gi", "2Gi"),
			"persistence": map[string]any{"enabled": true, "size": "10Gi", "storageClass": GP3StorageClass},
		},
		// The chart fails to render when both the single binary and these run.
		"read":    map[string]any{"replicas": 0},
		"write":   map[string]any{"replicas": 0},
		"backend": map[string]any{"replicas": 0},
		// The memcached caches reserve GBs of memory; a platform's own logs do not need them.
		"chunksCache":  map[string]any{"enabled": false},
		"resultsCache": map[string]any{"enabled": false},
		"lokiCanary":   map[string]any{"enabled": false},
		"test":         map[string]any{"enabled": false},
		"minio":        map[string]any{"enabled": false},
		"gateway":      map[string]any{"enabled": true, "replicas": replicas, "resources": helmkit.Resources("50m", "64Mi", "128Mi")},
	}
	if replicas > 1 {
		v["singleBinary"].(map[string]any)["topologySpreadConstraints"] = helmkit.Spread(map[string]any{"app.kubernetes.io/component": "single-binary"})
		// One pod at a time through a drain: writes need a quorum of the 3 replicas. The
		// chart's budgets are "enabled" by default but render only with a bound set.
		for _, c := range []string{"singleBinary", "gateway"} {
			v[c].(map[string]any)["podDisruptionBudget"] = map[string]any{"maxUnavailable": 1}
		}
	}
	return v
}

// AlloyValues run Grafana Alloy as a DaemonSet shipping the pods' logs of its node to Loki,
// read through the Kubernetes API (no hostPath).
func AlloyValues(lokiPushURL string) map[string]any {
	return map[string]any{
		"controller": map[string]any{"type": "daemonset"},
		"alloy": map[string]any{
			"configMap": map[string]any{"create": true, "content": AlloyConfig(lokiPushURL)},
			"resources": helmkit.Resources("50m", "128Mi", "512Mi"),
		},
	}
}

// AlloyConfig discovers the pods of the node it runs on (the chart sets HOSTNAME to the node
// name), labels their logs by namespace, pod and container, and pushes them to Loki, each line
// as the tenant of its namespace: the team of the namespace's team label (which only the
// program sets, never anything the pod writes), else the platform.
func AlloyConfig(lokiPushURL string) string {
	return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
  }
  attach_metadata {
    namespace = true
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    target_label = "` + tenantLabel + `"
    replacement  = "` + PlatformTenant + `"
  }
  rule {
    source_labels = ["__meta_kubernetes_namespace_label_` + promLabelName(contract.TeamLabel) + `"]
    regex         = "(.+)"
    target_label  = "` + tenantLabel + `"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.process.tenant.receiver]
}

loki.process "tenant" {
  stage.tenant {
    label = "` + tenantLabel + `"
  }
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url       = "` + lokiPushURL + `"
    tenant_id = "` + PlatformTenant + `"
  }
}
`
}

// tenantLabel is the stream label Alloy carries a line's tenant in.
const tenantLabel = "team"

// promLabelName is a Kubernetes label's name as service discovery exposes it: every character
// outside [a-zA-Z0-9_] becomes "_".
func promLabelName(label string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, label)
}

func (c *Addons) loki(ctx *pulumi.Context) error {
	cfg := c.args.Config.Loki
	b, err := c.bucket(ctx, "loki", cfg)
	if err != nil {
		return err
	}
	loki, err := c.install(ctx, addon{
		key: "loki", namespace: LoggingNamespace, podSecurity: helmkit.Baseline,
		chart: helmkit.Charts.Loki, serviceAccount: LokiServiceAccount,
		policy: pulumix.Policy(b.Arn, func(arn string) iampolicy.Document { return BucketPolicy(arn, false) }),
		values: LokiValues(b.Bucket, c.args.Account.Region, cfg.RetentionDays, cfg.Replicas),
		extra:  cfg.ExtraValues, needs: c.withStorage(c.withLBC(c.base())),
	})
	if err != nil {
		return err
	}
	// The log shipper has no AWS identity: it only talks to Loki, by its address, and retries
	// until Loki answers; it does not wait for Loki's rollout (that put Loki's on the first
	// up's critical path: internal/timeline).
	if _, err = c.install(ctx, addon{
		key: "alloy", namespace: LoggingNamespace, podSecurity: helmkit.Baseline,
		chart: helmkit.Charts.Alloy, values: AlloyValues(LokiPushURL()),
		needs: c.withLBC(c.base()),
	}); err != nil {
		return err
	}
	// Only its clients reach Loki at all: it takes the tenant from a header, which anyone who
	// reaches it could set.
	_, err = apiextensions.NewCustomResource(ctx, c.name+"-loki-network-policy", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("networking.k8s.io/v1"),
		Kind:        pulumi.String("NetworkPolicy"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String("loki-clients"), Namespace: pulumi.String(LoggingNamespace)},
		OtherFields: map[string]any{"spec": LokiNetworkPolicy(MonitoringNamespace)},
	}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{loki}))
	return err
}

// Loki's HTTP ports: the gateway's and Loki's own (which serves /metrics too).
var lokiHTTPPorts = []any{map[string]any{"protocol": "TCP", "port": 8080}, map[string]any{"protocol": "TCP", "port": 3100}}

// lokiMetricsPorts add the gateway's access-log exporter (a sidecar the chart runs by
// default, gateway.metrics.enabled) for Prometheus: its ServiceMonitor scrapes it.
var lokiMetricsPorts = append(append([]any{}, lokiHTTPPorts...), map[string]any{"protocol": "TCP", "port": 4040})

// LokiNetworkPolicy admits to Loki's pods only its clients: Alloy (pushes, from logging),
// Grafana (queries, from monitoring) and Prometheus (metrics), on the HTTP ports; and Loki's
// own pods (gateway, ring, gRPC). A team's pod can neither push forged logs nor read another
// team's. Layer 4 cannot tell a push from a query: Alloy and Grafana are its only clients.
func LokiNetworkPolicy(monitoringNamespace string) map[string]any {
	pods := func(ns, name string) map[string]any {
		return map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": ns}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": name}},
		}
	}
	return map[string]any{
		"podSelector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "loki"}},
		"policyTypes": []any{"Ingress"},
		"ingress": []any{
			map[string]any{"from": []any{pods(LoggingNamespace, "alloy"), pods(monitoringNamespace, "grafana")}, "ports": lokiHTTPPorts},
			map[string]any{"from": []any{pods(monitoringNamespace, "prometheus")}, "ports": lokiMetricsPorts},
			map[string]any{"from": []any{pods(LoggingNamespace, "loki")}},
		},
	}
}
