package addons

import (
	_ "embed"

	"github.com/example/platform/internal/contract"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
)

// AWS Load Balancer Controller: ALBs for Ingresses (IngressClass alb), NLBs for LoadBalancer
// Services, in kube-system. Chart pin: helmkit.Charts.LoadBalancerController.

// LBCServiceAccount is the service account the chart creates and Pod Identity binds.
const LBCServiceAccount = "aws-load-balancer-controller"

// loadBalancerControllerPolicy is upstream's least-privilege policy for the controller version
// pinned in helmkit.Charts (kubernetes-sigs/aws-load-balancer-controller,
// docs/install/iam_policy.json), unchanged: a test compares it with the fixture statement by
// statement. Update it together with the chart.
//
//go:embed policies/aws-load-balancer-controller.json
var loadBalancerControllerPolicy []byte

// LoadBalancerControllerPolicy is the controller's policy as a document.
func LoadBalancerControllerPolicy() (iampolicy.Document, error) {
	return iampolicy.Parse(loadBalancerControllerPolicy)
}

// LoadBalancerControllerValues pass region and VPC explicitly: with an IMDS hop limit of 1 the
// controller cannot discover them from instance metadata.
func LoadBalancerControllerValues(cluster, region string, vpcID pulumi.StringInput, replicas int) map[string]any {
	v := map[string]any{
		"clusterName":    cluster,
		"region":         region,
		"vpcId":          vpcID,
		"replicaCount":   replicas,
		"serviceAccount": map[string]any{"create": true, "name": LBCServiceAccount},
		"resources":      helmkit.Resources("100m", "128Mi", "256Mi"),
		"ingressClass":   "alb",
		// Pods are reachable by IP with the VPC CNI: no NodePort hop.
		"defaultTargetType": "ip",
		// The chart's IngressClass would admit any namespace into any IngressGroup; the
		// platform's class (PlatformIngressClass) is created with its IngressClassParams.
		"createIngressClassResource": false,
		// The controller obeys the legacy kubernetes.io/ingress.class annotation ahead of
		// ingressClassName, without the class's IngressClassParams (their namespace selector and
		// group), and then a group.name annotation: a team's Ingress could join the platform's
		// ALB. Off, the controller's webhook refuses both; the classes' params pin the group.
		"disableIngressClassAnnotation":     true,
		"disableIngressGroupNameAnnotation": true,
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"maxUnavailable": 1}
		v["topologySpreadConstraints"] = helmkit.Spread(map[string]any{"app.kubernetes.io/name": "aws-load-balancer-controller"})
	}
	return v
}

// loadBalancerController installs first among the releases: every other release creates
// Services, which its webhook must admit, and depends on it.
func (c *Addons) loadBalancerController(ctx *pulumi.Context) error {
	doc, err := LoadBalancerControllerPolicy()
	if err != nil {
		return err
	}
	cfg := c.args.Config.LoadBalancerController
	release, err := c.install(ctx, addon{
		key: "aws-load-balancer-controller", namespace: "kube-system",
		chart: helmkit.Charts.LoadBalancerController, serviceAccount: LBCServiceAccount,
		policy: pulumi.String(doc.JSON()),
		values: LoadBalancerControllerValues(c.args.Cluster.Name, c.args.Account.Region, c.args.Network.VpcID, cfg.Replicas),
		extra:  cfg.ExtraValues, needs: c.base(),
	})
	if err != nil {
		return err
	}
	class, err := helmkit.NewIngressClass(ctx, c.name+"-ingress-class", contract.PlatformIngressClass,
		PlatformIngressClassParams(c.args.Certificate.Arn), []pulumi.Resource{release}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	// Ingresses wait for the controller and the class, and go before them.
	c.LoadBalancerController, c.IngressClass = release, class
	return nil
}

// PlatformIngressClassParams admit the platform's namespaces only, all into the platform's
// IngressGroup (one ALB): a team's Ingress naming the class is refused by the controller, and
// one naming the group in an annotation by the controller's webhook (the annotations are
// disabled) and by the teams' admission policy (teamplan.IngressPolicy).
func PlatformIngressClassParams(certificateArn pulumi.StringInput) map[string]any {
	return contract.IngressClassParamsSpec(contract.IngressGroup, "kubernetes.io/metadata.name", contract.PlatformNamespaces, certificateArn)
}
