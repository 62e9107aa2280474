package addons

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Metrics server: the resource metrics API (metrics.k8s.io) every HorizontalPodAutoscaler on
// CPU or memory reads, and `kubectl top`. EKS ships it as a community add-on (metrics-server),
// which registers the APIService v1beta1.metrics.k8s.io itself; no chart to pin, and its
// version follows the cluster's like the other managed add-ons'. It needs no AWS identity.

// MetricsServer is the addon's block.
type MetricsServer struct {
	Enabled bool
}

// MetricsServerAddon is the EKS add-on's name, and MetricsAPIService the APIService it
// registers (what an HPA's metrics come through).
const (
	MetricsServerAddon = "metrics-server"
	MetricsAPIService  = "v1beta1.metrics.k8s.io"
)

// CoreDNSAddon: pulumi-eks manages CoreDNS as an EKS add-on only for clusters with its default
// node group (the program has managed node groups instead), so EKS's self-managed deployment
// would stay, with no PodDisruptionBudget. As the managed add-on (adopting that deployment,
// OVERWRITE), CoreDNS ships its own budget (AWS, from v1.9.3-eksbuild.6) and its version
// follows the cluster's.
const CoreDNSAddon = "coredns"

func (c *Addons) coreDNS(ctx *pulumi.Context) error {
	version, err := c.addonVersion(ctx, CoreDNSAddon)
	if err != nil {
		return err
	}
	_, err = eks.NewAddon(ctx, c.name+"-coredns", &eks.AddonArgs{
		ClusterName:              c.args.Cluster.ClusterName,
		AddonName:                pulumi.String(CoreDNSAddon),
		AddonVersion:             pulumi.String(version),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
	}, pulumi.Parent(c), pulumi.DependsOn(c.args.Cluster.NodeGroups))
	return err
}

func (c *Addons) metricsServer(ctx *pulumi.Context) error {
	version, err := c.addonVersion(ctx, MetricsServerAddon)
	if err != nil {
		return err
	}
	_, err = eks.NewAddon(ctx, c.name+"-metrics-server", &eks.AddonArgs{
		ClusterName:              c.args.Cluster.ClusterName,
		AddonName:                pulumi.String(MetricsServerAddon),
		AddonVersion:             pulumi.String(version),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		// Its pods need nodes to become ACTIVE, which the add-on waits for.
	}, pulumi.Parent(c), pulumi.DependsOn(c.args.Cluster.NodeGroups))
	return err
}
