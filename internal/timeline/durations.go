package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/example/platform/internal/planner"
)

// Estimate is the modelled duration of one resource operation and where the number comes from.
type Estimate struct {
	Duration time.Duration
	Source   string
	// Default: the type is not in the table and got DefaultDuration.
	Default bool
}

// DefaultDuration is the create of a type the table does not know: an API call or two. A test
// (tests/timeline_test.go) lists the types of both stacks that fall to it, so that no slow
// type does.
const DefaultDuration = 2 * time.Second

// The sources the table cites. An "estimate" is a number nobody measured for this program: it
// says what it rests on.
const (
	srcEKS = "AWS, 2021-03: EKS creates a control plane in 9 minutes or less on average " +
		"(aws.amazon.com/about-aws/whats-new/2021/03/amazon-eks-reduces-cluster-creation-time-40-percent, quoted in aws-samples/eks-workshop#1101); " +
		"+1 min estimate for pulumi-eks's children (OIDC provider, vpc-cni addon, access entries)"
	srcNodeGroup = "estimate: EC2 launch, bootstrap and join of nodes launched in parallel, ~4 min for 2 nodes in " +
		"terraform-aws-eks apply logs (terraform-aws-eks#2203); +15 s per node beyond 2 for the ASG's launch batches (estimate)"
	srcNAT = "kops#944: \"can take up to 10 min\" from pending to available; typical Terraform logs ~1.5-2 min " +
		"(hashicorp/terraform#8687 shows 3m40s still creating): 2 min estimate"
	srcRoute53 = "AWS Route 53 docs: changes generally propagate to all Route 53 name servers within 60 seconds " +
		"(the provider waits for INSYNC)"
	srcACMValidation = "estimate: ACM issues a DNS-validated certificate minutes after the record is INSYNC " +
		"(CDK's validator waited 5 min and timed out sometimes, aws-cdk#2914); Terraform's create timeout is 75 min"
	srcRDSSingle = "hashicorp/terraform#498: \"up to 5/10 minutes with multi_az off\" (create, then the first backup the provider waits for): 8 min"
	srcRDSMulti  = "hashicorp/terraform#498: \"15/20 minutes\" with Multi-AZ (created, converted to Multi-AZ, backed up): 18 min"
	srcIAM       = "Terraform apply log in turbot/steampipe-plugin-aws#131: IAM role 7 s (create plus eventual-consistency wait), policy attachments 4 s"
	srcVPC       = "Terraform apply log in turbot/steampipe-plugin-aws#131: VPC 24 s, subnets 7 s; route table associations 1 s in terraform-aws-eks#2203"
	srcEC2Small  = "estimate: an API call and the provider's wait for the resource to be available (seconds)"
	srcInstance  = "estimate: the provider waits for the instance to be running (~30-40 s for a small Graviton instance)"
	srcKMS       = "estimate: CreateKey plus the provider's wait for the key to be readable (seconds)"
	srcAPI       = "estimate: one or two API calls"
	srcLocal     = "computed locally by the provider or the engine: no cloud call"
	srcAddon     = "estimate: the addon's pods rolled out on running nodes (~1-2 min); on a new cluster without nodes coredns and " +
		"ebs-csi report DEGRADED until nodes come, up to 15-20 min (aws-ia/terraform-aws-eks-blueprints#642, pulumi-eks#1819)"
	srcHelm = "estimate: helm install with wait (the program's releases are atomic, timeout 900 s): image pulls and readiness of the chart's pods"
	srcK8s  = "estimate: the Kubernetes provider applies the object and waits for readiness where it has an await rule"
	srcGH   = "estimate: one GitHub API call"
)

type entry struct {
	d   time.Duration
	src string
}

// creates are the fixed create durations by type.
var creates = map[string]entry{
	"aws:ec2/vpc:Vpc":                                                      {20 * time.Second, srcVPC},
	"aws:ec2/subnet:Subnet":                                                {8 * time.Second, srcVPC},
	"aws:ec2/routeTable:RouteTable":                                        {3 * time.Second, srcEC2Small},
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                  {2 * time.Second, srcVPC},
	"aws:ec2/route:Route":                                                  {3 * time.Second, srcEC2Small},
	"aws:ec2/internetGateway:InternetGateway":                              {5 * time.Second, srcEC2Small},
	"aws:ec2/eip:Eip":                                                      {3 * time.Second, srcEC2Small},
	"aws:ec2/natGateway:NatGateway":                                        {2 * time.Minute, srcNAT},
	"aws:ec2/securityGroup:SecurityGroup":                                  {5 * time.Second, srcEC2Small},
	"aws:ec2/securityGroupRule:SecurityGroupRule":                          {3 * time.Second, srcEC2Small},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                    {3 * time.Second, srcEC2Small},
	"aws:ec2/flowLog:FlowLog":                                              {5 * time.Second, srcEC2Small},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                      {10 * time.Second, "estimate: a gateway endpoint is a route-table entry (an interface endpoint would be ~2 min)"},
	"aws:ec2/launchTemplate:LaunchTemplate":                                {2 * time.Second, srcAPI},
	"aws:ec2/instance:Instance":                                            {40 * time.Second, srcInstance},
	"aws:eks/nodeGroup:NodeGroup":                                          {4 * time.Minute, srcNodeGroup},
	"aws:eks/accessEntry:AccessEntry":                                      {3 * time.Second, srcAPI},
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation":              {3 * time.Second, srcAPI},
	"aws:eks/podIdentityAssociation:PodIdentityAssociation":                {3 * time.Second, srcAPI},
	"aws:iam/role:Role":                                                    {7 * time.Second, srcIAM},
	"aws:iam/policy:Policy":                                                {4 * time.Second, srcIAM},
	"aws:iam/rolePolicy:RolePolicy":                                        {4 * time.Second, srcIAM},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                    {4 * time.Second, srcIAM},
	"aws:iam/instanceProfile:InstanceProfile":                              {8 * time.Second, srcIAM},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":                  {3 * time.Second, srcAPI},
	"aws:kms/key:Key":                                                      {10 * time.Second, srcKMS},
	"aws:kms/alias:Alias":                                                  {2 * time.Second, srcAPI},
	"aws:cloudwatch/logGroup:LogGroup":                                     {2 * time.Second, srcAPI},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                               {2 * time.Second, srcAPI},
	"aws:sns/topic:Topic":                                                  {2 * time.Second, srcAPI},
	"aws:sns/topicSubscription:TopicSubscription":                          {2 * time.Second, srcAPI},
	"aws:s3/bucketV2:BucketV2":                                             {5 * time.Second, srcAPI},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {5 * time.Second, "estimate: the provider waits for the configuration to read back (S3 is eventually consistent)"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":               {2 * time.Second, srcAPI},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":               {2 * time.Second, srcAPI},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {2 * time.Second, srcAPI},
	"aws:s3/bucketPolicy:BucketPolicy":                    {2 * time.Second, srcAPI},
	"aws:ecr/repository:Repository":                       {2 * time.Second, srcAPI},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":             {2 * time.Second, srcAPI},
	"aws:ssm/parameter:Parameter":                         {2 * time.Second, srcAPI},
	"aws:ssm/document:Document":                           {3 * time.Second, srcAPI},
	"aws:route53/zone:Zone":                               {time.Minute, srcRoute53},
	"aws:route53/record:Record":                           {time.Minute, srcRoute53},
	"aws:acm/certificate:Certificate":                     {5 * time.Second, "estimate: RequestCertificate, and the provider's wait for the validation options to appear (seconds)"},
	"aws:acm/certificateValidation:CertificateValidation": {3 * time.Minute, srcACMValidation},
	"aws:rds/subnetGroup:SubnetGroup":                     {2 * time.Second, srcAPI},
	"aws:rds/parameterGroup:ParameterGroup":               {3 * time.Second, srcAPI},
	"aws:backup/vault:Vault":                              {3 * time.Second, srcAPI},
	"aws:backup/vaultPolicy:VaultPolicy":                  {2 * time.Second, srcAPI},
	"aws:backup/plan:Plan":                                {2 * time.Second, srcAPI},
	"aws:backup/selection:Selection":                      {3 * time.Second, srcAPI},
	"aws:codebuild/project:Project":                       {5 * time.Second, srcAPI},
	"aws:codebuild/sourceCredential:SourceCredential":     {2 * time.Second, srcAPI},
	"aws:ec2/networkInterface:NetworkInterface":           {5 * time.Second, srcEC2Small},
	"aws:codebuild/webhook:Webhook":                       {3 * time.Second, srcAPI},
	"random:index/randomId:RandomId":                      {0, srcLocal},
	"random:index/randomPassword:RandomPassword":          {0, srcLocal},
	"tls:index/privateKey:PrivateKey":                     {0, srcLocal},
	"pulumi:pulumi:StackReference":                        {0, "read from the backend by the engine, not a cloud operation"},
	"kubernetes:apps/v1:Deployment":                       {45 * time.Second, srcK8s + ": a Deployment until its replicas are ready (image pull, readiness probe)"},
	"kubernetes:core/v1:Service":                          {10 * time.Second, srcK8s + ": a ClusterIP Service until it selects a ready pod"},
	"kubernetes:core/v1:Namespace":                        {2 * time.Second, srcK8s},
}

// helmCharts are the install durations of the charts the program installs, with wait.
var helmCharts = map[string]entry{
	"kube-prometheus-stack":        {4 * time.Minute, "admission-webhook job, CRDs, Prometheus and Alertmanager StatefulSets with EBS volumes, Grafana"},
	"loki":                         {3 * time.Minute, "StatefulSet with an EBS volume, gateway, caches"},
	"tempo":                        {2 * time.Minute, "StatefulSet with an EBS volume"},
	"argo-cd":                      {2*time.Minute + 30*time.Second, "server, repo-server, controller, dex, redis"},
	"alloy":                        {time.Minute, "DaemonSet on every node"},
	"aws-load-balancer-controller": {time.Minute, "Deployment of 2 and its webhook certificate"},
	"external-secrets":             {90 * time.Second, "controller, webhook and cert-controller until the webhook's certificate is ready"},
	"external-dns":                 {45 * time.Second, "one Deployment"},
	"cluster-autoscaler":           {45 * time.Second, "one Deployment"},
	"metrics-server":               {45 * time.Second, "one Deployment"},
}

// addons are the EKS managed addons' create durations.
var addons = map[string]time.Duration{
	"coredns":                90 * time.Second,
	"aws-ebs-csi-driver":     2 * time.Minute,
	"metrics-server":         time.Minute,
	"eks-pod-identity-agent": time.Minute,
	"vpc-cni":                time.Minute,
	"kube-proxy":             time.Minute,
}

// ControlPlane is the pulumi-eks cluster's modelled create: the EKS control plane.
const ControlPlane = 10 * time.Minute

// CreateDuration is the modelled create of r. Components take no time, except pulumi-eks's
// cluster, which has no children in an offline plan and stands for the EKS control plane.
func CreateDuration(r planner.Resource) Estimate {
	switch {
	case r.Type == "eks:index:Cluster":
		return Estimate{ControlPlane, srcEKS, false}
	case strings.HasPrefix(r.Type, "pulumi:providers:"):
		return Estimate{0, "a provider's configuration: no cloud call", false}
	case !r.Custom && r.Type != "pulumi:pulumi:StackReference":
		return Estimate{0, "component: takes no time itself", false}
	case r.Type == "aws:rds/instance:Instance":
		if multi, _ := r.Inputs["multiAz"].(bool); multi {
			return Estimate{18 * time.Minute, srcRDSMulti, false}
		}
		return Estimate{8 * time.Minute, srcRDSSingle, false}
	case r.Type == "aws:eks/nodeGroup:NodeGroup":
		d := creates[r.Type].d
		if n := desiredSize(r); n > 2 {
			d += time.Duration(n-2) * 15 * time.Second
		}
		return Estimate{d, srcNodeGroup, false}
	case r.Type == "aws:eks/addon:Addon":
		name := r.GetString("addonName")
		if d, ok := addons[name]; ok {
			return Estimate{d, srcAddon, false}
		}
		return Estimate{90 * time.Second, srcAddon + " (addon " + name + " not in the table: 90 s)", false}
	case r.Type == "kubernetes:helm.sh/v3:Release" || r.Type == "kubernetes:helm.sh/v4:Chart":
		return helmRelease(r)
	case strings.HasPrefix(r.Type, "kubernetes:"):
		if e, ok := creates[r.Type]; ok {
			return Estimate{e.d, e.src, false}
		}
		return Estimate{time.Second, srcK8s + ": an object without an await rule is applied in about a second", false}
	case strings.HasPrefix(r.Type, "github:"):
		return Estimate{2 * time.Second, srcGH, false}
	}
	if e, ok := creates[r.Type]; ok {
		return Estimate{e.d, e.src, false}
	}
	return Estimate{DefaultDuration, fmt.Sprintf("default: %s not in the table (%s)", r.Type, DefaultDuration), true}
}

// helmRelease is a chart's install: its table entry, capped by the release's timeout (an
// atomic release that exceeds it fails), or a few seconds without wait.
func helmRelease(r planner.Resource) Estimate {
	chart := r.GetString("chart")
	if skip, _ := r.Inputs["skipAwait"].(bool); skip {
		return Estimate{5 * time.Second, "skipAwait: helm applies the manifests without waiting (estimate)", false}
	}
	e, ok := helmCharts[chart]
	if !ok {
		e = entry{time.Minute, "chart " + chart + " not in the table: 1 min"}
	}
	d := e.d
	if t, ok := r.Inputs["timeout"].(float64); ok && t > 0 && time.Duration(t)*time.Second < d {
		d = time.Duration(t) * time.Second
	}
	return Estimate{d, srcHelm + "; " + chart + ": " + e.src, false}
}

func desiredSize(r planner.Resource) int {
	if v, ok := r.Get("scalingConfig.desiredSize").(float64); ok {
		return int(v)
	}
	if v, ok := r.Get("scalingConfig.desiredSize").(int); ok {
		return v
	}
	return 0
}

// Durations is the modelled create duration of every resource of the plan, by URN: 0 for
// components and for the types the model says are instant; pulumi-eks's cluster component
// carries the control plane (on the recorder, its aws:eks/cluster:Cluster child is what is
// created).
func Durations(p *planner.Plan) map[string]time.Duration {
	out := make(map[string]time.Duration, len(p.Resources))
	for _, r := range p.Resources {
		out[r.URN] = CreateDuration(r).Duration
	}
	return out
}
