package recorder

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Failure is one input the real provider would refuse.
type Failure struct{ Property, Reason string }

// required are inputs the real providers' schemas require, for the types the program uses.
var required = map[string][]string{
	"aws:ec2/subnet:Subnet":                                 {"vpcId"},
	"aws:ec2/routeTable:RouteTable":                         {"vpcId"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation":   {"routeTableId"},
	"aws:ec2/natGateway:NatGateway":                         {"subnetId"},
	"aws:iam/role:Role":                                     {"assumeRolePolicy"},
	"aws:iam/rolePolicy:RolePolicy":                         {"role", "policy"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":     {"role", "policyArn"},
	"aws:iam/policy:Policy":                                 {"policy"},
	"aws:eks/nodeGroup:NodeGroup":                           {"clusterName", "nodeRoleArn", "subnetIds", "scalingConfig"},
	"aws:eks/addon:Addon":                                   {"clusterName", "addonName"},
	"aws:eks/podIdentityAssociation:PodIdentityAssociation": {"clusterName", "namespace", "serviceAccount", "roleArn"},
	"aws:eks/accessEntry:AccessEntry":                       {"clusterName", "principalArn"},
	"aws:route53/record:Record":                             {"name", "type", "zoneId"},
	"aws:route53/zone:Zone":                                 {"name"},
	"aws:acm/certificate:Certificate":                       {"domainName"},
	"aws:acm/certificateValidation:CertificateValidation":   {"certificateArn"},
	"aws:ssm/parameter:Parameter":                           {"name", "type", "value"},
	"kubernetes:helm.sh/v3:Release":                         {"chart"},
	"github:index/repositoryDeployKey:RepositoryDeployKey":  {"key", "repository", "title"},
	"random:index/randomPassword:RandomPassword":            {"length"},
	"tls:index/privateKey:PrivateKey":                       {"algorithm"},
}

// enums are inputs with a closed set of values in the real providers' schemas.
var enums = map[string]map[string][]string{
	"aws:eks/nodeGroup:NodeGroup":     {"capacityType": {"ON_DEMAND", "SPOT", "CAPACITY_BLOCK"}},
	"aws:route53/record:Record":       {"type": {"A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT"}},
	"aws:ssm/parameter:Parameter":     {"type": {"String", "StringList", "SecureString"}, "tier": {"Standard", "Advanced", "Intelligent-Tiering"}},
	"aws:eks/accessEntry:AccessEntry": {"type": {"STANDARD", "FARGATE_LINUX", "EC2_LINUX", "EC2_WINDOWS"}},
	"aws:acm/certificate:Certificate": {"validationMethod": {"DNS", "EMAIL", "NONE"}},
	"tls:index/privateKey:PrivateKey": {"algorithm": {"RSA", "ECDSA", "ED25519"}},
}

// checkInputs is the cheap part of the real provider's Check: required inputs present, enum
// values known. An unknown value (not yet computed) is not judged.
func checkInputs(typ string, news resource.PropertyMap) []Failure {
	var out []Failure
	for _, k := range required[typ] {
		v, ok := news[resource.PropertyKey(k)]
		if !ok || v.IsNull() {
			out = append(out, Failure{k, fmt.Sprintf("missing required property '%s'", k)})
		}
	}
	for k, allowed := range enums[typ] {
		v, ok := news[resource.PropertyKey(k)]
		if ok && v.IsSecret() {
			v = v.SecretValue().Element
		}
		if ok && v.IsString() && !slices.Contains(allowed, v.StringValue()) {
			out = append(out, Failure{k, fmt.Sprintf("expected %s to be one of %v, got %q", k, allowed, v.StringValue())})
		}
	}
	return out
}
