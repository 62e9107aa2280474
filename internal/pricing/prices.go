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
		"/cloudwatch/pricing, /s3/pricing, /privatelink/pricing, /rds/postgresql/pricing, /secrets-manager/pricing, /backup/pricing), on-demand list prices. " +
		"The RDS prices outside us-east-1 were compiled without a second source: check them against the pricing page when they matter"
)

// EKSExtendedSupportHour is what a cluster costs per hour while its Kubernetes version is in
// extended support, instead of EKSClusterHour (aws.amazon.com/eks/pricing: $0.60, every region
// priced here).
const EKSExtendedSupportHour = 0.60

// ECRStorageGBMonth is ECR's storage price per GB-month (aws.amazon.com/ecr/pricing: the same
// in every region priced here).
const ECRStorageGBMonth = 0.10

// RDSExtendedSupportVCPUHour is what RDS Extended Support adds per vCPU-hour in its first two
// years (aws.amazon.com/rds/postgresql/pricing; the third year doubles it).
const RDSExtendedSupportVCPUHour = 0.10

// SecretsManagerSecretMonth is a secret's monthly price (RDS's managed master secrets are
// billed like any other); CloudWatchAlarmMonth a standard-resolution metric alarm's.
const (
	SecretsManagerSecretMonth = 0.40
	CloudWatchAlarmMonth      = 0.10
	// KMSRequests10k is KMS's price per 10,000 symmetric-key requests beyond the free tier
	// (aws.amazon.com/kms/pricing: $0.03, every region priced here).
	KMSRequests10k = 0.03
)

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
	EndpointAZHour   float64            // interface VPC endpoint per AZ-hour (data processing excluded)
	LogsIngestGB     float64            // CloudWatch Logs standard ingestion per GB
	S3StandardGB     float64            // S3 Standard per GB-month (first 50 TB)
	EC2Hour          map[string]float64 // on-demand Linux per instance-hour
	// RDS for PostgreSQL, Single-AZ (Multi-AZ bills the standby too: twice instance and storage).
	RDSPostgresHour  map[string]float64 // per instance-hour, by DBClasses
	RDSgp3GBMonth    float64            // gp3 storage per GB-month
	RDSBackupGBMonth float64            // backup storage beyond the free allowance, per GB-month
	// AWS Backup (aws.amazon.com/backup/pricing): warm storage of EBS snapshots and of RDS
	// snapshots per GB-month, and data transferred to another region per GB (EC2 data transfer
	// out to another region). Cold storage is not used (backupplan: no rule archives).
	BackupEBSGBMonth, BackupRDSGBMonth, InterRegionGB float64
}

// Prices holds every priced region. A region or instance type missing here is reported as an
// explicit "unpriced" line, never as zero.
var Prices = map[string]RegionPrices{
	"us-east-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.045, PublicIPv4Hour: 0.005, ALBHour: 0.0225, ALBLCUHour: 0.008,
		EBSgp3GBMonth: 0.08, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, EndpointAZHour: 0.01, LogsIngestGB: 0.50, S3StandardGB: 0.023,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664, "t3a.large": 0.0752,
			"m6i.large": 0.096, "m6i.xlarge": 0.192, "m6a.large": 0.0864, "m6a.xlarge": 0.1728,
			"m7i.large": 0.1008, "m7g.large": 0.0816, "c6i.large": 0.085, "r6i.large": 0.126,
			"t4g.nano": 0.0042, "t4g.micro": 0.0084,
			// Graviton node types (platform:cluster.nodeGroups[].architecture arm64).
			"t4g.large": 0.0672, "m6g.large": 0.077,
		},
		RDSPostgresHour: map[string]float64{
			"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
			"db.m7g.large": 0.168, "db.m7g.xlarge": 0.337, "db.r7g.large": 0.239, "db.r7g.xlarge": 0.478,
		},
		RDSgp3GBMonth: 0.115, RDSBackupGBMonth: 0.095,
		BackupEBSGBMonth: 0.05, BackupRDSGBMonth: 0.095, InterRegionGB: 0.02,
	},
	"eu-west-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.048, PublicIPv4Hour: 0.005, ALBHour: 0.0252, ALBLCUHour: 0.008,
		EBSgp3GBMonth: 0.088, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, EndpointAZHour: 0.011, LogsIngestGB: 0.57, S3StandardGB: 0.023,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0456, "t3.large": 0.0912, "t3.xlarge": 0.1824, "t3a.large": 0.0816,
			"m6i.large": 0.107, "m6i.xlarge": 0.214, "m6a.large": 0.0963, "m6a.xlarge": 0.1926,
			"m7i.large": 0.1124, "m7g.large": 0.0912, "c6i.large": 0.0966, "r6i.large": 0.141,
			"t4g.nano": 0.0046, "t4g.micro": 0.0092,
			"t4g.large": 0.0736, "m6g.large": 0.086,
		},
		RDSPostgresHour: map[string]float64{
			"db.t4g.micro": 0.018, "db.t4g.small": 0.036, "db.t4g.medium": 0.072, "db.t4g.large": 0.144,
			"db.m7g.large": 0.187, "db.m7g.xlarge": 0.374, "db.r7g.large": 0.264, "db.r7g.xlarge": 0.528,
		},
		RDSgp3GBMonth: 0.127, RDSBackupGBMonth: 0.095,
		BackupEBSGBMonth: 0.05, BackupRDSGBMonth: 0.095, InterRegionGB: 0.02,
	},
	"eu-north-1": {
		EKSClusterHour: 0.10, NATGatewayHour: 0.046, PublicIPv4Hour: 0.005, ALBHour: 0.0239, ALBLCUHour: 0.0076,
		EBSgp3GBMonth: 0.0836, Route53ZoneMonth: 0.50, KMSKeyMonth: 1.00, EndpointAZHour: 0.011, LogsIngestGB: 0.5985, S3StandardGB: 0.022,
		EC2Hour: map[string]float64{
			"t3.medium": 0.0432, "t3.large": 0.0864, "t3.xlarge": 0.1728, "t3a.large": 0.0778,
			"m6i.large": 0.102, "m6i.xlarge": 0.204, "m6a.large": 0.0918, "m6a.xlarge": 0.1836,
			"m7i.large": 0.1071, "m7g.large": 0.0867, "c6i.large": 0.0918, "r6i.large": 0.134,
			// The access instance's (platform:access): compiled without a second source.
			"t4g.nano": 0.0043, "t4g.micro": 0.0086,
			// Graviton node types: compiled without a second source (t4g prices scale with
			// size, t4g.large is 16 t4g.nano; m6g.large is 80% of m5.large's 0.102).
			"t4g.large": 0.0688, "m6g.large": 0.0816,
		},
		RDSPostgresHour: map[string]float64{
			"db.t4g.micro": 0.017, "db.t4g.small": 0.034, "db.t4g.medium": 0.068, "db.t4g.large": 0.136,
			"db.m7g.large": 0.178, "db.m7g.xlarge": 0.355, "db.r7g.large": 0.251, "db.r7g.xlarge": 0.502,
		},
		RDSgp3GBMonth: 0.121, RDSBackupGBMonth: 0.095,
		BackupEBSGBMonth: 0.0475, BackupRDSGBMonth: 0.095, InterRegionGB: 0.02,
	},
}

// Assumptions for what a plan cannot know; printed with every estimate.
const (
	// LogsGBPerGroupMonth is the ingestion assumed per CloudWatch log group (flow logs and
	// control-plane logs of a small cluster).
	LogsGBPerGroupMonth = 5.0
	// KMSRequestsPerLogGroupMonth are the KMS requests assumed per encrypted log group:
	// CloudWatch Logs caches the data keys it generates, so requests grow with the group's
	// streams and time, not with its volume.
	KMSRequestsPerLogGroupMonth = 20000.0
	// S3GBPerBucket is the storage assumed per S3 bucket (Loki, Tempo) after the first months.
	S3GBPerBucket = 50.0
	// LCUsPerALB is the average load assumed per ALB.
	LCUsPerALB = 1.0
	// BackupChangePerDay is the share of a database's storage assumed to change each day:
	// automated backups are incremental, and RDS stores as much backup as the provisioned
	// storage for free, so a database bills (retention-1) days of changes.
	BackupChangePerDay = 0.03
	// ECRGBPerRepository is the storage assumed per image repository (its lifecycle policy
	// keeps at most 200 images).
	ECRGBPerRepository = 5.0
)

// CodeBuildLinuxMinute is CodeBuild's on-demand price per build-minute of the runners' Linux
// x86_64 compute types (aws.amazon.com/codebuild/pricing, us-east-1's list price: general1.small
// 0.005, general1.medium 0.01, general1.large 0.02). Compiled without a second source for the
// other regions priced here, where the same price is assumed: check the pricing page when it
// matters. arm64 is not priced (an explicit "unpriced" line).
var CodeBuildLinuxMinute = map[string]float64{
	"BUILD_GENERAL1_SMALL": 0.005, "BUILD_GENERAL1_MEDIUM": 0.01, "BUILD_GENERAL1_LARGE": 0.02,
}

// RunnerMinutesPerMonth are the build-minutes assumed of the CodeBuild runners a month: prod's
// release workflow, about 30 deploys of 30 minutes (a first `up` takes far longer, once).
const RunnerMinutesPerMonth = 900.0

// Free lists the resource types that cost nothing by themselves (their cost, if any, is
// counted elsewhere: a flow log by its log group, an EIP by its public IPv4 address).
var Free = map[string]string{
	"aws:ec2/vpc:Vpc": "", "aws:ec2/subnet:Subnet": "", "aws:ec2/routeTable:RouteTable": "",
	"aws:ec2/routeTableAssociation:RouteTableAssociation": "", "aws:ec2/internetGateway:InternetGateway": "",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "", "aws:ec2/flowLog:FlowLog": "counted in its log group",
	"aws:ec2/launchTemplate:LaunchTemplate": "counted in its node group or instance", "aws:iam/role:Role": "",
	"aws:iam/rolePolicy:RolePolicy": "", "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "", "aws:iam/policy:Policy": "",
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": "", "aws:acm/certificate:Certificate": "public certificates are free",
	"aws:acm/certificateValidation:CertificateValidation": "", "aws:route53/record:Record": "queries excluded",
	"aws:kms/alias:Alias": "", "aws:ssm/parameter:Parameter": "standard parameters are free",
	"aws:eks/addon:Addon": "", "aws:eks/podIdentityAssociation:PodIdentityAssociation": "",
	"aws:eks/accessEntry:AccessEntry": "", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "", "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       "",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "SSE-S3 is free",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                                                    "",
	"aws:ec2/securityGroup:SecurityGroup":                                                        "", "aws:rds/subnetGroup:SubnetGroup": "", "aws:rds/parameterGroup:ParameterGroup": "",
	"aws:backup/plan:Plan": "", "aws:backup/selection:Selection": "", "aws:backup/vaultPolicy:VaultPolicy": "",
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": "", "pulumi:providers:aws": "",
	"aws:ssm/document:Document": "", "aws:iam/instanceProfile:InstanceProfile": "", "aws:ec2/securityGroupRule:SecurityGroupRule": "", "aws:ec2/networkInterface:NetworkInterface": "the NAT instance's: its address is counted in its Elastic IP",
	"pulumi:pulumi:StackReference":  "a read of the stack's own outputs",
	"aws:codebuild/webhook:Webhook": "", "aws:codebuild/sourceCredential:SourceCredential": "",
	"aws:sns/topic:Topic": "alarm notifications are within the free tier", "aws:sns/topicSubscription:TopicSubscription": "", "pulumi:providers:kubernetes": "", "random:index/randomPassword:RandomPassword": "", "random:index/randomId:RandomId": "", "tls:index/privateKey:PrivateKey": "",
}

// FreePrefixes are packages or type prefixes with no AWS cost: Kubernetes objects run on the
// nodes already counted, GitHub objects are GitHub's, components are groupings.
var FreePrefixes = []string{"kubernetes:", "github:", "platform:index:"}
