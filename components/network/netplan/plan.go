// Package netplan is the network's pure planning: the subnet layout of the VPC, the NAT
// layouts, the subnet discovery tags and the flow-log policy. No cloud SDK: config validation
// and the network component both use it, and its tests link in a second.
package netplan

import (
	"fmt"
	"net"
	"strings"

	"github.com/apparentlymart/go-cidr/cidr"

	"github.com/example/platform/internal/iampolicy"
)

// Layout of a VPC of prefix /P, in eighths (/P+3 blocks):
//
//	block 0-2  private subnets, one per AZ (/P+3 each: pods take VPC IPs with the VPC CNI)
//	block 3    reserved: private subnet of a 4th AZ
//	block 4    public subnets, /P+6 each, one per AZ (load balancers and NAT gateways only)
//	block 5    reserved: intra (control-plane ENIs); its first /27s, one per AZ, hold the
//	           interface VPC endpoints (EndpointSubnets) when the stack has any
//	block 6    reserved: spare (earlier releases put one shared database subnet per AZ here;
//	           kept free so that they can be replaced beside it)
//	block 7    database ranges, a quarter (/P+5) per AZ: each team with databases gets its own
//	           /28 subnet in every AZ's range, at its slot (TeamDatabaseSubnets)
//
// A subnet's CIDR depends only on the VPC CIDR and its AZ index (and a team's database subnets
// on the team's slot), so going from 2 to 3 AZs adds subnets without moving (and so replacing)
// the existing ones.
const (
	MinVPCPrefix = 16
	MaxVPCPrefix = 20
	MaxAZs       = 3
	MinAZs       = 2

	blockBits       = 3 // eighths
	publicBlock     = 4
	publicExtraBits = 3 // public subnets are an eighth of block 4
	databaseBlock   = 7
	// databaseAZBits: the database block is cut in quarters, one per AZ (a 4th AZ's spare).
	databaseAZBits = 2
	endpointBlock  = 5
	// EndpointSubnetPrefix is the size of the interface endpoints' subnet in each AZ: 27
	// usable addresses, one per endpoint (platform:network.endpoints).
	EndpointSubnetPrefix = 27
	// DatabaseSubnetPrefix is the size of a team's database subnet in each AZ: 11 usable
	// addresses (AWS keeps 5), one per instance and one per Multi-AZ standby.
	DatabaseSubnetPrefix = 28
)

// Subnet is one planned subnet.
type Subnet struct {
	AZ   string
	CIDR string
}

// Plan is the computed address layout of the VPC.
type Plan struct {
	VPC     string
	Public  []Subnet
	Private []Subnet
	// Database are the per-AZ database ranges each team's database subnets are cut from
	// (TeamDatabaseSubnets; no route out of the VPC). Empty when an explicit layout names none.
	Database []Subnet
	// Endpoint are the interface VPC endpoints' subnets, one per AZ (in block 5), created only
	// when the stack has endpoints. Empty when an explicit layout is given.
	Endpoint []Subnet
	Reserved []string // blocks kept free for growth, in address order
}

// PlanSubnets computes the default layout for vpcCIDR over azs (2 or 3 zones).
func PlanSubnets(vpcCIDR string, azs []string) (Plan, error) {
	vpc, err := parseVPC(vpcCIDR)
	if err != nil {
		return Plan{}, err
	}
	if len(azs) < MinAZs || len(azs) > MaxAZs {
		return Plan{}, fmt.Errorf("%d availability zones: the layout supports %d to %d", len(azs), MinAZs, MaxAZs)
	}
	p := Plan{VPC: vpc.String()}
	publicBase, _ := cidr.Subnet(vpc, blockBits, publicBlock)
	databaseBase, _ := cidr.Subnet(vpc, blockBits, databaseBlock)
	endpointBase, _ := cidr.Subnet(vpc, blockBits, endpointBlock)
	blockPrefix, _ := endpointBase.Mask.Size()
	for i, az := range azs {
		priv, _ := cidr.Subnet(vpc, blockBits, i)
		pub, _ := cidr.Subnet(publicBase, publicExtraBits, i)
		db, _ := cidr.Subnet(databaseBase, databaseAZBits, i)
		p.Private = append(p.Private, Subnet{AZ: az, CIDR: priv.String()})
		p.Public = append(p.Public, Subnet{AZ: az, CIDR: pub.String()})
		p.Database = append(p.Database, Subnet{AZ: az, CIDR: db.String()})
		ep, _ := cidr.Subnet(endpointBase, EndpointSubnetPrefix-blockPrefix, i)
		p.Endpoint = append(p.Endpoint, Subnet{AZ: az, CIDR: ep.String()})
	}
	for _, b := range []int{3, 5, 6} {
		r, _ := cidr.Subnet(vpc, blockBits, b)
		p.Reserved = append(p.Reserved, r.String())
	}
	return p, nil
}

// PlanOverride checks an explicit layout (platform:network.subnets) and returns it as a Plan:
// one public and one private subnet per AZ, and optionally one database range per AZ (the teams'
// database subnets are cut from it), all inside the VPC, none overlapping.
func PlanOverride(vpcCIDR string, azs, public, private, database []string) (Plan, error) {
	vpc, err := parseVPC(vpcCIDR)
	if err != nil {
		return Plan{}, err
	}
	if len(public) != len(azs) || len(private) != len(azs) {
		return Plan{}, fmt.Errorf("needs exactly one public and one private subnet per availability zone (%d each), got %d public and %d private",
			len(azs), len(public), len(private))
	}
	if len(database) != 0 && len(database) != len(azs) {
		return Plan{}, fmt.Errorf("needs no database ranges or exactly one per availability zone (%d), got %d", len(azs), len(database))
	}
	p := Plan{VPC: vpc.String()}
	var nets []*net.IPNet
	names := map[string]string{}
	for i, az := range azs {
		kinds := []struct {
			kind string
			cidr string
			list *[]Subnet
		}{{"public", public[i], &p.Public}, {"private", private[i], &p.Private}}
		if len(database) > 0 {
			kinds = append(kinds, struct {
				kind string
				cidr string
				list *[]Subnet
			}{"database", database[i], &p.Database})
		}
		for _, s := range kinds {
			n, err := parseSubnet(s.cidr)
			if err != nil {
				return Plan{}, fmt.Errorf("%s subnet %d: %w", s.kind, i, err)
			}
			if !contains(vpc, n) {
				return Plan{}, fmt.Errorf("%s subnet %s is not inside the VPC %s", s.kind, n, vpc)
			}
			for _, other := range nets {
				if overlaps(n, other) {
					return Plan{}, fmt.Errorf("%s subnet %s overlaps %s", s.kind, n, names[other.String()])
				}
			}
			nets = append(nets, n)
			names[n.String()] = fmt.Sprintf("%s subnet %s", s.kind, n)
			*s.list = append(*s.list, Subnet{AZ: az, CIDR: n.String()})
		}
	}
	return p, nil
}

// DatabaseSlots is how many teams can have database subnets: the /28s in the smallest
// per-AZ database range (0 without database ranges).
func DatabaseSlots(p Plan) int {
	slots := -1
	for _, s := range p.Database {
		_, n, err := net.ParseCIDR(s.CIDR)
		if err != nil {
			return 0
		}
		ones, _ := n.Mask.Size()
		if ones > DatabaseSubnetPrefix {
			return 0
		}
		if k := 1 << (DatabaseSubnetPrefix - ones); slots < 0 || k < slots {
			slots = k
		}
	}
	return max(slots, 0)
}

// TeamDatabaseSubnets are a team's database subnets, one per AZ: the slot-th /28 of each AZ's
// database range. A team's slot (platform:teams[].databaseSlot) never changes, so neither do
// its subnets, whatever other teams come and go.
func TeamDatabaseSubnets(p Plan, slot int) ([]Subnet, error) {
	if n := DatabaseSlots(p); slot < 0 || slot >= n {
		return nil, fmt.Errorf("database slot %d is outside the VPC's database ranges, which hold slots 0 to %d", slot, n-1)
	}
	var out []Subnet
	for _, s := range p.Database {
		_, n, _ := net.ParseCIDR(s.CIDR)
		ones, _ := n.Mask.Size()
		sub, err := cidr.Subnet(n, DatabaseSubnetPrefix-ones, slot)
		if err != nil {
			return nil, err
		}
		out = append(out, Subnet{AZ: s.AZ, CIDR: sub.String()})
	}
	return out, nil
}

// ParseIPv4CIDR parses a canonical IPv4 CIDR (the network address, not a host in it).
func ParseIPv4CIDR(s string) (*net.IPNet, error) {
	ip, n, err := net.ParseCIDR(s)
	if err != nil || ip.To4() == nil || strings.Contains(s, ":") {
		return nil, fmt.Errorf("%q is not a valid IPv4 CIDR", s)
	}
	if !ip.Equal(n.IP) {
		return nil, fmt.Errorf("%q is not a network address; did you mean %s", s, n)
	}
	return n, nil
}

// privateRanges are RFC 1918's: a VPC outside them would collide with public addresses.
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

func parseVPC(s string) (*net.IPNet, error) {
	n, err := ParseIPv4CIDR(s)
	if err != nil {
		return nil, err
	}
	ones, _ := n.Mask.Size()
	if ones < MinVPCPrefix || ones > MaxVPCPrefix {
		return nil, fmt.Errorf("%q is a /%d; the VPC must be a /%d to /%d", s, ones, MinVPCPrefix, MaxVPCPrefix)
	}
	for _, r := range privateRanges {
		_, pr, _ := net.ParseCIDR(r)
		if contains(pr, n) {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%q is not a private range; use one inside %s", s, strings.Join(privateRanges, ", "))
}

func parseSubnet(s string) (*net.IPNet, error) {
	n, err := ParseIPv4CIDR(s)
	if err != nil {
		return nil, err
	}
	// AWS subnets are /16 to /28.
	if ones, _ := n.Mask.Size(); ones < 16 || ones > 28 {
		return nil, fmt.Errorf("%q is a /%d; AWS subnets are /16 to /28", s, ones)
	}
	return n, nil
}

func contains(outer, inner *net.IPNet) bool {
	oo, _ := outer.Mask.Size()
	io, _ := inner.Mask.Size()
	return io >= oo && outer.Contains(inner.IP)
}

func overlaps(a, b *net.IPNet) bool { return a.Contains(b.IP) || b.Contains(a.IP) }

// NAT gateway layouts.
const (
	// NATSingle is one NAT gateway: cheaper, and one AZ is a single point of failure for every
	// node's egress.
	NATSingle = "single"
	// NATPerAZ is a NAT gateway in each AZ, each private subnet routed through its own.
	NATPerAZ = "perAz"
)

// NATIndex is the NAT gateway private subnet i routes through.
func NATIndex(layout string, i int) int {
	if layout == NATSingle {
		return 0
	}
	return i
}

// SubnetTags are the tags the AWS Load Balancer Controller and EKS use to discover subnets:
// public subnets get internet-facing load balancers, private ones internal ones.
func SubnetTags(name, clusterName string, public bool) map[string]string {
	tags := map[string]string{
		"Name":                                 name,
		"kubernetes.io/cluster/" + clusterName: "shared",
	}
	if public {
		tags["kubernetes.io/role/elb"] = "1"
	} else {
		tags["kubernetes.io/role/internal-elb"] = "1"
	}
	return tags
}

// FlowLogsPolicy lets the flow-logs service write to one log group and nothing else.
func FlowLogsPolicy(groupArn string) iampolicy.Document {
	return iampolicy.New(iampolicy.Allow(
		[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"},
		groupArn, groupArn+":*",
	))
}

// Endpoints are the interface VPC endpoints a stack may have (platform:network.endpoints), by
// the name AWS gives the service (com.amazonaws.<region>.<name>), with what each serves. S3
// needs none: its gateway endpoint is always on the private route tables, free.
var Endpoints = map[string]string{
	"sts":            "STS (web identity, assumed roles)",
	"ecr.api":        "ECR's API (image metadata, authorization tokens)",
	"ecr.dkr":        "ECR's registry (image pulls by name)",
	"logs":           "CloudWatch Logs",
	"monitoring":     "CloudWatch metrics",
	"ssm":            "SSM Parameter Store",
	"secretsmanager": "Secrets Manager",
	"kms":            "KMS",
}

// EndpointService is an endpoint's service name in region.
func EndpointService(region, endpoint string) string {
	return "com.amazonaws." + region + "." + endpoint
}
