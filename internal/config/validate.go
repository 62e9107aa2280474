package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/images"
)

var (
	dnsLabel        = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	regionPattern   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	zoneIDPattern   = regexp.MustCompile(`^Z[A-Z0-9]{1,32}$`)
	clusterPattern  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	roleArnPattern  = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	groupPattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$`)
	instancePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
)

// MaxClusterNameLength keeps the names derived from the cluster's inside AWS's limits (EKS
// itself allows 100): the longest is the S3 bucket prefix "<cluster>-tempo-", which AWS
// completes with 26 characters to at most 63 (tests/names_test.go checks every derived name).
// The name is lowercase for the same reason: S3 bucket names are.
const MaxClusterNameLength = 63 - 26 - len("-tempo-")

// MaxDomainLength keeps every name derived from the domain within DNS's 253 characters: the
// longest is an ACM validation record, "_" and 32 hexadecimal digits before the name it
// validates.
const MaxDomainLength = 253 - len("_") - 32 - len(".")

// Validate checks the whole configuration and returns every problem, each naming its key and
// what is allowed. It is called by Decode, before any resource exists.
func (c *Config) Validate() error {
	var errs Errors
	// The rest is judged on a copy: where the region or the environment is itself invalid,
	// the checks that depend on it would only repeat that one mistake in other keys' names.
	v := *c
	if c.Region != "" && !regionPattern.MatchString(c.Region) {
		errs.add(RegionKey, fmt.Sprintf("%q is not an AWS region name; use e.g. eu-north-1", c.Region))
		v.Region = ""
	}
	if c.Environment != EnvDev && c.Environment != EnvProd {
		errs.add(Namespace+":environment", fmt.Sprintf("%q is not allowed; use %q or %q", c.Environment, EnvDev, EnvProd))
		// The most permissive rules: no environment rule can fail on a name that is not one.
		v.Environment = EnvDev
	}
	v.validateNetwork(&errs)
	v.validateDNS(&errs)
	v.validateCluster(&errs)
	v.validateDefaultTags(&errs)
	v.validateAddons(&errs)
	v.validateGitOps(&errs)
	v.validateTeams(&errs)
	v.validateRetiredTeams(&errs)
	v.validateHelm(&errs)
	v.validateAccess(&errs)
	v.validateBackup(&errs)
	v.validateRunners(&errs)
	return errs.orNil()
}

func (c *Config) validateNetwork(errs *Errors) {
	const k = Namespace + ":network"
	n := c.Network
	if _, err := netplan.ParseIPv4CIDR(n.CIDR); err != nil {
		errs.add(k+".cidr", err.Error()+"; use e.g. 10.0.0.0/16")
	} else if _, err := netplan.PlanSubnets(n.CIDR, make([]string, netplan.MinAZs)); err != nil {
		errs.add(k+".cidr", err.Error())
	}
	if n.AZCount < netplan.MinAZs || n.AZCount > netplan.MaxAZs {
		errs.add(k+".azCount", fmt.Sprintf("%d is not allowed; use %d or %d availability zones", n.AZCount, netplan.MinAZs, netplan.MaxAZs))
	}
	if len(n.AvailabilityZones) > 0 {
		if len(n.AvailabilityZones) != n.AZCount {
			errs.add(k+".availabilityZones", fmt.Sprintf("lists %d zones but azCount is %d; list exactly azCount zones or leave one of them unset", len(n.AvailabilityZones), n.AZCount))
		}
		seen := map[string]bool{}
		for i, az := range n.AvailabilityZones {
			key := fmt.Sprintf("%s.availabilityZones[%d]", k, i)
			suffix, ok := strings.CutPrefix(az, c.Region)
			// Without a valid region there is nothing to judge the zone by: aws:region carries
			// that error.
			if c.Region != "" && (!ok || len(suffix) != 1 || suffix[0] < 'a' || suffix[0] > 'z') {
				errs.add(key, fmt.Sprintf("%q is not an availability zone of %s (aws:region); use e.g. %sa", az, c.Region, c.Region))
			}
			if seen[az] {
				errs.add(key, fmt.Sprintf("%q is listed twice; each zone once", az))
			}
			seen[az] = true
		}
	}
	switch n.NATGateways {
	case NATSingle, NATPerAZ, NATInstance:
		if slices.Contains(c.Policy().NATLayouts, n.NATGateways) {
			break
		}
		why := "one NAT gateway makes one AZ a single point of failure for every node's egress"
		if n.NATGateways == NATInstance {
			why = "one NAT instance is a single point of failure for every node's egress, with no AWS-managed failover (a NAT gateway is redundant within its AZ; an instance is recovered only when its host fails, minutes later)"
		}
		errs.add(k+".natGateways", fmt.Sprintf("%q is not allowed in %s: %s; use %q", n.NATGateways, c.env(), why, NATPerAZ))
	default:
		errs.add(k+".natGateways", fmt.Sprintf("%q is not allowed; use %q, %q or %q (dev only)", n.NATGateways, NATSingle, NATPerAZ, NATInstance))
	}
	if n.Subnets != nil && n.AZCount >= netplan.MinAZs && n.AZCount <= netplan.MaxAZs {
		if _, err := netplan.PlanOverride(n.CIDR, make([]string, n.AZCount), n.Subnets.Public, n.Subnets.Private, n.Subnets.Database); err != nil {
			errs.add(k+".subnets", err.Error())
		}
	}
	checkRetention(errs, k+".flowLogsRetentionDays", n.FlowLogsRetentionDays)
	seen := map[string]bool{}
	for i, e := range n.Endpoints {
		key := fmt.Sprintf("%s.endpoints[%d]", k, i)
		switch {
		case e == "s3":
			errs.add(key, `"s3" needs no interface endpoint: S3's gateway endpoint is always on the private route tables (free); remove it`)
		case netplan.Endpoints[e] == "":
			errs.add(key, fmt.Sprintf("%q is not an endpoint the platform offers; use one of %s", e, strings.Join(slices.Sorted(maps.Keys(netplan.Endpoints)), ", ")))
		case seen[e]:
			errs.add(key, fmt.Sprintf("%q is listed twice; each endpoint once", e))
		}
		seen[e] = true
	}
	if len(n.Endpoints) > 0 && n.Subnets != nil {
		errs.add(k+".endpoints", "needs the computed subnet layout (its endpoint subnets are in block 5 of the VPC), and platform:network.subnets sets the layout by hand: remove one of them")
	}
}

func (c *Config) validateDNS(errs *Errors) {
	const k = Namespace + ":dns"
	d := c.DNS
	domainOK := false
	switch {
	case d.Domain == "":
		errs.add(k+".domain", "is required: the stack's DNS domain, e.g. dev.example.org")
	default:
		if err := checkDomain(d.Domain, false); err != nil {
			errs.add(k+".domain", err.Error())
		} else {
			domainOK = true
		}
	}
	if d.ParentZoneID != "" && !zoneIDPattern.MatchString(d.ParentZoneID) {
		errs.add(k+".parentZoneId", fmt.Sprintf("%q is not a Route53 hosted zone id; use e.g. Z0123456789ABCDEFGHIJ, or leave it unset to delegate by hand", d.ParentZoneID))
	}
	const ck = Namespace + ":certificates.additionalNames"
	if len(c.Certificates.AdditionalNames) > 8 {
		errs.add(ck, "has more than 8 names; ACM allows 10 per certificate, and the domain and *.domain take two")
	}
	for i, name := range c.Certificates.AdditionalNames {
		key := fmt.Sprintf("%s[%d]", ck, i)
		if err := checkDomain(name, true); err != nil {
			errs.add(key, err.Error())
		} else if domainOK && !strings.HasSuffix(name, "."+d.Domain) {
			errs.add(key, fmt.Sprintf("%q is not inside %s (platform:dns.domain); its validation record must go into the stack's zone", name, d.Domain))
		}
	}
}

// OpenToInternet reports whether the cluster's public endpoint admits any address.
func (c *Config) OpenToInternet() bool {
	for _, cidr := range c.Cluster.PublicAccessCIDRs {
		if n, err := netplan.ParseIPv4CIDR(cidr); err == nil {
			if ones, _ := n.Mask.Size(); ones == 0 {
				return true
			}
		}
	}
	return false
}

func (c *Config) validateCluster(errs *Errors) {
	const k = Namespace + ":cluster"
	cl := c.Cluster
	if len(cl.Name) > MaxClusterNameLength || !clusterPattern.MatchString(cl.Name) {
		errs.add(k+".name", fmt.Sprintf("%q is not allowed; use 1-%d lowercase letters, digits or '-', starting and ending with a letter or digit: the name prefixes S3 bucket names (\"<name>-tempo-\" and AWS's 26-character suffix within 63 lowercase characters)", cl.Name, MaxClusterNameLength))
	}
	c.validateKubernetesVersion(errs)
	for i, cidr := range cl.PublicAccessCIDRs {
		key := fmt.Sprintf("%s.publicAccessCidrs[%d]", k, i)
		n, err := netplan.ParseIPv4CIDR(cidr)
		if err != nil {
			errs.add(key, err.Error()+"; use e.g. 203.0.113.0/24")
			continue
		}
		if ones, _ := n.Mask.Size(); ones == 0 && !c.Policy().AllowOpenAPIEndpoint && !cl.AllowOpenEndpoint {
			errs.add(key, "0.0.0.0/0 is not allowed in "+c.env()+": it opens the Kubernetes API endpoint to the whole internet; list your office/VPN/CI egress CIDRs, or none for a private-only endpoint with self-hosted runners in the VPC (or, knowingly, set platform:cluster.allowOpenEndpoint: true)")
		}
	}
	if c.Policy().RequireAdmins && len(cl.AdminRoleARNs) == 0 {
		errs.add(k+".adminRoleArns", "is required in "+c.env()+": without it only the identity that ran `pulumi up` first can administer the cluster")
	}
	for i, arn := range cl.AdminRoleARNs {
		if !roleArnPattern.MatchString(arn) {
			errs.add(fmt.Sprintf("%s.adminRoleArns[%d]", k, i), fmt.Sprintf("%q is not an IAM role ARN; use e.g. arn:aws:iam::111122223333:role/platform-admin", arn))
		}
	}
	if _, err := clusterplan.AdminEntryNames(cl.AdminRoleARNs); err != nil {
		errs.add(k+".adminRoleArns", err.Error())
	}
	checkRetention(errs, k+".logRetentionDays", cl.LogRetentionDays)
	if len(cl.NodeGroups) == 0 {
		errs.add(k+".nodeGroups", "is empty; at least one node group is required (leave the key unset for the default)")
	}
	names := map[string]bool{}
	for i, ng := range cl.NodeGroups {
		validateNodeGroup(errs, fmt.Sprintf("%s.nodeGroups[%d]", k, i), ng, names)
	}
	validateImageArches(errs, k, cl.NodeGroups)
}

// validateImageArches: every image of every pinned chart must be published for every
// architecture a node group runs. The scheduler does not know what an image supports: with
// an x86_64 and an arm64 group, a single-arch pod may land on the other group's nodes and
// fail with "exec format error". So the rule is all or nothing: every platform image runs on
// every group (internal/images holds the architectures and their evidence).
func validateImageArches(errs *Errors, k string, groups []clusterplan.NodeGroup) {
	// The charts are the table's: config is pure planning code and does not link helmkit
	// (Pulumi); TestChartImagesAreInTheArchitectureTable holds the table to the pinned charts.
	charts := slices.Sorted(maps.Keys(images.ChartImages))
	seen := map[string]bool{}
	for i, ng := range groups {
		if seen[ng.Architecture] || (ng.Architecture != clusterplan.ArchX86 && ng.Architecture != clusterplan.ArchARM) {
			continue
		}
		seen[ng.Architecture] = true
		if lacking := images.Lacking(charts, ng.Architecture); len(lacking) > 0 {
			errs.add(fmt.Sprintf("%s.nodeGroups[%d].architecture", k, i), fmt.Sprintf("is %s, but these platform images are not known to be published for %s: %s; use %s, or record the image's architectures with their evidence in internal/images",
				ng.Architecture, images.GoArch(ng.Architecture), strings.Join(lacking, ", "), clusterplan.ArchX86))
		}
	}
}

func validateNodeGroup(errs *Errors, key string, ng clusterplan.NodeGroup, names map[string]bool) {
	if !groupPattern.MatchString(ng.Name) {
		errs.add(key+".name", fmt.Sprintf("%q is not allowed; use 1-20 lowercase letters, digits or '-'", ng.Name))
	} else if names[ng.Name] {
		errs.add(key+".name", fmt.Sprintf("%q is used by another node group; names must be unique", ng.Name))
	}
	names[ng.Name] = true
	if len(ng.InstanceTypes) == 0 {
		errs.add(key+".instanceTypes", "is empty; list at least one EC2 instance type, e.g. m6i.large")
	}
	valid := true
	for j, t := range ng.InstanceTypes {
		if !instancePattern.MatchString(t) {
			errs.add(fmt.Sprintf("%s.instanceTypes[%d]", key, j), fmt.Sprintf("%q is not an EC2 instance type; use e.g. m6i.large", t))
			valid = false
		}
	}
	if valid && len(ng.InstanceTypes) > 0 {
		if _, err := clusterplan.AMIType(ng.InstanceTypes); err != nil {
			errs.add(key+".instanceTypes", err.Error())
			valid = false // one error for the types: the Spot checks would repeat it
		} else if err := clusterplan.CheckArchitecture(ng.Architecture, ng.InstanceTypes); err != nil {
			errs.add(key+".architecture", err.Error())
		}
	}
	switch ng.CapacityType {
	case "ON_DEMAND":
	case "SPOT":
		if valid {
			if err := clusterplan.CheckSpotTypes(ng.InstanceTypes); err != nil {
				errs.add(key+".instanceTypes", err.Error())
			}
		}
	default:
		errs.add(key+".capacityType", fmt.Sprintf("%q is not allowed; use ON_DEMAND or SPOT", ng.CapacityType))
	}
	switch {
	case ng.MinSize < 0:
		errs.add(key+".minSize", fmt.Sprintf("%d is negative", ng.MinSize))
	case ng.MaxSize < 1 || ng.MaxSize > 450:
		errs.add(key+".maxSize", fmt.Sprintf("%d is not allowed; use 1 to 450 (the EKS limit per node group)", ng.MaxSize))
	case ng.MinSize > ng.MaxSize:
		errs.add(key+".minSize", fmt.Sprintf("%d is greater than maxSize %d", ng.MinSize, ng.MaxSize))
	case ng.DesiredSize < ng.MinSize || ng.DesiredSize > ng.MaxSize:
		errs.add(key+".desiredSize", fmt.Sprintf("%d is outside minSize..maxSize (%d..%d)", ng.DesiredSize, ng.MinSize, ng.MaxSize))
	}
	for _, lk := range slices.Sorted(maps.Keys(ng.Labels)) {
		lv := ng.Labels[lk]
		if err := checkNodeLabel(lk, lv); err != nil {
			errs.add(key+".labels."+lk, err.Error())
		}
	}
	if ng.DiskSizeGiB < 20 || ng.DiskSizeGiB > 16384 {
		errs.add(key+".diskSizeGiB", fmt.Sprintf("%d is not allowed; use 20 to 16384 GiB", ng.DiskSizeGiB))
	}
}

var (
	labelName  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)
	labelValue = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$`)
)

// MaxNodeLabelKeyLength keeps the Cluster Autoscaler's tag for a node label,
// "k8s.io/cluster-autoscaler/node-template/label/<key>", within AWS's 128-character tag keys.
const MaxNodeLabelKeyLength = 128 - len("k8s.io/cluster-autoscaler/node-template/label/")

// checkNodeLabel accepts a Kubernetes label the kubelet may set on its own node: a valid key
// (an optional DNS-subdomain prefix and a name) outside the kubernetes.io and k8s.io prefixes
// the NodeRestriction admission reserves, and a valid value.
func checkNodeLabel(key, value string) error {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		prefix, name = "", key
	}
	switch {
	case len(key) > MaxNodeLabelKeyLength:
		return fmt.Errorf("is a %d-character key; use at most %d, so that the Cluster Autoscaler's tag for it stays within AWS's 128-character tag keys", len(key), MaxNodeLabelKeyLength)
	case !labelName.MatchString(name) || (hasPrefix && checkDomain(prefix, false) != nil && !dnsLabel.MatchString(prefix)):
		return fmt.Errorf("is not a Kubernetes label key; use e.g. platform/pool or team")
	case prefix == "kubernetes.io" || prefix == "k8s.io" || strings.HasSuffix(prefix, ".kubernetes.io") || strings.HasSuffix(prefix, ".k8s.io"):
		return fmt.Errorf("uses a prefix Kubernetes reserves (kubernetes.io, k8s.io): nodes may not set it on themselves")
	case !labelValue.MatchString(value):
		return fmt.Errorf("%q is not a Kubernetes label value; use at most 63 letters, digits, '-', '_' or '.'", value)
	}
	return nil
}

func checkRetention(errs *Errors, key string, days int) {
	if !slices.Contains(ValidRetentionDays, days) {
		errs.add(key, fmt.Sprintf("%d is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ..., 3653", days))
	}
}

// checkDomain accepts a lowercase DNS name of at least two labels; wildcard allows a leading "*.".
func checkDomain(name string, wildcard bool) error {
	d := name
	if wildcard {
		d = strings.TrimPrefix(d, "*.")
	}
	labels := strings.Split(d, ".")
	if len(d) > MaxDomainLength {
		return fmt.Errorf("%q is %d characters; use at most %d, so that its ACM validation record (\"_\" and 32 hexadecimal digits before it) stays within DNS's 253", name, len(d), MaxDomainLength)
	}
	if len(labels) < 2 {
		return fmt.Errorf("%q is not a valid domain; use a lowercase name like dev.example.org", name)
	}
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return fmt.Errorf("%q is not a valid domain (label %q); use lowercase letters, digits and '-', like dev.example.org", name, l)
		}
	}
	return nil
}
