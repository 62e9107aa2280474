package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/internal/planner"
)

const (
	typeSubnet     = "aws:ec2/subnet:Subnet"
	typeNAT        = "aws:ec2/natGateway:NatGateway"
	typeRouteTable = "aws:ec2/routeTable:RouteTable"
	typeRecord     = "aws:route53/record:Record"
	typeZone       = "aws:route53/zone:Zone"
	typeEKS        = "eks:index:Cluster"
	typeNodeGroup  = "aws:eks/nodeGroup:NodeGroup"
	typeLT         = "aws:ec2/launchTemplate:LaunchTemplate"
	typeKey        = "aws:kms/key:Key"
)

// Every resource belongs to one of our components, and components sit at the top: nothing is
// created loose in the stack.
func TestEveryChildIsParentedToItsComponent(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		components := map[string]string{}
		for _, r := range p.Resources {
			if strings.HasPrefix(r.Type, "platform:index:") {
				components[r.URN] = r.Name
				if !strings.HasSuffix(r.Parent, "::platform-"+stack) {
					t.Errorf("%s: component %s has parent %s, want the stack", stack, r.Name, r.Parent)
				}
			}
		}
		for _, r := range p.Resources {
			if strings.HasPrefix(r.Type, "platform:index:") {
				continue
			}
			// The one read outside a component: the removal guard reads the last deployment
			// before any component exists (stacks/retire.go), at the stack's top level (the mocks
			// record a read without its implicit parent, the stack).
			if r.Type == "pulumi:pulumi:StackReference" && r.Name == "last-deployment" && (r.Parent == "" || strings.HasSuffix(r.Parent, "::platform-"+stack)) {
				continue
			}
			comp, ok := components[r.Parent]
			if !ok {
				t.Errorf("%s: %s (%s) is not parented to a component (parent %q)", stack, r.Name, r.Type, r.Parent)
				continue
			}
			if !strings.HasPrefix(r.Name, comp+"-") {
				t.Errorf("%s: %s is not named after its component %s", stack, r.Name, comp)
			}
		}
	}
}

func TestNATGateways(t *testing.T) {
	// dev egresses through a NAT instance instead (TestDevNATInstance).
	for stack, wantNATs := range map[string]int{"prod": 3} {
		t.Run(stack, func(t *testing.T) {
			p := stackPlan(t, stack)
			nats := p.ofType(typeNAT)
			if len(nats) != wantNATs {
				t.Fatalf("%d NAT gateways, want %d", len(nats), wantNATs)
			}
			for i := 0; ; i++ {
				priv, ok := findNamed(p, typeSubnet, fmt.Sprintf("network-private-%d", i))
				if !ok {
					if i < 2 {
						t.Fatalf("only %d private subnets", i)
					}
					break
				}
				rt := p.named(t, typeRouteTable, fmt.Sprintf("network-private-%d-rt", i))
				nat, ok := p.byID(typeNAT, getString(rt, "routes.0.natGatewayId"))
				if !ok || getString(rt, "routes.0.cidrBlock") != "0.0.0.0/0" {
					t.Fatalf("private route table %d: default route %v does not go to a NAT gateway", i, get(rt, "routes"))
				}
				natSubnet, _ := p.byID(typeSubnet, getString(nat, "subnetId"))
				if !strings.Contains(natSubnet.Name, "public") {
					t.Errorf("NAT %s is in %s, want a public subnet", nat.Name, natSubnet.Name)
				}
				sameAZ := getString(natSubnet, "availabilityZone") == getString(priv, "availabilityZone")
				if stack == "prod" && !sameAZ {
					t.Errorf("prod: private subnet %d (%s) routes through NAT %s in %s; want its own AZ",
						i, getString(priv, "availabilityZone"), nat.Name, getString(natSubnet, "availabilityZone"))
				}
			}
		})
	}
}

func findNamed(p *plan, typ, name string) (planner.Resource, bool) {
	for _, r := range p.ofType(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return planner.Resource{}, false
}

func TestSubnetsAndTags(t *testing.T) {
	p := stackPlan(t, "prod")
	azs := map[string]bool{}
	for _, s := range p.ofType(typeSubnet) {
		public := strings.Contains(s.Name, "public")
		tags := get(s, "tags").(map[string]any)
		if tags["kubernetes.io/cluster/platform-prod"] != "shared" {
			t.Errorf("%s: no cluster discovery tag: %v", s.Name, tags)
		}
		if public && (tags["kubernetes.io/role/elb"] != "1" || get(s, "mapPublicIpOnLaunch") != false) {
			t.Errorf("%s: public subnet tags/mapPublicIpOnLaunch wrong: %v", s.Name, s.Inputs)
		}
		if !public && tags["kubernetes.io/role/internal-elb"] != "1" {
			t.Errorf("%s: private subnet without internal-elb tag: %v", s.Name, tags)
		}
		azs[getString(s, "availabilityZone")] = true
	}
	if len(azs) != 3 {
		t.Errorf("prod subnets span %d AZs, want 3", len(azs))
	}
	if got := getString(p.named(t, "aws:ec2/subnet:Subnet", "network-private-0"), "cidrBlock"); got != "10.20.0.0/19" {
		t.Errorf("prod private-0 = %s, want 10.20.0.0/19 (from the CIDR plan)", got)
	}
}

func TestFlowLogsAndDefaultSecurityGroup(t *testing.T) {
	for stack, retention := range map[string]float64{"dev": 14, "prod": 365} {
		p := stackPlan(t, stack)
		fl := p.named(t, "aws:ec2/flowLog:FlowLog", "network-flow-log")
		if get(fl, "trafficType") != "ALL" || get(fl, "logDestinationType") != "cloud-watch-logs" {
			t.Errorf("%s: flow log = %v", stack, fl.Inputs)
		}
		group := p.named(t, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
		if get(group, "retentionInDays") != retention {
			t.Errorf("%s: flow log retention = %v, want %v", stack, get(group, "retentionInDays"), retention)
		}
		sg := p.named(t, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg")
		if get(sg, "ingress") != nil || get(sg, "egress") != nil {
			t.Errorf("%s: default security group keeps rules: %v", stack, sg.Inputs)
		}
	}
}

func TestDNS(t *testing.T) {
	for stack, prod := range map[string]bool{"dev": false, "prod": true} {
		p := stackPlan(t, stack)
		zone := p.named(t, typeZone, "dns-zone")
		if get(zone, "forceDestroy") != !prod || zone.Protect != prod {
			t.Errorf("%s: zone forceDestroy=%v protect=%v", stack, get(zone, "forceDestroy"), zone.Protect)
		}
		rec := p.named(t, typeRecord, "dns-delegation")
		if getString(rec, "type") != "NS" || getString(rec, "zoneId") != "Z0123456789EXAMPLEORG" ||
			getString(rec, "name") != stack+".example.org" {
			t.Errorf("%s: delegation record = %v", stack, rec.Inputs)
		}
		if !contains(rec.PropertyDependencies["records"], zone.URN) || len(getStrings(rec, "records")) != 4 {
			t.Errorf("%s: delegation records do not come from the zone's name servers: %v", stack, rec.Inputs)
		}
	}
}

// The certificate is only handed out once validated, and validation waits for every record.
func TestCertificateValidationOrdering(t *testing.T) {
	p := stackPlan(t, "prod")
	cert := p.named(t, "aws:acm/certificate:Certificate", "certificates-cert")
	if !equalStrings(getStrings(cert, "subjectAlternativeNames"), []string{"*.prod.example.org", "*.apps.prod.example.org"}) ||
		get(cert, "validationMethod") != "DNS" {
		t.Errorf("certificate = %v", cert.Inputs)
	}
	validation := p.named(t, "aws:acm/certificateValidation:CertificateValidation", "certificates-validation")
	zone := p.named(t, typeZone, "dns-zone")
	var records []string
	for _, r := range p.ofType(typeRecord) {
		if strings.HasPrefix(r.Name, "certificates-validation-") {
			records = append(records, r.URN)
			if !contains(r.Dependencies, cert.URN) || !contains(r.PropertyDependencies["zoneId"], zone.URN) {
				t.Errorf("%s does not take its values from the certificate and zone: %v", r.Name, r.Dependencies)
			}
			if getString(r, "type") != "CNAME" || !strings.HasSuffix(getString(r, "name"), ".prod.example.org.") {
				t.Errorf("%s = %v", r.Name, r.Inputs)
			}
		}
	}
	if len(records) != 2 {
		t.Fatalf("%d validation records, want 2", len(records))
	}
	if !equalStrings(validation.PropertyDependencies["validationRecordFqdns"], records) {
		t.Errorf("validation waits for %v, want every record %v", validation.PropertyDependencies["validationRecordFqdns"], records)
	}
	// The mocks give the validation's certificateArn a value distinct from the certificate's
	// own ARN, so what follows tells a value that waited for validation from one that did not.
	validated, _ := validation.Outputs["certificateArn"].(string)
	if certArn, _ := cert.Outputs["arn"].(string); validated == "" || certArn == "" || validated == certArn {
		t.Fatalf("mocks: validation's certificateArn %q, certificate's %q: want two distinct values", validated, certArn)
	}
	if got := p.Outputs["certificateArn"].Value; got != validated {
		t.Errorf("certificateArn output = %v, want the validation's %s", got, validated)
	}
}

// An ALB listener is only given the certificate once it is validated (an unvalidated one
// fails the listener): every certificate-arn annotation holds the validation's value and its
// resource depends on the validation.
func TestALBCertificateWaitsForValidation(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		validation := p.named(t, "aws:acm/certificateValidation:CertificateValidation", "certificates-validation")
		validated := validation.Outputs["certificateArn"]
		users := 0
		for _, r := range p.Resources {
			for prop, v := range r.Inputs {
				for _, arn := range annotationValues(v, "alb.ingress.kubernetes.io/certificate-arn") {
					users++
					if arn != validated {
						t.Errorf("%s: %s.%s certificate-arn = %v, want the validation's %v", stack, r.Name, prop, arn, validated)
					}
					if !contains(r.PropertyDependencies[prop], validation.URN) {
						t.Errorf("%s: %s.%s does not depend on the validation: %v", stack, r.Name, prop, r.PropertyDependencies[prop])
					}
				}
			}
		}
		// Grafana and Argo CD.
		if users < 2 {
			t.Errorf("%s: %d certificate-arn annotations, want Grafana's and Argo CD's", stack, users)
		}
	}
}

// annotationValues finds every value of key at any depth of v.
func annotationValues(v any, key string) []any {
	var out []any
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if k == key {
				out = append(out, e)
			} else {
				out = append(out, annotationValues(e, key)...)
			}
		}
	case []any:
		for _, e := range v {
			out = append(out, annotationValues(e, key)...)
		}
	}
	return out
}

func TestClusterInputs(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			p := stackPlan(t, stack)
			eks := p.named(t, typeEKS, "cluster-eks")
			key := p.named(t, typeKey, "cluster-secrets-key")
			if !eks.Remote || eks.Custom {
				t.Errorf("eks.Cluster should be a remote component")
			}
			checks := map[string]any{
				"name":                         "platform-" + stack,
				"version":                      "1.35",
				"authenticationMode":           "API",
				"endpointPrivateAccess":        true,
				"endpointPublicAccess":         true,
				"createOidcProvider":           true,
				"skipDefaultNodeGroup":         true,
				"nodeAssociatePublicIpAddress": false,
			}
			for k, want := range checks {
				if got := get(eks, k); got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if !equalStrings(getStrings(eks, "enabledClusterLogTypes"), clusterplan.LogTypes) || len(clusterplan.LogTypes) != 5 {
				t.Errorf("log types = %v", get(eks, "enabledClusterLogTypes"))
			}
			if !contains(eks.PropertyDependencies["encryptionConfigKeyArn"], key.URN) || get(key, "enableKeyRotation") != true {
				t.Errorf("secrets not encrypted with the rotating key: %v / %v", eks.PropertyDependencies, key.Inputs)
			}
			// prod's endpoint admits listed CIDRs only; dev's is open because dev deploys from
			// GitHub-hosted runners (platform:github.runners), which have no fixed addresses.
			cidrs := getStrings(eks, "publicAccessCidrs")
			if len(cidrs) == 0 || contains(cidrs, "0.0.0.0/0") != (stack == "dev") {
				t.Errorf("public endpoint CIDRs = %v", cidrs)
			}
			entries, _ := get(eks, "accessEntries").(map[string]any)
			if len(entries) == 0 {
				t.Fatalf("no access entries")
			}
			for name := range entries {
				e := eks
				if get(e, "accessEntries."+name+".type") != "STANDARD" ||
					get(e, "accessEntries."+name+".accessPolicies.cluster-admin.policyArn") != clusterplan.AccessPolicyArn("aws", clusterplan.ClusterAdminPolicy) ||
					!strings.HasPrefix(getString(e, "accessEntries."+name+".principalArn"), "arn:aws:iam::") {
					t.Errorf("access entry %s = %v", name, entries[name])
				}
			}
			logGroup := p.named(t, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs")
			if getString(logGroup, "name") != "/aws/eks/platform-"+stack+"/cluster" || !contains(eks.Dependencies, logGroup.URN) {
				t.Errorf("control-plane log group %v not created before the cluster", logGroup.Inputs)
			}
			if eks.Protect != (stack == "prod") || key.Protect != (stack == "prod") {
				t.Errorf("protect: cluster %v key %v", eks.Protect, key.Protect)
			}
		})
	}
}

func TestNodeGroups(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		var private []string
		for _, s := range p.ofType(typeSubnet) {
			if strings.Contains(s.Name, "private") {
				private = append(private, s.ID)
			}
		}
		for _, ng := range p.ofType(typeNodeGroup) {
			if !equalStrings(getStrings(ng, "subnetIds"), private) {
				t.Errorf("%s: node group %s in subnets %v, want exactly the private ones %v", stack, ng.Name, getStrings(ng, "subnetIds"), private)
			}
			lt, ok := p.byID(typeLT, getString(ng, "launchTemplate.id"))
			if !ok {
				t.Fatalf("%s: node group %s has no launch template", stack, ng.Name)
			}
			if get(lt, "metadataOptions.httpTokens") != "required" || get(lt, "metadataOptions.httpPutResponseHopLimit") != 1.0 {
				t.Errorf("%s: IMDSv2 not enforced: %v", stack, get(lt, "metadataOptions"))
			}
			ebs := "blockDeviceMappings.0.ebs."
			if get(lt, ebs+"volumeType") != "gp3" || get(lt, ebs+"encrypted") != "true" || getString(lt, "blockDeviceMappings.0.deviceName") != "/dev/xvda" {
				t.Errorf("%s: root volume not encrypted gp3: %v", stack, get(lt, "blockDeviceMappings"))
			}
			if get(lt, "keyName") != nil || get(ng, "remoteAccess") != nil {
				t.Errorf("%s: SSH access configured", stack)
			}
			tags := get(ng, "tags").(map[string]any)
			if tags["k8s.io/cluster-autoscaler/enabled"] != "true" || tags["k8s.io/cluster-autoscaler/platform-"+stack] != "owned" {
				t.Errorf("%s: autoscaler discovery tags missing: %v", stack, tags)
			}
			if !contains(ng.IgnoreChanges, "scalingConfig.desiredSize") {
				t.Errorf("%s: desiredSize not left to the autoscaler: %v", stack, ng.IgnoreChanges)
			}
			eks := p.named(t, typeEKS, "cluster-eks")
			if !contains(ng.PropertyDependencies["clusterName"], eks.URN) {
				t.Errorf("%s: node group does not wait for the cluster: %v", stack, ng.PropertyDependencies)
			}
		}
	}
	dev := stackPlan(t, "dev").named(t, typeNodeGroup, "cluster-general-ng")
	if get(dev, "scalingConfig.minSize") != 1.0 || get(dev, "scalingConfig.desiredSize") != 2.0 || get(dev, "scalingConfig.maxSize") != 4.0 {
		t.Errorf("dev scaling = %v, want 1/2/4 from Pulumi.dev.yaml", get(dev, "scalingConfig"))
	}
}

// The kubeconfig is a secret output and reaches the Kubernetes provider as a secret.
func TestSecretsStaySecret(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		if o := p.Outputs["kubeconfig"]; !o.Secret || o.Value != planner.Secret {
			t.Errorf("%s: kubeconfig output = %+v, want secret", stack, o)
		}
		prov := p.named(t, "pulumi:providers:kubernetes", "cluster-k8s")
		if !contains(prov.SecretInputs, "kubeconfig") {
			t.Errorf("%s: provider kubeconfig is not secret (secret inputs %v)", stack, prov.SecretInputs)
		}
		for k, o := range p.Outputs {
			if s, ok := o.Value.(string); ok && strings.Contains(s, "certificate-authority-data") {
				t.Errorf("%s: output %s leaks the kubeconfig", stack, k)
			}
		}
	}
}
