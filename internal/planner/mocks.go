package planner

import (
	"encoding/json"
	"fmt"
	"github.com/example/platform/internal/contract"
	"hash/fnv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MockAccountID is the AWS account the offline plan pretends to deploy to (the documentation
// account of the AWS docs).
const MockAccountID = "123456789012"

// mocks answers the program's registrations and invokes with outputs shaped like the real
// providers' (IDs with their AWS prefixes, ARNs, ACM validation options, the pulumi-eks
// cluster's kubeconfig and OIDC outputs), deterministically: the same program and config give
// the same plan.
type mocks struct {
	*recorder
	region, partition string
	// previous are the outputs a stack reference reads (Input.Previous).
	previous map[string]any
}

func newMocks(project, stack, region string) *mocks {
	if region == "" {
		region = "eu-north-1"
	}
	return &mocks{recorder: &recorder{project: project, stack: stack}, region: region, partition: Partition(region)}
}

// Partition is the AWS partition of a region, as the caller identity's ARN names it.
func Partition(region string) string { return contract.PartitionOfRegion(region) }

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	state := args.Inputs.Copy()
	id := ""
	if args.Custom {
		id = m.physicalID(args.TypeToken, args.Name)
	}
	outputs, err := m.outputs(args, id)
	if err != nil {
		return "", nil, err
	}
	for k, v := range outputs {
		if _, set := state[resource.PropertyKey(k)]; !set || k == "arn" || k == "certificateArn" {
			state[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	if args.TypeToken == "pulumi:pulumi:StackReference" {
		// The engine answers a stack reference with the stack's outputs; the only stack the
		// program reads is its own last deployment.
		state["outputs"] = resource.NewPropertyValue(map[string]any{})
		if m.previous != nil {
			state["outputs"] = resource.NewPropertyValue(m.previous)
		}
	}
	if args.TypeToken == "tls:index/privateKey:PrivateKey" {
		state["publicKeyOpenssh"] = resource.NewPropertyValue("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockMockMockMockMockMockMockMockMockMock " + args.Name)
		// The provider returns the private half in three encodings, each a secret.
		state["privateKeyOpenssh"] = resource.MakeSecret(resource.NewPropertyValue("-----BEGIN OPENSSH PRIVATE KEY-----\nmock-" + args.Name + "\n-----END OPENSSH PRIVATE KEY-----\n"))
		state["privateKeyPem"] = resource.MakeSecret(resource.NewPropertyValue("-----BEGIN PRIVATE KEY-----\nmock-" + args.Name + "\n-----END PRIVATE KEY-----\n"))
		state["privateKeyPemPkcs8"] = resource.MakeSecret(resource.NewPropertyValue("-----BEGIN PRIVATE KEY-----\nmock-pkcs8-" + args.Name + "\n-----END PRIVATE KEY-----\n"))
		state["publicKeyPem"] = resource.NewPropertyValue("-----BEGIN PUBLIC KEY-----\nmock-" + args.Name + "\n-----END PUBLIC KEY-----\n")
	}
	if args.TypeToken == "random:index/randomId:RandomId" {
		// A new id for new keepers, as the provider draws one on every replacement.
		h := fnv.New32a()
		h.Write([]byte(args.Name))
		if keepers := args.Inputs["keepers"]; keepers.IsObject() {
			for _, k := range keepers.ObjectValue().StableKeys() {
				h.Write([]byte("/" + string(k) + "=" + keepers.ObjectValue()[k].String()))
			}
		}
		state["hex"] = resource.NewPropertyValue(fmt.Sprintf("%08x", h.Sum32()))
	}
	if args.TypeToken == "random:index/randomPassword:RandomPassword" {
		// The provider returns the password as a secret; so does the mock, so that tests see
		// whether the program keeps it one.
		state["result"] = resource.MakeSecret(resource.NewPropertyValue("mock-password-" + args.Name))
	}
	m.record(args, id, state)
	return id, state, nil
}

// physicalID is a stable fake id with the prefix AWS uses for the type.
func (m *mocks) physicalID(typ, name string) string {
	h := fnv.New64a()
	h.Write([]byte(typ + "/" + name))
	hex := fmt.Sprintf("%017x", h.Sum64())
	prefixes := map[string]string{
		"aws:ec2/vpc:Vpc":                                   "vpc-",
		"aws:ec2/subnet:Subnet":                             "subnet-",
		"aws:ec2/internetGateway:InternetGateway":           "igw-",
		"aws:ec2/natGateway:NatGateway":                     "nat-",
		"aws:ec2/eip:Eip":                                   "eipalloc-",
		"aws:ec2/routeTable:RouteTable":                     "rtb-",
		"aws:ec2/launchTemplate:LaunchTemplate":             "lt-",
		"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
		"aws:ec2/flowLog:FlowLog":                           "fl-",
		"aws:route53/zone:Zone":                             "Z",
	}
	if p, ok := prefixes[typ]; ok {
		if p == "Z" {
			return "Z" + strings.ToUpper(hex[:17])
		}
		return p + hex
	}
	return name + "-id"
}

func (m *mocks) arn(service, resourcePart string) string {
	region := m.region
	if service == "iam" || service == "route53" {
		region = ""
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", m.partition, service, region, MockAccountID, resourcePart)
}

// outputs are the provider-computed outputs of the types the program reads.
func (m *mocks) outputs(args pulumi.MockResourceArgs, id string) (map[string]any, error) {
	in := args.Inputs
	str := func(k string) string {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch args.TypeToken {
	case "aws:ec2/vpc:Vpc":
		return map[string]any{"arn": m.arn("ec2", "vpc/"+id)}, nil
	case "aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile":
		// Autonamed (AWS's provider names them when config does not); the ARN holds the path
		// (/<cluster>/teams/ for the teams' roles). An instance names its profile by "name".
		path := str("path")
		if path == "" {
			path = "/"
		}
		kind := "role"
		if args.TypeToken == "aws:iam/instanceProfile:InstanceProfile" {
			kind = "instance-profile"
		}
		return map[string]any{"name": args.Name, "arn": m.arn("iam", kind+path+args.Name)}, nil
	case "aws:backup/vault:Vault":
		return map[string]any{"arn": m.arn("backup", "backup-vault:"+str("name"))}, nil
	case "aws:ecr/repository:Repository":
		return map[string]any{"arn": m.arn("ecr", "repository/"+str("name")), "registryId": MockAccountID,
			"repositoryUrl": MockAccountID + ".dkr.ecr." + m.region + ".amazonaws.com/" + str("name")}, nil
	case "aws:iam/policy:Policy":
		name := str("name")
		if name == "" {
			name = args.Name
		}
		return map[string]any{"name": name, "arn": m.arn("iam", "policy/"+name)}, nil
	case "aws:cloudwatch/logGroup:LogGroup":
		name := str("name")
		if name == "" {
			name = str("namePrefix") + "0123abcd"
		}
		return map[string]any{"name": name, "arn": m.arn("logs", "log-group:"+name)}, nil
	case "aws:kms/key:Key":
		return map[string]any{"keyId": id, "arn": m.arn("kms", "key/"+id)}, nil
	case "aws:route53/zone:Zone":
		return map[string]any{
			"zoneId": id,
			"arn":    "arn:" + m.partition + ":route53:::hostedzone/" + id,
			"nameServers": []any{"ns-101.awsdns-12.com", "ns-1207.awsdns-22.org",
				"ns-1833.awsdns-37.co.uk", "ns-631.awsdns-14.net"},
		}, nil
	case "aws:route53/record:Record":
		return map[string]any{"fqdn": strings.TrimSuffix(str("name"), ".")}, nil
	case "aws:acm/certificateValidation:CertificateValidation":
		// AWS returns the certificate's own ARN. The stand-in differs from the certificate's,
		// so a test can tell a value that waited for validation from one that did not.
		return map[string]any{"certificateArn": str("certificateArn") + "-validated"}, nil
	case "aws:acm/certificate:Certificate":
		return map[string]any{"arn": m.arn("acm", "certificate/"+id), "domainValidationOptions": validationOptions(in)}, nil
	case "aws:ec2/launchTemplate:LaunchTemplate":
		return map[string]any{"latestVersion": 1, "arn": m.arn("ec2", "launch-template/"+id)}, nil
	case "aws:eks/nodeGroup:NodeGroup":
		return map[string]any{"arn": m.arn("eks", "nodegroup/"+args.Name)}, nil
	case "eks:index:Cluster":
		return m.eksCluster(str("name"))
	case "aws:s3/bucketV2:BucketV2":
		name := str("bucket")
		if name == "" {
			name = str("bucketPrefix") + "20261123000000000000000001"
		}
		return map[string]any{"bucket": name, "arn": "arn:" + m.partition + ":s3:::" + name}, nil
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		return map[string]any{"arn": m.arn("iam", "oidc-provider/"+strings.TrimPrefix(str("url"), "https://"))}, nil
	case "aws:ssm/parameter:Parameter":
		return map[string]any{"arn": m.arn("ssm", "parameter"+str("name"))}, nil
	case "aws:rds/instance:Instance":
		// RDS names the managed master secret rds!db-<uuid> and the instance's IAM resource
		// db-<id>: neither is derived from an input, and the stand-ins are not either.
		address := str("identifier") + ".c0ffee123456." + m.region + ".rds.amazonaws.com"
		return map[string]any{
			"address": address, "endpoint": address + ":5432", "port": 5432,
			"arn": m.arn("rds", "db:"+str("identifier")), "resourceId": "db-" + strings.ToUpper(id),
			"masterUserSecrets": []any{map[string]any{
				"secretArn":    m.arn("secretsmanager", "secret:rds!db-"+id+"-AbCdEf"),
				"secretStatus": "active", "kmsKeyId": str("masterUserSecretKmsKeyId"),
			}},
		}, nil
	case "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup":
		name := str("name")
		if name == "" {
			name = args.Name + "-0123abcd"
		}
		return map[string]any{"name": name, "arn": m.arn("rds", "subgrp:"+name)}, nil
	case "aws:sns/topic:Topic":
		name := str("name")
		if name == "" {
			name = args.Name + "-0123abcd"
		}
		return map[string]any{"name": name, "arn": m.arn("sns", name)}, nil
	case "aws:eks/addon:Addon", "aws:eks/podIdentityAssociation:PodIdentityAssociation":
		return map[string]any{"arn": m.arn("eks", args.TypeToken[strings.LastIndex(args.TypeToken, ":")+1:]+"/"+args.Name)}, nil
	}
	return map[string]any{}, nil
}

// validationOptions mirror ACM: one option per name, "*.x" sharing the record of "x".
func validationOptions(in resource.PropertyMap) []any {
	names := []string{}
	if v, ok := in["domainName"]; ok && v.IsString() {
		names = append(names, v.StringValue())
	}
	if v, ok := in["subjectAlternativeNames"]; ok && v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsString() {
				names = append(names, e.StringValue())
			}
		}
	}
	var out []any
	for _, n := range names {
		base := strings.TrimPrefix(n, "*.")
		out = append(out, map[string]any{
			"domainName":          n,
			"resourceRecordName":  "_3f1a2b." + base + ".",
			"resourceRecordType":  "CNAME",
			"resourceRecordValue": "_9c8d7e.mhbtsbpdnt.acm-validations.aws.",
		})
	}
	return out
}

// eksCluster stands in for the remote pulumi-eks component, whose children do not register
// under mocks: the outputs the program reads, shaped as pulumi-eks returns them.
func (m *mocks) eksCluster(name string) (map[string]any, error) {
	endpoint := fmt.Sprintf("https://0123456789ABCDEF0123456789ABCDEF.gr7.%s.eks.amazonaws.com", m.region)
	issuer := fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF", m.region)
	kubeconfig := map[string]any{
		"apiVersion": "v1", "kind": "Config", "current-context": "aws",
		"clusters": []any{map[string]any{"name": "kubernetes", "cluster": map[string]any{
			"server": endpoint, "certificate-authority-data": "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t"}}},
		"contexts": []any{map[string]any{"name": "aws", "context": map[string]any{"cluster": "kubernetes", "user": "aws"}}},
		"users": []any{map[string]any{"name": "aws", "user": map[string]any{"exec": map[string]any{
			"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
			"args": []any{"eks", "get-token", "--cluster-name", name, "--output", "json"}}}}},
	}
	kubeconfigJSON, err := json.Marshal(kubeconfig)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"kubeconfig":             kubeconfig,
		"kubeconfigJson":         string(kubeconfigJSON),
		"clusterSecurityGroupId": "sg-0eksclustersg0000",
		"oidcIssuer":             issuer,
		"oidcProviderUrl":        "https://" + issuer,
		"oidcProviderArn":        m.arn("iam", "oidc-provider/"+issuer),
		"core": map[string]any{
			"endpoint": endpoint,
			"vpcId":    "",
		},
	}, nil
}

// Call answers the invokes the program makes. An invoke without an answer here fails the plan
// loudly rather than returning an empty result a component would misread.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": MockAccountID,
			"arn":       "arn:" + m.partition + ":iam::" + MockAccountID + ":user/offline-plan",
			"userId":    "AIDAOFFLINEPLAN",
			"id":        MockAccountID,
		}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{m.region + "a", m.region + "b", m.region + "c"}
		return resource.NewPropertyMapFromMap(map[string]any{"names": names, "id": m.region}), nil
	case "aws:eks/getAddonVersion:getAddonVersion":
		// A stand-in naming what it stands for: the default version of the addon for the
		// cluster's Kubernetes version (AWS answers e.g. v1.3.10-eksbuild.2).
		str := func(k string) string { v := args.Args[resource.PropertyKey(k)]; return fmt.Sprint(v.V) }
		version := "v0.0.0-mock-default-for-kubernetes-" + str("kubernetesVersion")
		return resource.NewPropertyMapFromMap(map[string]any{
			"addonName": str("addonName"), "kubernetesVersion": str("kubernetesVersion"), "version": version, "id": str("addonName"),
		}), nil
	case "aws:ec2/getPrefixList:getPrefixList":
		// Stand-ins for a service's prefix list (S3's: a few public ranges of the region).
		name := ""
		if v, ok := args.Args["name"]; ok && v.IsString() {
			name = v.StringValue()
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": "pl-0mock" + fmt.Sprintf("%x", fnv32(name)), "name": name,
			"cidrBlocks": []any{"3.5.216.0/22", "52.95.168.0/23", "52.218.0.0/17"},
		}), nil
	case "github:index/getRepository:getRepository":
		full := ""
		if v, ok := args.Args["fullName"]; ok && v.IsString() {
			full = v.StringValue()
		}
		h := fnv.New32a()
		h.Write([]byte(full))
		name := full[strings.LastIndex(full, "/")+1:]
		return resource.NewPropertyMapFromMap(map[string]any{"id": name, "fullName": full, "name": name, "repoId": int(h.Sum32() % 1000000000)}), nil
	case "github:index/getTeam:getTeam":
		slug := ""
		if v, ok := args.Args["slug"]; ok && v.IsString() {
			slug = v.StringValue()
		}
		h := fnv.New32a()
		h.Write([]byte(slug))
		return resource.NewPropertyMapFromMap(map[string]any{"id": fmt.Sprint(h.Sum32() % 10000000), "slug": slug, "name": slug}), nil
	}
	return nil, fmt.Errorf("the offline plan has no mock for invoke %s; add one to internal/planner/mocks.go", args.Token)
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
