// Package accessplan plans private access through Session Manager: the Session documents that
// forward a local port to one fixed host, the roles people start sessions with, and the access
// instance's network rules. Pure: the access component builds what it returns.
package accessplan

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// AMIParameter is the SSM public parameter of the latest Amazon Linux 2023 arm64 AMI. The
// instance's launch template names it ("resolve:ssm:"): EC2 resolves it when it launches the
// instance, so no plan reads it and a newly published AMI changes nothing until the instance
// is replaced (README "Private access": replace it to update).
const AMIParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

// ManagedInstancePolicy is the one managed policy the instance's role carries: the SSM agent's
// registration and session channel (ssm, ssmmessages, ec2messages), nothing else.
const ManagedInstancePolicy = "AmazonSSMManagedInstanceCore"

// Ports the instance opens connections to: HTTPS (Session Manager's endpoints, the cluster's
// API endpoint) and PostgreSQL (the team databases).
const (
	HTTPSPort    = 443
	PostgresPort = 5432
)

// RootVolumeGiB is the instance's root volume: Amazon Linux 2023's AMI snapshot is 2 GiB, and
// 8 is the smallest its launch accepts comfortably with the agent's logs.
const RootVolumeGiB = 8

// MaxSessionSeconds is how long an assumed access role lasts (IAM's minimum is 3600).
const MaxSessionSeconds = 3600

// Arch is the CPU architecture of the AMI: every instance type must match it.
const Arch = "arm64"

// CheckInstanceType refuses an instance type the arm64 AMI cannot boot.
func CheckInstanceType(t string) error {
	if clusterplan.Arch(t) != Arch {
		return fmt.Errorf("%q is not a Graviton (arm64) instance type, and the access instance runs Amazon Linux 2023 for arm64; use e.g. t4g.nano", t)
	}
	return nil
}

// portPattern accepts 0 (any free port, the plugin picks one) to 65535.
const portPattern = `^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$`

// PortForwardDocument is the content of a Session document (documentType Session) that forwards
// a local port to host:port, as AWS-StartPortForwardingSessionToRemoteHost does, except that
// host and port are the document's own properties, not parameters: the only parameter a
// session may pass is the local port, so whoever may use the document reaches that one host.
func PortForwardDocument(description, host string, port int) string {
	doc := map[string]any{
		"schemaVersion": "1.0",
		"description":   description,
		"sessionType":   "Port",
		"parameters": map[string]any{
			"localPortNumber": map[string]any{
				"type":           "String",
				"description":    "The port on the client the session listens on (0: any free port).",
				"allowedPattern": portPattern,
				"default":        "0",
			},
		},
		"properties": map[string]any{
			"type":            "LocalPortForwarding",
			"host":            host,
			"portNumber":      fmt.Sprint(port),
			"localPortNumber": "{{ localPortNumber }}",
		},
	}
	b, _ := json.Marshal(doc) // maps of strings: cannot fail
	return string(b)
}

// EndpointHost is the host of the cluster's API endpoint URL (https://<id>.<x>.<region>.eks.amazonaws.com).
func EndpointHost(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return "", fmt.Errorf("the cluster's endpoint %q is not an https URL", endpoint)
	}
	return u.Hostname(), nil
}

// InstanceTrust lets EC2 hand the instance its role (the instance profile).
func InstanceTrust() iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{Effect: "Allow", Principal: map[string][]string{"Service": {"ec2.amazonaws.com"}},
		Action: []string{"sts:AssumeRole"}})
}

// MembersTrust lets exactly these roles assume an access role, keeping their source identity
// (CloudTrail names the person) and passing session tags other than the team tag, so that no
// session makes itself another team's.
func MembersTrust(roleArns []string) iampolicy.Document {
	principal := map[string][]string{"AWS": slices.Compact(slices.Sorted(slices.Values(roleArns)))}
	return iampolicy.New(iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:AssumeRole", "sts:SetSourceIdentity"},
	}, iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:TagSession"},
		Condition: map[string]map[string][]string{"ForAllValues:StringNotEquals": {"aws:TagKeys": {contract.TeamTag}}},
	})
}

// SessionPolicy starts sessions on the access instance with the given documents only, and ends
// or resumes the caller's own sessions.
//   - ssm:StartSession is authorized on the instance and on the document; with
//     ssm:SessionDocumentAccessCheck, Session Manager also checks the document when the request
//     names none (the default, SSM-SessionManagerRunShell, a shell on the instance), which
//     these documents do not include.
//   - A session's resource tag aws:ssmmessages:session-id is the starter's aws:userid: a
//     member may end its own sessions, not another member's.
func SessionPolicy(a contract.Account, instanceID string, documents []string) iampolicy.Document {
	resources := []string{a.InstanceArn(instanceID)}
	for _, d := range slices.Sorted(slices.Values(documents)) {
		resources = append(resources, a.DocumentArn(d))
	}
	start := iampolicy.Allow([]string{"ssm:StartSession"}, resources...)
	start.Sid = "StartSessionsWithTheseDocumentsOnly"
	start.Condition = map[string]map[string][]string{"BoolIfExists": {"ssm:SessionDocumentAccessCheck": {"true"}}}
	own := iampolicy.Allow([]string{"ssm:TerminateSession", "ssm:ResumeSession"}, SessionsArn(a))
	own.Sid = "ItsOwnSessionsOnly"
	own.Condition = map[string]map[string][]string{"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": {"${aws:userid}"}}}
	return iampolicy.New(start, own)
}

// SessionsArn covers every Session Manager session of the stack's account and region.
func SessionsArn(a contract.Account) string {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:session/*", a.Partition, a.Region, a.ID)
}

// Rule is one egress rule of the instance's security group.
type Rule struct {
	Port        int
	CIDRs       []string
	Description string
}

// Egress is everything the instance may open: HTTPS anywhere (Session Manager's endpoints are
// public unless the VPC has ssm, ssmmessages and ec2messages endpoints; the cluster's API
// endpoint; the AMI's package repositories) and PostgreSQL to the teams' database subnets
// only. DNS and the instance metadata service are not filtered by security groups.
func Egress(databaseCIDRs map[string][]string) []Rule {
	out := []Rule{{Port: HTTPSPort, CIDRs: []string{"0.0.0.0/0"}, Description: "HTTPS: Session Manager, the cluster's API endpoint"}}
	var cidrs []string
	for _, team := range slices.Sorted(maps.Keys(databaseCIDRs)) {
		cidrs = append(cidrs, databaseCIDRs[team]...)
	}
	if len(cidrs) > 0 {
		out = append(out, Rule{Port: PostgresPort, CIDRs: cidrs, Description: "PostgreSQL: the teams' database subnets"})
	}
	return out
}

// CheckDocumentName refuses a document name SSM would: 3-128 of [A-Za-z0-9_.-], not starting
// with aws, amazon or amzn (AWS's own documents).
func CheckDocumentName(name string) error {
	lower := strings.ToLower(name)
	switch {
	case len(name) < 3 || len(name) > 128:
		return fmt.Errorf("document name %q is %d characters; SSM allows 3 to 128", name, len(name))
	case strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "amazon") || strings.HasPrefix(lower, "amzn"):
		return fmt.Errorf("document name %q starts with a prefix SSM reserves for AWS's documents (aws, amazon, amzn)", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return fmt.Errorf("document name %q has %q; SSM allows letters, digits, '_', '-' and '.'", name, r)
		}
	}
	return nil
}
