// Package config is the stack configuration's schema: the typed config, its defaults (stated
// once, here), strict decoding and validation with errors that name the key, and the
// environment policy (what dev and prod decide). It is the program's one validation layer for
// user input, and it is pure: no component imports it, no cloud SDK is linked into its tests.
// stacks.Load reads the config from Pulumi and calls Decode; stacks.Run composes the components
// from the result.
package config

import (
	"encoding/json"
	"time"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/network/netplan"
)

// Namespace is the Pulumi config namespace of this project: keys are "platform:<key>".
const Namespace = "platform"

// Environment decides the production rules (NAT per AZ, protected resources, no open API
// endpoint). It is plain config, not derived from the stack name, so a "prod-eu" stack is
// still production.
type Environment string

const (
	EnvDev  Environment = "dev"
	EnvProd Environment = "prod"
)

// NAT gateway layouts (the network's plan defines them).
const (
	NATSingle   = netplan.NATSingle
	NATPerAZ    = netplan.NATPerAZ
	NATInstance = netplan.NATInstance
)

// Config is the whole typed stack configuration. Every field is filled by Decode: either from
// the stack's config or from the defaults below, so no component has to guess.
type Config struct {
	// Project and Stack come from Pulumi, not from config.
	Project string `json:"-"`
	Stack   string `json:"-"`
	// Region is aws:region, the default AWS provider's region.
	Region string `json:"-"`

	Environment  Environment        `json:"environment"`
	Network      NetworkConfig      `json:"network"`
	DNS          DNSConfig          `json:"dns"`
	Certificates CertificatesConfig `json:"certificates"`
	Cluster      ClusterConfig      `json:"cluster"`
	Addons       AddonsConfig       `json:"addons"`
	GitHub       GitHubConfig       `json:"github"`
	ArgoCD       ArgoCDConfig       `json:"argocd"`
	Teams        Teams              `json:"teams"`
	// RetiredTeams are teams whose resources the deployment deletes (retire.go): a team with
	// data leaves platform:teams only through here.
	RetiredTeams []string     `json:"retiredTeams,omitempty"`
	Helm         HelmConfig   `json:"helm"`
	Backup       BackupConfig `json:"backup"`
	// Access is how people reach the private API endpoint and the databases (access.go).
	Access AccessConfig `json:"access"`
	// Runners are the CodeBuild runners' settings (runners.go); HasRunnersToken records that
	// platform:runnersGitHubToken is set.
	Runners         RunnersConfig `json:"runners"`
	HasRunnersToken bool          `json:"-"`
	// HasArgoCDSecret records that platform:argocdClientSecret is set; HasGitHubToken that the
	// GitHub provider has a token (github:token or GITHUB_TOKEN); GitHubProviderOwner is the
	// organization it acts on (github:owner or GITHUB_OWNER).
	HasArgoCDSecret, HasGitHubToken bool   `json:"-"`
	GitHubProviderOwner             string `json:"-"`
	// DefaultTags are aws:defaultTags.tags, which must hold contract.StackTag.
	DefaultTags        map[string]string `json:"-"`
	defaultTagsInvalid bool
	// Today is the day support windows are judged on (Decode sets the current date): a
	// Kubernetes version past EKS's end of extended support is refused, one in extended support
	// is a warning.
	Today time.Time `json:"-"`
}

// NetworkConfig is platform:network.
type NetworkConfig struct {
	// CIDR of the VPC, /16 to /20. Default 10.0.0.0/16.
	CIDR string `json:"cidr"`
	// AZCount is how many availability zones to spread over, 2 or 3. Default 3.
	AZCount int `json:"azCount"`
	// AvailabilityZones pins the zones; empty means the first AZCount available zones of the
	// region, looked up at deploy time.
	AvailabilityZones []string `json:"availabilityZones,omitempty"`
	// NATGateways is "single" (one NAT, cheaper, one AZ is a single point of failure),
	// "perAz" (default; required in prod) or "instance" (one NAT instance, far cheaper, no
	// AWS-managed failover: dev only).
	NATGateways string `json:"natGateways"`
	// Subnets overrides the computed subnet layout; both lists must then have AZCount entries.
	Subnets *SubnetOverride `json:"subnets,omitempty"`
	// FlowLogsRetentionDays is the retention of the VPC flow log group. Default 90.
	FlowLogsRetentionDays int `json:"flowLogsRetentionDays"`
	// Endpoints are the interface VPC endpoints of the stack (netplan.Endpoints: sts, ecr.api,
	// ecr.dkr, logs, monitoring, ssm, secretsmanager, kms). Default none. S3's gateway endpoint
	// is always there (free).
	Endpoints []string `json:"endpoints,omitempty"`
}

// SubnetOverride pins subnet CIDRs instead of the computed layout (e.g. to match an existing
// IP plan).
type SubnetOverride struct {
	Public  []string `json:"public"`
	Private []string `json:"private"`
	// Database subnets (one per AZ) hold the teams' databases; without them, teams cannot
	// have databases.
	Database []string `json:"database,omitempty"`
}

// DNSConfig is platform:dns.
type DNSConfig struct {
	// Domain is the stack's domain, e.g. dev.example.org. Required.
	Domain string `json:"domain"`
	// ParentZoneID is the Route53 zone of the parent domain (example.org). When set, the NS
	// delegation record is created there; otherwise delegation is a manual step.
	ParentZoneID string `json:"parentZoneId,omitempty"`
}

// CertificatesConfig is platform:certificates.
type CertificatesConfig struct {
	// AdditionalNames are extra names on the certificate besides the domain and *.domain; each
	// must be inside the domain, because validation records go into the stack's zone.
	AdditionalNames []string `json:"additionalNames,omitempty"`
}

// ClusterConfig is platform:cluster.
type ClusterConfig struct {
	// Name of the EKS cluster. Default "<project>-<stack>".
	Name string `json:"name"`
	// KubernetesVersion is pinned, "1.x". Default DefaultKubernetesVersion.
	KubernetesVersion string `json:"kubernetesVersion"`
	// PublicAccessCIDRs enables the public API endpoint for these CIDRs only. Empty (default)
	// means private endpoint only. 0.0.0.0/0 is refused in prod.
	PublicAccessCIDRs []string `json:"publicAccessCidrs,omitempty"`
	// AllowOpenEndpoint accepts 0.0.0.0/0 in PublicAccessCIDRs where the environment refuses
	// it (prod): GitHub-hosted runners have no fixed addresses. Access still takes IAM
	// credentials and an access entry; the endpoint itself is reachable by anyone.
	AllowOpenEndpoint bool `json:"allowOpenEndpoint,omitempty"`
	// AdminRoleARNs get cluster-admin through EKS access entries. Required in prod.
	AdminRoleARNs []string `json:"adminRoleArns,omitempty"`
	// LogRetentionDays is the retention of the control-plane log group. Default 90.
	LogRetentionDays int `json:"logRetentionDays"`
	// NodeGroups are the managed node groups. Default: one "general" group.
	NodeGroups NodeGroups `json:"nodeGroups"`
}

// NodeGroups is platform:cluster.nodeGroups: each entry decodes over DefaultNodeGroup, so a
// group that sets only its name and sizes still gets a valid instance type and disk.
type NodeGroups []clusterplan.NodeGroup

// UnmarshalJSON decodes each group over the defaults.
func (n *NodeGroups) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return err
	}
	out := make(NodeGroups, 0, len(raws))
	for _, raw := range raws {
		g := DefaultNodeGroup()
		if err := json.Unmarshal(raw, &g); err != nil {
			return err
		}
		out = append(out, g)
	}
	*n = out
	return nil
}

// Defaults, defined once. They are the secure and resilient choice; dev stacks opt down
// explicitly in Pulumi.dev.yaml.
const (
	DefaultVPCCIDR       = "10.0.0.0/16"
	DefaultAZCount       = 3
	DefaultNAT           = NATPerAZ
	DefaultRetentionDays = 90
	// DefaultKubernetesVersion is in EKS standard support until 2027-03-27 (pricing.EKSCalendar).
	DefaultKubernetesVersion = "1.35"
	DefaultNodeGroupName     = "general"
	DefaultInstanceType      = "m6i.large"
	DefaultCapacityType      = "ON_DEMAND"
	DefaultMinSize           = 1
	DefaultDesiredSize       = 2
	DefaultMaxSize           = 10
	DefaultDiskSizeGiB       = 50
)

// ValidRetentionDays are the values CloudWatch Logs accepts for a log group's retention.
var ValidRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Keys lists the top-level config keys the program reads (without the "platform:" prefix),
// in documentation order. Pulumi.yaml documents exactly these (a test checks it).
var Keys = []string{"environment", "network", "dns", "certificates", "cluster", "addons", "github", "argocd", "teams", "retiredTeams", "helm", "backup", "access", "argocdClientSecret", "runners", "runnersGitHubToken"}

// Policy is the environment's policy for this config.
func (c *Config) Policy() Policy { return PolicyFor(c.Environment) }

// env names the environment in an error its rules raise, with the key that chose them: the
// user may be fixing the environment, not the key the error is on.
func (c *Config) env() string { return string(c.Environment) + " (platform:environment)" }
