package addons

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReleaseTimeoutSeconds bounds how long `pulumi up` waits for a release's pods to be ready.
const ReleaseTimeoutSeconds = 900

// helmAddon is everything that differs between Helm addons; install does the rest the same
// way for all of them (pulumi-go-helmbase's one constructor).
type helmAddon struct {
	// key names the addon's resources ("<component>-<key>-…") and its Helm release.
	key       string
	namespace string
	// podSecurity is the namespace's Pod Security Standard; node agents (node-exporter, the
	// log shipper) need "privileged", controllers run under "baseline".
	podSecurity string
	chart       Chart
	// serviceAccount is the name the chart is told to use, and the one Pod Identity binds.
	serviceAccount string
	// policy is the addon's inline IAM policy (JSON); nil means no AWS identity.
	policy pulumi.StringInput
	// values are the computed Helm values; leaves may be outputs.
	values map[string]any
	extra  map[string]any
	// dependsOn orders the release after what its pods need but its values do not show
	// (the Load Balancer Controller's webhook before any Service or Ingress).
	dependsOn []pulumi.Resource
	// protect keeps `pulumi destroy` from deleting the release (prod releases whose CRDs hold
	// everyone's objects).
	protect bool
}

// install creates the addon's namespace, AWS identity and pinned Helm release.
func (c *Addons) install(ctx *pulumi.Context, h helmAddon) (*helmv3.Release, error) {
	name := c.name + "-" + h.key
	k8s := pulumi.Provider(c.args.Provider)
	parent := pulumi.Parent(c)

	ns := pulumi.String(h.namespace).ToStringOutput()
	if h.namespace != "kube-system" {
		created, err := c.namespace(ctx, h.namespace, h.podSecurity)
		if err != nil {
			return nil, err
		}
		ns = created.Metadata.Name().Elem()
	}
	var identity []pulumi.Resource
	if h.policy != nil {
		_, ready, err := newIdentity(ctx, c.args.Account, identityArgs{
			name: name, cluster: c.args.ClusterName, clusterName: c.args.ClusterNameOutput,
			namespace: h.namespace, serviceAccount: h.serviceAccount, policy: h.policy, associate: true,
		}, parent)
		if err != nil {
			return nil, err
		}
		identity = append(identity, ready)
	}
	return helmv3.NewRelease(ctx, name, ReleaseArgs(h.key, h.chart, ns, MergeValues(h.values, h.extra)),
		parent, k8s, pulumi.Protect(h.protect),
		// Pods only get AWS credentials if the association exists when they start; and all
		// pods need nodes. On destroy the same edges remove releases (and their volumes and
		// load balancers) before the nodes and drivers that clean up after them.
		pulumi.DependsOn(append(append(identity, c.args.Nodes...), h.dependsOn...)))
}

// ReleaseArgs are the settings every platform release shares: a fixed release name (charts
// derive service-account and Service names from it, so Pulumi's suffix must not be added),
// the pinned chart, and an awaited, atomic install.
func ReleaseArgs(releaseName string, chart Chart, namespace pulumi.StringInput, values map[string]any) *helmv3.ReleaseArgs {
	return &helmv3.ReleaseArgs{
		Name:           pulumi.String(releaseName),
		Chart:          pulumi.String(chart.Name),
		Version:        pulumi.String(chart.Version),
		RepositoryOpts: helmv3.RepositoryOptsArgs{Repo: pulumi.String(chart.Repo)},
		Namespace:      namespace,
		Values:         pulumi.ToMap(values),
		// A failed upgrade rolls back instead of leaving a half-upgraded controller.
		Atomic:        pulumi.Bool(true),
		CleanupOnFail: pulumi.Bool(true),
		Timeout:       pulumi.Int(ReleaseTimeoutSeconds),
		MaxHistory:    pulumi.Int(10),
	}
}

// namespace creates a namespace once per component, with its Pod Security Standard enforced.
func (c *Addons) namespace(ctx *pulumi.Context, name, podSecurity string) (*corev1.Namespace, error) {
	if ns, ok := c.namespaces[name]; ok {
		return ns, nil
	}
	if podSecurity == "" {
		podSecurity = "baseline"
	}
	ns, err := corev1.NewNamespace(ctx, c.name+"-ns-"+name, &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name: pulumi.String(name),
			Labels: pulumi.StringMap{
				"pod-security.kubernetes.io/enforce": pulumi.String(podSecurity),
				"app.kubernetes.io/managed-by":       pulumi.String("pulumi"),
			},
		},
	}, pulumi.Parent(c), pulumi.Provider(c.args.Provider))
	if err != nil {
		return nil, err
	}
	c.namespaces[name] = ns
	return ns, nil
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
