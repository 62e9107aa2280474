package addons

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Helm values, one pure function per addon: computed first, asserted in tests, then handed to
// the release. Every key here was checked against the pinned chart's values.yaml (charts.go).

// Resources is a request (scheduling) and a memory limit (no CPU limit: throttling hurts
// controllers more than sharing spare CPU does).
func Resources(cpu, memory, memoryLimit string) map[string]any {
	return map[string]any{
		"requests": map[string]any{"cpu": cpu, "memory": memory},
		"limits":   map[string]any{"memory": memoryLimit},
	}
}

// spread spreads an addon's replicas across zones (prod HA); with one replica it does nothing.
func spread(labels map[string]any) []any {
	return []any{map[string]any{
		"maxSkew":           1,
		"topologyKey":       "topology.kubernetes.io/zone",
		"whenUnsatisfiable": "ScheduleAnyway",
		"labelSelector":     map[string]any{"matchLabels": labels},
	}}
}

// LoadBalancerControllerValues pass region and VPC explicitly: with an IMDS hop limit of 1 the
// controller cannot discover them from instance metadata.
func LoadBalancerControllerValues(cluster, region string, vpcID pulumi.StringInput, replicas int) map[string]any {
	v := map[string]any{
		"clusterName":    cluster,
		"region":         region,
		"vpcId":          vpcID,
		"replicaCount":   replicas,
		"serviceAccount": map[string]any{"create": true, "name": LBCServiceAccount},
		"resources":      Resources("100m", "128Mi", "256Mi"),
		"ingressClass":   "alb",
		// Pods are reachable by IP with the VPC CNI: no NodePort hop.
		"defaultTargetType": "ip",
		// The IngressClass every platform UI uses; IngressClassParams pins its group.
		"createIngressClassResource": true,
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"maxUnavailable": 1}
		v["topologySpreadConstraints"] = spread(map[string]any{"app.kubernetes.io/name": "aws-load-balancer-controller"})
	}
	return v
}

// ExternalDNSValues publish only into the stack's zone, owning records by the cluster's name.
// The chart runs one replica (ExternalDNS has no leader election), so there is no replica count.
func ExternalDNSValues(cluster, region, domain string, zoneID pulumi.StringInput, policy string) map[string]any {
	v := map[string]any{
		"provider":      map[string]any{"name": "aws"},
		"domainFilters": []any{domain},
		"registry":      "txt",
		"txtOwnerId":    cluster,
		"policy":        policy,
		"sources":       []any{"service", "ingress"},
		"extraArgs": map[string]any{
			"aws-zone-type":  "public",
			"zone-id-filter": []any{zoneID},
		},
		"env":            []any{map[string]any{"name": "AWS_DEFAULT_REGION", "value": region}},
		"serviceAccount": map[string]any{"create": true, "name": ExternalDNSServiceAccount},
		"resources":      Resources("50m", "64Mi", "128Mi"),
	}
	return v
}

// ExternalSecretsValues install the CRDs with the chart, so the ClusterSecretStore can follow.
func ExternalSecretsValues(replicas int) map[string]any {
	v := map[string]any{
		"installCRDs":    true,
		"replicaCount":   replicas,
		"leaderElect":    replicas > 1,
		"serviceAccount": map[string]any{"create": true, "name": ExternalSecretsServiceAccount},
		"resources":      Resources("50m", "64Mi", "256Mi"),
		"webhook": map[string]any{
			"replicaCount": replicas,
			"resources":    Resources("25m", "32Mi", "128Mi"),
		},
		"certController": map[string]any{
			"replicaCount": replicas,
			"resources":    Resources("25m", "32Mi", "128Mi"),
		},
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
		v["webhook"].(map[string]any)["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
		v["certController"].(map[string]any)["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
	}
	return v
}

// ClusterAutoscalerValues discover this cluster's node groups by tag and run the autoscaler
// image of the cluster's Kubernetes minor version (they are released in lockstep).
func ClusterAutoscalerValues(cluster, region, k8sVersion string, replicas int) map[string]any {
	v := map[string]any{
		"cloudProvider": "aws",
		"awsRegion":     region,
		"autoDiscovery": map[string]any{"clusterName": cluster},
		"image":         map[string]any{"tag": AutoscalerImageTags[k8sVersion]},
		"replicaCount":  replicas,
		"rbac": map[string]any{"serviceAccount": map[string]any{
			"create": true, "name": AutoscalerServiceAccount,
		}},
		// The chart replaces its extraArgs map rather than merging, so its defaults are restated.
		"extraArgs": map[string]any{
			"logtostderr":                 true,
			"stderrthreshold":             "info",
			"v":                           4,
			"balance-similar-node-groups": true,
			"expander":                    "least-waste",
			"skip-nodes-with-system-pods": false,
		},
		"resources": Resources("100m", "300Mi", "600Mi"),
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"maxUnavailable": 1}
	}
	return v
}
