// Package addons installs what makes a bare EKS cluster a platform: load balancing, DNS,
// secrets, autoscaling, storage and observability, each with its own least-privilege AWS role
// bound through EKS Pod Identity.
//
// One file per addon holds everything about it: its settings, service account, IAM policy,
// Helm values and how it is installed (through internal/helmkit); this file only wires them.
// The Kubernetes provider reaches every child through the component: pass
// pulumi.Providers(cluster.Provider) to New.
package addons

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// Args configures the addons: the components they build on, and one typed block per addon
// (a block with Enabled false installs nothing). Environment rules (replicas, protection) are
// already resolved into the blocks: the addons do not know dev from prod.
type Args struct {
	// Cluster gives the cluster's name and version, its node groups (pods need nodes) and the
	// platform KMS key.
	Cluster handle.Cluster
	// Network gives the VPC id (the Load Balancer Controller cannot read it from IMDS).
	Network handle.Network
	// Zone is the stack's DNS zone (ExternalDNS, host names).
	Zone handle.Zone
	// Certificate is the stack's ACM certificate, for the shared ALB.
	Certificate handle.Certificate
	Account     contract.Account
	Config      Config
	// PermissionsBoundary is the boundary every addon role carries (components/boundary).
	PermissionsBoundary pulumi.StringInput
	// Tenants are the product teams sharing the cluster: External Secrets may assume the teams'
	// roles (contract.TeamSecretsRolePath) for their SecretStores, and each team reads its own logs,
	// metrics and traces (tenancy.go).
	Tenants []Tenant
}

// Config is one typed block per addon (terraform-aws-eks-blueprints-addons' switch and
// override per addon).
type Config struct {
	LoadBalancerController Helm
	ExternalDNS            ExternalDNS
	ExternalSecrets        ExternalSecrets
	ClusterAutoscaler      Helm
	EBSCSI                 EBSCSI
	MetricsServer          MetricsServer
	Monitoring             Monitoring
	Loki                   Store
	Tempo                  Store
	// HelmRepository is the mirror every chart comes from (platform:helm.repository; "" is
	// upstream).
	HelmRepository string
}

// Helm is what every Helm addon takes.
type Helm struct {
	Enabled bool
	// Replicas of the addon's controllers (at least 1).
	Replicas int
	// ExtraValues are Helm values merged over the computed ones (they win).
	ExtraValues map[string]any
}

// Addons is the component.
type Addons struct {
	pulumi.ResourceState

	GrafanaURL                    pulumi.StringOutput `pulumi:"grafanaUrl"`
	GrafanaAdminPasswordParameter pulumi.StringOutput `pulumi:"grafanaAdminPasswordParameter"`
	ParameterPath                 pulumi.StringOutput `pulumi:"parameterPath"`

	// LoadBalancerController and ParameterStore (nil when disabled) let later components order
	// their Ingresses and ExternalSecrets after them.
	LoadBalancerController pulumi.Resource
	ParameterStore         pulumi.Resource
	// IngressClass is the platform's class (with the controller); Ingresses wait for it.
	IngressClass pulumi.Resource
	// ExternalSecrets is the release and ExternalSecretsRole its Pod Identity role.
	ExternalSecrets     pulumi.Resource
	ExternalSecretsRole pulumi.StringOutput

	name       string
	args       Args
	namespaces map[string]*corev1.Namespace
	// agent is the Pod Identity agent: pods get AWS credentials only once it runs.
	agent pulumi.Resource
	// storage is the gp3 StorageClass (nil when EBS CSI is off); releases with volumes wait for it.
	storage pulumi.Resource
	// kps is the kube-prometheus-stack release (nil without monitoring): monitors and rules,
	// whose CRDs it brings, wait for it.
	kps pulumi.Resource
	// monitoringCRDs is the release of the prometheus-operator CRDs alone: what a chart's
	// ServiceMonitor needs.
	monitoringCRDs pulumi.Resource
}

func (a *Args) validate(opts []pulumi.ResourceOption) error {
	if a == nil {
		return errors.New("addons: Args are required")
	}
	var errs []error
	if a.Cluster.Name == "" || a.Cluster.KubernetesVersion == "" || a.Zone.Domain == "" ||
		a.Network.VpcID == (pulumi.StringOutput{}) || a.Certificate.Arn == (pulumi.StringOutput{}) {
		errs = append(errs, errors.New("addons: the Cluster, Network, Zone and Certificate handles are required"))
	}
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		errs = append(errs, errors.New("addons: Account (ID, Partition, Region) is required"))
	}
	if a.PermissionsBoundary == nil {
		errs = append(errs, errors.New("addons: PermissionsBoundary is required (every role carries it)"))
	}
	if !helmkit.HasKubernetesProvider(opts) {
		errs = append(errs, errors.New("addons: pass the cluster's provider with pulumi.Providers(cluster.Provider): without it the addons would deploy to the ambient kubeconfig"))
	}
	for name, h := range map[string]Helm{
		"LoadBalancerController": a.Config.LoadBalancerController, "ExternalDNS": a.Config.ExternalDNS.Helm,
		"ExternalSecrets": a.Config.ExternalSecrets.Helm, "ClusterAutoscaler": a.Config.ClusterAutoscaler,
		"Monitoring": a.Config.Monitoring.Helm, "Loki": a.Config.Loki.Helm, "Tempo": a.Config.Tempo.Helm,
	} {
		if h.Enabled && h.Replicas < 1 {
			errs = append(errs, errors.New("addons: "+name+".Replicas must be at least 1"))
		}
	}
	return errors.Join(errs...)
}

// Handle is what the components built on the addons need of them.
func (c *Addons) Handle() handle.Addons {
	h := handle.Addons{LoadBalancerController: c.LoadBalancerController, IngressClass: c.IngressClass, ParameterStore: c.ParameterStore,
		ExternalSecrets: c.ExternalSecrets, ExternalSecretsRoleArn: c.ExternalSecretsRole}
	if c.args.Config.Monitoring.Enabled {
		h.MonitoringNamespace, h.Monitoring, h.MonitoringCRDs = MonitoringNamespace, c.kps, c.monitoringCRDs
	}
	return h
}

// New installs the enabled addons.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Addons, error) {
	if err := args.validate(opts); err != nil {
		return nil, err
	}
	c := &Addons{name: name, args: *args, namespaces: map[string]*corev1.Namespace{}}
	if err := ctx.RegisterComponentResource("platform:index:Addons", name, c, opts...); err != nil {
		return nil, err
	}
	agentVersion, err := c.addonVersion(ctx, "eks-pod-identity-agent")
	if err != nil {
		return nil, err
	}
	agent, err := eks.NewAddon(ctx, name+"-pod-identity-agent", &eks.AddonArgs{
		ClusterName:              args.Cluster.ClusterName,
		AddonName:                pulumi.String("eks-pod-identity-agent"),
		AddonVersion:             pulumi.String(agentVersion),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.agent = agent
	if err := c.coreDNS(ctx); err != nil {
		return nil, err
	}

	cfg := args.Config
	steps := []struct {
		enabled bool
		install func(*pulumi.Context) error
	}{
		{cfg.EBSCSI.Enabled, c.ebsCSI},
		{cfg.MetricsServer.Enabled, c.metricsServer},
		{cfg.LoadBalancerController.Enabled, c.loadBalancerController},
		{cfg.ExternalSecrets.Enabled, c.externalSecrets},
		// kube-prometheus-stack needs the controller above (Grafana's Ingress); the charts below
		// render ServiceMonitors, whose CRDs come first in a release of their own.
		{cfg.Monitoring.Enabled, c.monitoring},
		{cfg.ExternalDNS.Enabled, c.externalDNS},
		{cfg.ClusterAutoscaler.Enabled, c.clusterAutoscaler},
		{cfg.Loki.Enabled, c.loki},
		{cfg.Tempo.Enabled, c.tempo},
		{cfg.Monitoring.Enabled, c.monitors},
	}
	for _, s := range steps {
		if !s.enabled {
			continue
		}
		if err := s.install(ctx); err != nil {
			return nil, err
		}
	}
	// Without monitoring there is no Grafana: the outputs say so instead of being absent.
	if !cfg.Monitoring.Enabled {
		c.GrafanaURL = pulumi.String("(monitoring disabled)").ToStringOutput()
		c.GrafanaAdminPasswordParameter = pulumi.String("(monitoring disabled)").ToStringOutput()
	}
	c.ParameterPath = pulumi.String(contract.PlatformParameterPath(args.Cluster.Name)).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"grafanaUrl":                    c.GrafanaURL,
		"grafanaAdminPasswordParameter": c.GrafanaAdminPasswordParameter,
		"parameterPath":                 c.ParameterPath,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// addonVersion is the version AWS marks default for an EKS managed addon on the cluster's
// Kubernetes version. Without an explicit version an addon keeps the one it was created with
// when the cluster is upgraded; resolved from the cluster's version, it follows each upgrade
// (an in-place update of the addon).
func (c *Addons) addonVersion(ctx *pulumi.Context, addon string) (string, error) {
	v, err := eks.GetAddonVersion(ctx, &eks.GetAddonVersionArgs{
		AddonName: addon, KubernetesVersion: c.args.Cluster.KubernetesVersion, MostRecent: pulumi.BoolRef(false),
	})
	if err != nil {
		return "", fmt.Errorf("addons: looking up the default version of EKS addon %s for Kubernetes %s: %w", addon, c.args.Cluster.KubernetesVersion, err)
	}
	return v.Version, nil
}

// addon is one Helm addon as its file describes it; install adds what every addon shares.
type addon struct {
	// key names the addon's resources ("<component>-<key>-…") and its Helm release.
	key       string
	namespace string
	// podSecurity of the namespace (created unless kube-system).
	podSecurity string
	chart       helmkit.Chart
	// serviceAccount is the name the chart is told to use, and the one Pod Identity binds.
	serviceAccount string
	// policy is the addon's inline IAM policy (JSON); nil means no AWS identity.
	policy pulumi.StringInput
	values map[string]any
	extra  map[string]any
	// needs are what the pods need that the values do not show (see withLBC, withStorage).
	needs   []pulumi.Resource
	protect bool
}

// install creates the addon's namespace, AWS identity and pinned Helm release.
func (c *Addons) install(ctx *pulumi.Context, a addon) (*helmkit.HelmRelease, error) {
	ns := pulumi.String(a.namespace).ToStringOutput()
	if a.namespace != "kube-system" {
		created, err := c.namespace(ctx, a.namespace, a.podSecurity)
		if err != nil {
			return nil, err
		}
		ns = created.Metadata.Name().Elem()
	}
	values, needs := a.values, a.needs
	if scrape, monitor := ScrapeValues(a.key); scrape != nil && c.args.Config.Monitoring.Enabled {
		values = helmkit.MergeValues(values, scrape)
		if monitor {
			// The chart's ServiceMonitor needs the monitoring CRDs (monitoring.go).
			if c.monitoringCRDs == nil {
				return nil, fmt.Errorf("addons: %s is installed before the monitoring CRDs, which its ServiceMonitor needs", a.key)
			}
			needs = append(append([]pulumi.Resource(nil), needs...), c.monitoringCRDs)
		}
	}
	r := helmkit.Release{
		ResourceName: c.name + "-" + a.key, ReleaseName: a.key, Chart: a.chart.Mirrored(c.args.Config.HelmRepository), Namespace: ns,
		Values: values, ExtraValues: a.extra, Protect: a.protect,
		// All pods need nodes; on destroy the same edge removes releases (and their volumes
		// and load balancers) before the nodes and drivers that clean up after them.
		DependsOn: append(append([]pulumi.Resource(nil), c.args.Cluster.NodeGroups...), needs...),
	}
	if a.policy != nil {
		r.Identity = c.identity(a.namespace, a.serviceAccount, a.policy)
	}
	return helmkit.Install(ctx, r, pulumi.Parent(c))
}

// identity is a Pod Identity binding for a service account of this cluster.
func (c *Addons) identity(namespace, serviceAccount string, policy pulumi.StringInput) *helmkit.PodIdentity {
	return &helmkit.PodIdentity{
		Account: c.args.Account, Cluster: c.args.Cluster.Name, ClusterName: c.args.Cluster.ClusterName,
		Namespace: namespace, ServiceAccount: serviceAccount, Policy: policy,
		PermissionsBoundary: c.args.PermissionsBoundary,
	}
}

// namespace creates a namespace once per component, with its Pod Security Standard enforced.
func (c *Addons) namespace(ctx *pulumi.Context, name, podSecurity string) (*corev1.Namespace, error) {
	if ns, ok := c.namespaces[name]; ok {
		return ns, nil
	}
	ns, err := helmkit.Namespace(ctx, c.name+"-ns-"+name, name, podSecurity,
		map[string]string{"app.kubernetes.io/managed-by": "pulumi"}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.namespaces[name] = ns
	return ns, nil
}

// base is what every addon's pods wait for besides their own identity.
func (c *Addons) base() []pulumi.Resource { return []pulumi.Resource{c.agent} }

// withStorage adds the EBS CSI driver's StorageClass to a release that claims volumes.
func (c *Addons) withStorage(deps []pulumi.Resource) []pulumi.Resource {
	if c.storage != nil {
		deps = append(deps, c.storage)
	}
	return deps
}

// withLBC adds the Load Balancer Controller to the dependencies of a release that creates
// Services or Ingresses (every chart here creates Services): its Service webhook
// (failurePolicy Fail) must answer first, and on destroy Ingresses and Services go before the
// controller, so no ALB or NLB is orphaned.
func (c *Addons) withLBC(deps []pulumi.Resource) []pulumi.Resource {
	if c.LoadBalancerController != nil {
		deps = append(deps, c.LoadBalancerController, c.IngressClass)
	}
	return deps
}
