package helmkit

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NewMonitoringObject creates a prometheus-operator object (a PodMonitor, a PrometheusRule)
// after kps, the kube-prometheus-stack release whose CRDs it needs.
func NewMonitoringObject(ctx *pulumi.Context, resourceName, kind, name string, namespace pulumi.StringInput, spec map[string]any, kps pulumi.Resource, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	return apiextensions.NewCustomResource(ctx, resourceName, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("monitoring.coreos.com/v1"),
		Kind:        pulumi.String(kind),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: namespace},
		OtherFields: map[string]any{"spec": spec},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{kps}))...)
}
