package addons

import (
	_ "embed"
	"fmt"

	"github.com/example/platform/internal/iampolicy"
)

// loadBalancerControllerPolicy is upstream's least-privilege policy for the controller
// version pinned in charts.go (kubernetes-sigs/aws-load-balancer-controller,
// docs/install/iam_policy.json), unchanged: a test compares it with the fixture statement by
// statement. Update it together with the chart.
//
//go:embed policies/aws-load-balancer-controller.json
var loadBalancerControllerPolicy []byte

// LoadBalancerControllerPolicy is the controller's policy as a document.
func LoadBalancerControllerPolicy() (iampolicy.Document, error) {
	return iampolicy.Parse(loadBalancerControllerPolicy)
}

// ExternalDNSPolicy is upstream's Route53 policy narrowed from every hosted zone to this
// stack's zone: ExternalDNS cannot touch the parent zone or any other.
func ExternalDNSPolicy(partition, zoneID string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Allow([]string{"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"},
			fmt.Sprintf("arn:%s:route53:::hostedzone/%s", partition, zoneID)),
		// Listing zones cannot be scoped to a zone in IAM.
		iampolicy.Allow([]string{"route53:ListHostedZones"}, "*"),
	)
}

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

// ParameterPath is the SSM path prefix the cluster's External Secrets may read.
func ParameterPath(cluster string) string { return "/" + cluster + "/" }

// ExternalSecretsPolicy lets External Secrets read the cluster's parameters (and, when enabled,
// its Secrets Manager secrets) and decrypt them with the platform key through SSM/Secrets
// Manager only. Upstream grants ssm:GetParameter* on a prefix; the three actions are spelled
// out here (no wildcard actions).
func ExternalSecretsPolicy(a Account, cluster, keyArn string, secretsManager bool) iampolicy.Document {
	params := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s*", a.Partition, a.Region, a.ID, ParameterPath(cluster))
	stmts := []iampolicy.Statement{
		iampolicy.Allow([]string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, params),
	}
	services := []string{fmt.Sprintf("ssm.%s.amazonaws.com", a.Region)}
	if secretsManager {
		stmts = append(stmts, iampolicy.Allow(
			[]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"},
			fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s/*", a.Partition, a.Region, a.ID, cluster)))
		services = append(services, fmt.Sprintf("secretsmanager.%s.amazonaws.com", a.Region))
	}
	decrypt := iampolicy.Allow([]string{"kms:Decrypt"}, keyArn)
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": services}}
	return iampolicy.New(append(stmts, decrypt)...)
}

// BucketPolicy lets Loki or Tempo use one bucket: list it, and read, write and delete
// objects in it (compaction and retention delete), as their storage docs list. Tempo's also
// list object tagging.
func BucketPolicy(bucketArn string, tagging bool) iampolicy.Document {
	objects := []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	if tagging {
		objects = append(objects, "s3:GetObjectTagging", "s3:PutObjectTagging")
	}
	return iampolicy.New(
		iampolicy.Allow([]string{"s3:ListBucket"}, bucketArn),
		iampolicy.Allow(objects, bucketArn+"/*"),
	)
}
