package addons

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
)

// Cluster Autoscaler scales the managed node groups between their bounds, finding them by the
// tags clusterplan.AutoscalerTags puts on them. Chart pin: helmkit.Charts.ClusterAutoscaler;
// image per Kubernetes minor: helmkit.AutoscalerImageTags.

// AutoscalerServiceAccount is the service account the chart creates and Pod Identity binds.
const AutoscalerServiceAccount = "cluster-autoscaler"

// ClusterAutoscalerPolicy is upstream's least-privilege policy (EKS best practices guide):
// scaling actions only on groups tagged for this cluster, read-only calls on all.
func ClusterAutoscalerPolicy(cluster string) iampolicy.Document {
	scale := iampolicy.Allow([]string{"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"}, "*")
	scale.Condition = map[string]map[string][]string{"StringEquals": {
		"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled":    {"true"},
		"aws:ResourceTag/k8s.io/cluster-autoscaler/" + cluster: {"owned"},
	}}
	return iampolicy.New(scale, iampolicy.Allow([]string{
		"autoscaling:DescribeAutoScalingGroups",
		"autoscaling:DescribeAutoScalingInstances",
		"autoscaling:DescribeLaunchConfigurations",
		"autoscaling:DescribeScalingActivities",
		"autoscaling:DescribeTags",
		"ec2:DescribeImages",
		"ec2:DescribeInstanceTypes",
		"ec2:DescribeLaunchTemplateVersions",
		"ec2:GetInstanceTypesFromInstanceRequirements",
		"eks:DescribeNodegroup",
	}, "*"))
}

// ClusterAutoscalerValues discover this cluster's node groups by tag and run the autoscaler
// image of the cluster's Kubernetes minor version (they are released in lockstep).
func ClusterAutoscalerValues(cluster, region, k8sVersion string, replicas int) map[string]any {
	v := map[string]any{
		"cloudProvider": "aws",
		"awsRegion":     region,
		"autoDiscovery": map[string]any{"clusterName": cluster},
		"image":         map[string]any{"tag": helmkit.AutoscalerImageTags[k8sVersion]},
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
			// Each node group's min, max and target size as metrics: NodeGroupAtMaxSize
			// (internal/alertrules) needs them.
			"emit-per-nodegroup-metrics": true,
		},
		"resources": helmkit.Resources("100m", "300Mi", "600Mi"),
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"maxUnavailable": 1}
	}
	return v
}

func (c *Addons) clusterAutoscaler(ctx *pulumi.Context) error {
	cfg := c.args.Config.ClusterAutoscaler
	cl := c.args.Cluster
	_, err := c.install(ctx, addon{
		key: "cluster-autoscaler", namespace: "kube-system",
		chart: helmkit.Charts.ClusterAutoscaler, serviceAccount: AutoscalerServiceAccount,
		policy: pulumi.String(ClusterAutoscalerPolicy(cl.Name).JSON()),
		values: ClusterAutoscalerValues(cl.Name, c.args.Account.Region, cl.KubernetesVersion, cfg.Replicas),
		extra:  cfg.ExtraValues, needs: c.withLBC(c.base()),
	})
	return err
}
