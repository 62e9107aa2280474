package addons

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ALBIngressAnnotations put an Ingress on the shared internet-facing ALB with the stack's
// certificate and an HTTP->HTTPS redirect. scheme and ssl-redirect are "exclusive" in an
// IngressGroup: every member must use these exact values, or the controller rejects the group.
func ALBIngressAnnotations(certificateArn pulumi.StringInput, healthPath string) map[string]any {
	return map[string]any{
		"alb.ingress.kubernetes.io/group.name":       IngressGroup,
		"alb.ingress.kubernetes.io/scheme":           "internet-facing",
		"alb.ingress.kubernetes.io/target-type":      "ip",
		"alb.ingress.kubernetes.io/certificate-arn":  certificateArn,
		"alb.ingress.kubernetes.io/listen-ports":     `[{"HTTP": 80}, {"HTTPS": 443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect":     "443",
		"alb.ingress.kubernetes.io/healthcheck-path": healthPath,
	}
}

// MonitoringSettings are the inputs of the kube-prometheus-stack values.
type MonitoringSettings struct {
	Domain         string
	CertificateArn pulumi.StringInput
	RetentionDays  int
	StorageGiB     int
	Replicas       int
	Loki, Tempo    bool
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
			"annotations":      ALBIngressAnnotations(s.CertificateArn, "/api/health"),
		},
		"grafana.ini": map[string]any{"server": map[string]any{"root_url": "https://" + host}},
		"resources":   Resources("100m", "256Mi", "512Mi"),
	}
	var sources []any
	if s.Loki {
		sources = append(sources, map[string]any{"name": "Loki", "type": "loki", "uid": "loki", "access": "proxy", "url": LokiQueryURL()})
	}
	if s.Tempo {
		sources = append(sources, map[string]any{"name": "Tempo", "type": "tempo", "uid": "tempo", "access": "proxy", "url": TempoQueryURL()})
	}
	values := map[string]any{
		"prometheus": map[string]any{
			"podDisruptionBudget": pdb,
			"prometheusSpec": map[string]any{
				"retention": fmt.Sprintf("%dd", s.RetentionDays),
				"replicas":  s.Replicas,
				"resources": Resources("500m", "2Gi", "4Gi"),
				"storageSpec": map[string]any{"volumeClaimTemplate": map[string]any{"spec": map[string]any{
					"storageClassName": GP3StorageClass,
					"accessModes":      []any{"ReadWriteOnce"},
					"resources":        map[string]any{"requests": map[string]any{"storage": fmt.Sprintf("%dGi", s.StorageGiB)}},
				}}},
			},
		},
		"alertmanager": map[string]any{
			"podDisruptionBudget": pdb,
			"alertmanagerSpec": map[string]any{
				"replicas":  s.Replicas,
				"resources": Resources("50m", "128Mi", "256Mi"),
				"storage": map[string]any{"volumeClaimTemplate": map[string]any{"spec": map[string]any{
					"storageClassName": GP3StorageClass,
					"accessModes":      []any{"ReadWriteOnce"},
					"resources":        map[string]any{"requests": map[string]any{"storage": "10Gi"}},
				}}},
			},
		},
		"grafana": grafana,
		// The operator and the bundled exporters (subchart aliases) get requests too.
		"prometheusOperator":       map[string]any{"resources": Resources("100m", "128Mi", "256Mi")},
		"kube-state-metrics":       map[string]any{"resources": Resources("50m", "128Mi", "256Mi")},
		"prometheus-node-exporter": map[string]any{"resources": Resources("50m", "32Mi", "64Mi")},
	}
	if len(sources) > 0 {
		grafana["additionalDataSources"] = sources
	}
	return values
}

// In-cluster endpoints of the stores (services of the pinned charts, release names as in
// stores.go).
func LokiQueryURL() string { return "http://loki-gateway." + LoggingNamespace + ".svc.cluster.local" }

// LokiPushURL is where the log shipper sends.
func LokiPushURL() string { return LokiQueryURL() + "/loki/api/v1/push" }

// TempoQueryURL is Tempo's query API.
func TempoQueryURL() string { return "http://tempo." + TracingNamespace + ".svc.cluster.local:3200" }

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
			"auth_enabled": false,
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
			"resources":   Resources("500m", "1Gi", "2Gi"),
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
		"gateway":      map[string]any{"enabled": true, "replicas": replicas, "resources": Resources("50m", "64Mi", "128Mi")},
	}
	if replicas > 1 {
		v["singleBinary"].(map[string]any)["topologySpreadConstraints"] = spread(map[string]any{"app.kubernetes.io/component": "single-binary"})
	}
	return v
}

// TempoValues: single-binary Tempo on S3 (default credential chain), blocks kept for the
// retention. One replica: this chart forms no ring, so more would not be HA.
func TempoValues(bucket pulumi.StringInput, region string, retentionDays int) map[string]any {
	return map[string]any{
		"replicas": 1,
		"tempo": map[string]any{
			"retention": fmt.Sprintf("%dh", retentionDays*24),
			"resources": Resources("250m", "1Gi", "2Gi"),
			"storage": map[string]any{"trace": map[string]any{
				"backend": "s3",
				"s3": map[string]any{
					"bucket":   bucket,
					"endpoint": fmt.Sprintf("s3.%s.amazonaws.com", region),
					"region":   region,
				},
				"wal": map[string]any{"path": "/var/tempo/wal"},
			}},
		},
		"serviceAccount": map[string]any{"create": true, "name": TempoServiceAccount},
		// Without it the WAL lives on the container filesystem and is lost on restart.
		"persistence": map[string]any{"enabled": true, "size": "10Gi"},
	}
}

// AlloyValues run Grafana Alloy as a DaemonSet shipping the pods' logs of its node to Loki,
// read through the Kubernetes API (no hostPath).
func AlloyValues(lokiPushURL string) map[string]any {
	return map[string]any{
		"controller": map[string]any{"type": "daemonset"},
		"alloy": map[string]any{
			"configMap": map[string]any{"create": true, "content": AlloyConfig(lokiPushURL)},
			"resources": Resources("50m", "128Mi", "512Mi"),
		},
	}
}

// AlloyConfig discovers the pods of the node it runs on (the chart sets HOSTNAME to the node
// name), labels their logs by namespace, pod and container, and pushes them to Loki.
func AlloyConfig(lokiPushURL string) string {
	return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
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
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "` + lokiPushURL + `"
  }
}
`
}
