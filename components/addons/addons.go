// Package addons installs what makes a bare EKS cluster a platform: load balancing, DNS,
// secrets, autoscaling, storage and observability, each with its own least-privilege AWS role
// bound through EKS Pod Identity.
package addons

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IngressGroup is the AWS Load Balancer Controller IngressGroup every platform UI joins: one
// shared ALB instead of one per UI.
const IngressGroup = "platform"

// Args configures the addons.
type Args struct {
	Config  Config
	Prod    bool
	Account Account
	// ClusterName is the plain name (trust policies, tags); ClusterNameOutput the same name
	// as an output of the cluster, so that what needs the cluster waits for it.
	ClusterName       string
	ClusterNameOutput pulumi.StringInput
	KubernetesVersion string
	VpcID             pulumi.StringInput
	Domain            string
	ZoneID            pulumi.StringInput
	CertificateArn    pulumi.StringInput
	// PlatformKeyArn is the KMS key SecureString parameters are encrypted with.
	PlatformKeyArn pulumi.StringInput
	Provider       *kubernetes.Provider
	// Nodes are the node groups: pods need them, and on destroy releases must go first.
	Nodes []pulumi.Resource
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

	name       string
	args       Args
	namespaces map[string]*corev1.Namespace
	// agent is the Pod Identity agent: pods get AWS credentials only once it runs.
	agent pulumi.Resource
	// lbc is the Load Balancer Controller release; releases creating Services or Ingresses
	// depend on it.
	lbc pulumi.Resource
	// storage is the gp3 StorageClass (nil when EBS CSI is off); releases with volumes wait for it.
	storage pulumi.Resource
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("addons: Args are required")
	}
	var errs []error
	if a.ClusterName == "" || a.ClusterNameOutput == nil || a.Provider == nil {
		errs = append(errs, errors.New("addons: ClusterName, ClusterNameOutput and Provider are required"))
	}
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		errs = append(errs, errors.New("addons: Account (ID, Partition, Region) is required"))
	}
	if a.Domain == "" || a.ZoneID == nil || a.CertificateArn == nil || a.VpcID == nil || a.PlatformKeyArn == nil {
		errs = append(errs, errors.New("addons: Domain, ZoneID, CertificateArn, VpcID and PlatformKeyArn are required"))
	}
	if a.KubernetesVersion == "" {
		errs = append(errs, errors.New("addons: KubernetesVersion is required (Cluster Autoscaler image)"))
	}
	return errors.Join(errs...)
}

// New installs the enabled addons.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Addons, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Addons{name: name, args: *args, namespaces: map[string]*corev1.Namespace{}}
	if err := ctx.RegisterComponentResource("platform:index:Addons", name, c, opts...); err != nil {
		return nil, err
	}
	agent, err := eks.NewAddon(ctx, name+"-pod-identity-agent", &eks.AddonArgs{
		ClusterName:              args.ClusterNameOutput,
		AddonName:                pulumi.String("eks-pod-identity-agent"),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.agent = agent

	cfg := args.Config
	steps := []struct {
		enabled bool
		install func(*pulumi.Context) error
	}{
		{cfg.EBSCSI.Enabled, c.ebsCSI},
		{cfg.LoadBalancerController.Enabled, c.loadBalancerController},
		{cfg.ExternalDNS.Enabled, c.externalDNS},
		{cfg.ExternalSecrets.Enabled, c.externalSecrets},
		{cfg.ClusterAutoscaler.Enabled, c.clusterAutoscaler},
		{cfg.Loki.Enabled, c.loki},
		{cfg.Tempo.Enabled, c.tempo},
		{cfg.Monitoring.Enabled, c.monitoring},
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
	c.LoadBalancerController = c.lbc
	c.ParameterPath = pulumi.String(ParameterPath(args.ClusterName)).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"grafanaUrl":                    c.GrafanaURL,
		"grafanaAdminPasswordParameter": c.GrafanaAdminPasswordParameter,
		"parameterPath":                 c.ParameterPath,
	}); err != nil {
		return nil, err
	}
	return c, nil
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
	if c.lbc != nil {
		deps = append(deps, c.lbc)
	}
	return deps
}
