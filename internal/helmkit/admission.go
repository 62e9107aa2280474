package helmkit

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NewAdmissionPolicy creates a ValidatingAdmissionPolicy named name and, after it, its binding
// (resourceName and resourceName-binding). Registered as custom resources, so the component
// links no Kubernetes API group's Go package.
func NewAdmissionPolicy(ctx *pulumi.Context, resourceName, name string, spec, binding map[string]any, opts ...pulumi.ResourceOption) error {
	policy, err := apiextensions.NewCustomResource(ctx, resourceName, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("admissionregistration.k8s.io/v1"),
		Kind:        pulumi.String("ValidatingAdmissionPolicy"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(name)},
		OtherFields: map[string]any{"spec": spec},
	}, opts...)
	if err != nil {
		return err
	}
	_, err = apiextensions.NewCustomResource(ctx, resourceName+"-binding", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("admissionregistration.k8s.io/v1"),
		Kind:        pulumi.String("ValidatingAdmissionPolicyBinding"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(name)},
		OtherFields: map[string]any{"spec": binding},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{policy}))...)
	return err
}
