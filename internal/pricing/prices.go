// Package pricing is the embedded, dated data behind the cost estimate and the version checks:
// AWS list prices per region (this file) and the EKS Kubernetes version calendar (eks.go). It
// is pure data with a few lookups: config validation and internal/cost both read it.
package pricing

// PriceTableDate and PriceTableSource say where the prices come from. They are AWS's public
// on-demand list prices (Linux, no Savings Plans or Reserved Instances, USD, excluding tax),
// compiled by hand into this file: there is no network access at plan time, so the table is
// data in the repository, reviewed like code. Update the date with the prices.
const (
	PriceTableDate   = "2026-11-23"
	PriceTableSource = "AWS public pricing pages (aws.amazon.com/eks/pricing, /ec2/pricing/on-demand, " +
		"/vpc/pricing, /elasticloadbalancing/pricing, /ebs/pricing, /route53/pricing, /kms/pricing, " +
		"/cloudwatch/pricing, /s3/pricing), on-demand list prices"
)

// EKSExtendedSupportHour is what a cluster costs per hour while its Kubernetes version is in
// extended support, instead of EKSClusterHour (aws.amazon.com/eks/pricing: $0.60, every region
// priced here).
const EKSExtendedSupportHour = 0.60

// ECRStorageGBMonth is ECR's storage price per GB-month (aws.amazon.com/ecr/pricing: the same
// in every region priced here).
const ECRStorageGBMonth = 0.10

// HoursPerMonth is AWS's billing month.
const HoursPerMonth = 730

// RegionPrices are one region's unit prices in USD.
type RegionPrices struct {
	EKSClusterHour   float64            // per cluster-hour in standard support (see EKSExtendedSupportHour)
	NATGatewayHour   float64            // per NAT gateway-hour (data processing excluded)
	PublicIPv4Hour   float64            // per public IPv4 address-hour
	ALBHour          float64            // per ALB-hour
	ALBLCUHour       float64            // per LCU-hour
	EBSgp3GBMonth    float64            // per GB-month
	Route53ZoneMonth float64            // per hosted zone-month (first 25)
	KMSKeyMonth      float64            // per customer managed key-month
	LogsIngestGB     float64            // CloudWatch Logs standard ingestion per GB
	S3StandardGB     float64            // S3 Standard per GB-month (first 50 TB)
	EC2Hour          map[string]float64 // on-demand Linux per instance-hour
}

// Prices holds every priced region. A region or instance type missing here is reported as an
// explicit "unpriced" line, never as zero.
var Prices = map[string]RegionPrices{
	"us-east-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.045, PublicIPv4Hour: 0.005, ALBHour: 0.0225, ALBLCUHour: 0.008,
		EBSgp3GBMonth: 0.08, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, LogsIngestGB: 0.50, S3StandardGB: 0.023,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664, "t3a.large": 0.0752,
			"m6i.large": 0.096, "m6i.xlarge": 0.192, "m6a.large": 0.0864, "m6a.xlarge": 0.1728,
			"m7i.large": 0.1008, "m7g.large": 0.0816, "c6i.large": 0.085, "r6i.large": 0.126,
		},
	},
	"eu-west-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.048, PublicIPv4Hour: 0.005, ALBHour: 0.0252, ALBLCUHour: 0.008,
		EBSgp3GBMonth: 0.088, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, LogsIngestGB: 0.57, S3StandardGB: 0.023,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0456, "t3.large": 0.0912, "t3.xlarge": 0.1824, "t3a.large": 0.0816,
			"m6i.large": 0.107, "m6i.xlarge": 0.214, "m6a.large": 0.0963, "m6a.xlarge": 0.1926,
			"m7i.large": 0.1124, "m7g.large": 0.0912, "c6i.large": 0.0966, "r6i.large": 0.141,
		},
	},
	"eu-north-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.046, PublicIPv4Hour: 0.005, ALBHour: 0.0239, ALBLCUHour: 0.0076,
		EBSgp3GBMonth: 0.0836, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, LogsIngestGB: 0.5985, S3StandardGB: 0.022,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0432, "t3.large": 0.0864, "t3.xlarge": 0.1728, "t3a.large": 0.0778,
			"m6i.large": 0.102, "m6i.xlarge": 0.204, "m6a.large": 0.0918, "m6a.xlarge": 0.1836,
			"m7i.large": 0.1071, "m7g.large": 0.0867, "c6i.large": 0.0918, "r6i.large": 0.134,
		},
	},
}

// Assumptions for what a plan cannot know; printed with every estimate.
const (
	// LogsGBPerGroupMonth is the ingestion assumed per CloudWatch log group (flow logs and
	// control-plane logs of a small cluster).
	LogsGBPerGroupMonth = 5.0
	// S3GBPerBucket is the storage assumed per S3 bucket (Loki, Tempo) after the first months.
	S3GBPerBucket = 50.0
	// LCUsPerALB is the average load assumed per ALB.
	LCUsPerALB = 1.0
	// ECRGBPerRepository is the storage assumed per image repository (its lifecycle policy
	// keeps at most 200 images).
	ECRGBPerRepository = 5.0
)

// Free lists the resource types that cost nothing by themselves (their cost, if any, is
// counted elsewhere: a flow log by its log group, an EIP by its public IPv4 address).
var Free = map[string]string{
	"aws:ec2/vpc:Vpc": "", "aws:ec2/subnet:Subnet": "", "aws:ec2/routeTable:RouteTable": "",
	"aws:ec2/routeTableAssociation:RouteTableAssociation": "", "aws:ec2/internetGateway:InternetGateway": "",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "", "aws:ec2/flowLog:FlowLog": "counted in its log group",
	"aws:ec2/launchTemplate:LaunchTemplate": "counted in its node group", "aws:iam/role:Role": "",
	"aws:iam/rolePolicy:RolePolicy": "", "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "", "aws:iam/policy:Policy": "",
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": "", "aws:acm/certificate:Certificate": "public certificates are free",
	"aws:acm/certificateValidation:CertificateValidation": "", "aws:route53/record:Record": "queries excluded",
	"aws:kms/alias:Alias": "", "aws:ssm/parameter:Parameter": "standard parameters are free",
	"aws:eks/addon:Addon": "", "aws:eks/podIdentityAssociation:PodIdentityAssociation": "",
	"aws:eks/accessEntry:AccessEntry": "", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "", "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       "",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "SSE-S3 is free",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                                                    "", "pulumi:providers:kubernetes": "", "random:index/randomPassword:RandomPassword": "", "tls:index/privateKey:PrivateKey": "",
}

// FreePrefixes are packages or type prefixes with no AWS cost: Kubernetes objects run on the
// nodes already counted, GitHub objects are GitHub's, components are groupings.
var FreePrefixes = []string{"kubernetes:", "github:", "platform:index:"}
