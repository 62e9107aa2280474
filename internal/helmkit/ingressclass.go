package helmkit

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NewIngressClass creates IngressClassParams and the IngressClass of the same name that
// uses them, after deps (the controller's release: its CRDs).
func NewIngressClass(ctx *pulumi.Context, resourceName, class string, params map[string]any, deps []pulumi.Resource, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	p, err := apiextensions.NewCustomResource(ctx, resourceName+"-params", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("elbv2.k8s.aws/v1beta1"),
		Kind:        pulumi.String("IngressClassParams"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(class)},
		OtherFields: map[string]any{"spec": params},
	}, append(opts, pulumi.DependsOn(deps))...)
	if err != nil {
		return nil, err
	}
	return networkingv1.NewIngressClass(ctx, resourceName, &networkingv1.IngressClassArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(class)},
		Spec: networkingv1.IngressClassSpecArgs{
			Controller: pulumi.String("ingress.k8s.aws/alb"),
			Parameters: networkingv1.IngressClassParametersReferenceArgs{
				ApiGroup: pulumi.String("elbv2.k8s.aws"), Kind: pulumi.String("IngressClassParams"), Name: pulumi.String(class),
			},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{p}))...)
}
