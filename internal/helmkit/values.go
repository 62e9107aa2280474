package helmkit

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Value fragments several charts share. Every key they set was checked against the pinned
// charts' values.yaml.

// Resources is a request (scheduling) and a memory limit (no CPU limit: throttling hurts
// controllers more than sharing spare CPU does).
func Resources(cpu, memory, memoryLimit string) map[string]any {
	return map[string]any{
		"requests": map[string]any{"cpu": cpu, "memory": memory},
		"limits":   map[string]any{"memory": memoryLimit},
	}
}

// Spread spreads a workload's replicas across zones (prod HA); with one replica it does
// nothing.
func Spread(labels map[string]any) []any {
	return []any{map[string]any{
		"maxSkew":           1,
		"topologyKey":       "topology.kubernetes.io/zone",
		"whenUnsatisfiable": "ScheduleAnyway",
		"labelSelector":     map[string]any{"matchLabels": labels},
	}}
}

// ALBIngressAnnotations put an Ingress on the shared internet-facing ALB with the stack's
// certificate and an HTTP->HTTPS redirect. scheme and ssl-redirect are "exclusive" in an
// IngressGroup: every member must use these exact values, or the controller rejects the group.
// The group itself comes from the class's IngressClassParams: the controller refuses the
// group.name annotation (disableIngressGroupNameAnnotation).
func ALBIngressAnnotations(certificateArn pulumi.StringInput, healthPath string) map[string]any {
	return map[string]any{
		"alb.ingress.kubernetes.io/scheme":           "internet-facing",
		"alb.ingress.kubernetes.io/target-type":      "ip",
		"alb.ingress.kubernetes.io/certificate-arn":  certificateArn,
		"alb.ingress.kubernetes.io/listen-ports":     `[{"HTTP": 80}, {"HTTPS": 443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect":     "443",
		"alb.ingress.kubernetes.io/healthcheck-path": healthPath,
	}
}
