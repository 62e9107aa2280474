// Package helmkit is what every Helm release of the platform shares (pulumi-go-helmbase's one
// constructor): the chart pins (charts.go), the release arguments, value merging, the
// namespace with its Pod Security Standard, the Pod Identity binding (identity.go), and one
// Install function. The addons and Argo CD install through it; neither builds a release by
// hand.
package helmkit

import (
	"errors"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"os"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReleaseTimeoutSeconds bounds how long `pulumi up` waits for a release's pods to be ready.
const ReleaseTimeoutSeconds = 900

// Pod Security Standards a namespace enforces. Node agents that use the host network or PID
// namespace (node-exporter) need privileged; controllers run under baseline.
const (
	Privileged = "privileged"
	Baseline   = "baseline"
	Restricted = "restricted"
)

// Release is everything that differs between two platform releases; Install does the rest
// the same way for all of them.
type Release struct {
	// ResourceName is the release's logical name; its identity's resources are named after it
	// ("<ResourceName>-role", ...).
	ResourceName string
	// ReleaseName is the fixed Helm release name: charts derive service-account and Service
	// names from it, so Pulumi's random suffix must not be added.
	ReleaseName string
	Chart       Chart
	// Namespace is where the release goes: the name of a namespace Namespace created (its
	// output, so the release waits for it) or an existing one such as kube-system.
	Namespace pulumi.StringInput
	// Values are the computed Helm values (leaves may be outputs); ExtraValues are the user's,
	// deep-merged over them (they win).
	Values, ExtraValues map[string]any
	// Identity is the release's AWS identity (nil: none).
	Identity *PodIdentity
	// DependsOn orders the release after what its pods need but its values do not show.
	DependsOn []pulumi.Resource
	// Protect keeps `pulumi destroy` from deleting the release (releases whose CRDs hold
	// everyone's objects).
	Protect bool
}

// HasKubernetesProvider reports whether a component's options give its children a Kubernetes
// provider to inherit (pulumi.Providers). Components that deploy into the cluster refuse to
// start without one: a child would otherwise deploy to whatever the ambient kubeconfig points
// at.
func HasKubernetesProvider(opts []pulumi.ResourceOption) bool {
	o, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return false
	}
	for _, p := range o.Providers {
		if _, ok := p.(*kubernetes.Provider); ok {
			return true
		}
	}
	return false
}

// Install creates the release's AWS identity, if any, and the pinned, awaited, atomic release.
// opts must carry the parent component (whose providers the release inherits).
func Install(ctx *pulumi.Context, r Release, opts ...pulumi.ResourceOption) (*HelmRelease, error) {
	if r.ResourceName == "" || r.ReleaseName == "" || r.Namespace == nil || r.Chart.Version == "" {
		return nil, errors.New("helmkit: a release needs ResourceName, ReleaseName, Namespace and a pinned Chart")
	}
	deps := append([]pulumi.Resource(nil), r.DependsOn...)
	var role *iam.Role
	if r.Identity != nil {
		created, ready, err := NewPodIdentity(ctx, r.ResourceName, *r.Identity, opts...)
		if err != nil {
			return nil, err
		}
		role = created
		// Pods only get AWS credentials if the association exists when they start.
		deps = append(deps, ready)
	}
	release, err := newHelmRelease(ctx, r.ResourceName,
		ReleaseArgs(r.ReleaseName, r.Chart, r.Namespace, MergeValues(r.Values, r.ExtraValues)),
		append(append([]pulumi.ResourceOption(nil), opts...), pulumi.Protect(r.Protect), pulumi.DependsOn(deps))...)
	if err != nil {
		return nil, err
	}
	release.Role = role
	return release, nil
}

// ReleaseArgs are the settings every platform release shares: a fixed release name, the
// pinned chart, and an awaited, atomic install. The keys are the inputs of
// kubernetes:helm.sh/v3:Release.
func ReleaseArgs(releaseName string, chart Chart, namespace pulumi.StringInput, values map[string]any) pulumi.Map {
	args := pulumi.Map{
		"name":      pulumi.String(releaseName),
		"chart":     pulumi.String(chart.Ref()),
		"version":   pulumi.String(chart.Version),
		"namespace": namespace,
		"values":    pulumi.ToMap(values),
		// A failed upgrade rolls back instead of leaving a half-upgraded controller.
		"atomic":        pulumi.Bool(true),
		"cleanupOnFail": pulumi.Bool(true),
		"timeout":       pulumi.Int(ReleaseTimeoutSeconds),
		"maxHistory":    pulumi.Int(10),
	}
	if !chart.OCI() {
		args["repositoryOpts"] = pulumi.Map{"repo": pulumi.String(chart.Repo)}
	}
	if os.Getenv(SkipAwaitEnv) == "1" {
		// No pod ever runs on the test API server: an awaited (or atomic, which awaits)
		// release would time out there.
		args["atomic"], args["cleanupOnFail"], args["skipAwait"] = pulumi.Bool(false), pulumi.Bool(false), pulumi.Bool(true)
	}
	return args
}

// TestAnnotations are the annotations every object the program awaits carries under
// SkipAwaitEnv: the real provider then does not wait for pods (a Deployment's rollout, a
// Service's endpoints) that never run on the test API server. None otherwise.
func TestAnnotations() pulumi.StringMap {
	if os.Getenv(SkipAwaitEnv) != "1" {
		return nil
	}
	return pulumi.StringMap{"pulumi.com/skipAwait": pulumi.String("true")}
}

// SkipAwaitEnv=1 installs every release without waiting for its pods: a switch for the engine
// tests on the real Kubernetes provider, whose API server runs no pod. Never set it for a
// real cluster: a release whose pods never start would be reported deployed.
const SkipAwaitEnv = "PLATFORM_TEST_HELM_SKIP_AWAIT"

// Namespace creates a namespace that enforces a Pod Security Standard, with any further
// labels.
func Namespace(ctx *pulumi.Context, resourceName, name, podSecurity string, labels map[string]string, opts ...pulumi.ResourceOption) (*corev1.Namespace, error) {
	switch podSecurity {
	case Privileged, Baseline, Restricted:
	default:
		return nil, errors.New("helmkit: namespace " + name + ": Pod Security Standard must be privileged, baseline or restricted")
	}
	all := pulumi.StringMap{"pod-security.kubernetes.io/enforce": pulumi.String(podSecurity)}
	for k, v := range labels {
		all[k] = pulumi.String(v)
	}
	return corev1.NewNamespace(ctx, resourceName, &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(name), Labels: all},
	}, opts...)
}

// MergeValues deep-merges extra over base (extra wins; maps merge, anything else replaces), so
// extraValues can change one nested key without restating its siblings.
func MergeValues(base, extra map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		if em, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = MergeValues(bm, em)
				continue
			}
		}
		out[k] = v
	}
	return out
}
