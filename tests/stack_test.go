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

// The exact resource counts per type: a change that adds or drops a resource shows up here,
// in review, rather than in someone's AWS bill.
func TestResourceCounts(t *testing.T) {
	common := map[string]int{
		"platform:index:Network": 1, "platform:index:DNS": 1, "platform:index:Certificates": 1, "platform:index:Cluster": 1,
		"aws:ec2/vpc:Vpc": 1, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1, "aws:ec2/internetGateway:InternetGateway": 1,
		"aws:ec2/flowLog:FlowLog": 1, "aws:cloudwatch/logGroup:LogGroup": 2, "aws:iam/role:Role": 2 + 7 + 1 + 5, "aws:iam/rolePolicy:RolePolicy": 1 + 6 + 1 + 4,
		typeZone: 1, "aws:acm/certificate:Certificate": 1, "aws:acm/certificateValidation:CertificateValidation": 1,
		typeKey: 1, "aws:kms/alias:Alias": 1, typeEKS: 1, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4 + 1 + 1,
		// the permissions boundary every role carries
		"platform:index:PermissionsBoundary": 1, "aws:iam/policy:Policy": 1,
		typeLT: 1, typeNodeGroup: 1, "pulumi:providers:kubernetes": 1,
		// addons: a role per addon (LBC, ExternalDNS, ESO, CA, EBS CSI, Loki, Tempo) + cluster 2
		"platform:index:Addons": 1, "aws:eks/addon:Addon": 2, "aws:eks/podIdentityAssociation:PodIdentityAssociation": 6 + 3,
		"kubernetes:core/v1:Namespace": 5 + 1 + 3, "kubernetes:core/v1:Secret": 1, "kubernetes:helm.sh/v3:Release": 8 + 1,
		"kubernetes:storage.k8s.io/v1:StorageClass": 1, "random:index/randomPassword:RandomPassword": 1,
		"aws:ssm/parameter:Parameter": 1 + 2, "aws:s3/bucketV2:BucketV2": 2, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 2,
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 2,
		// GitHubIntegration and ArgoCD (the +1s above: CI role and policy, deploy key and client
		// secret parameters, argocd namespace and release)
		"platform:index:GitHubIntegration": 1, "platform:index:ArgoCD": 1,
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1, "tls:index/privateKey:PrivateKey": 1,
		// the CI role's cluster access
		"aws:eks/accessEntry:AccessEntry": 1 + 1, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
		"github:index/repositoryDeployKey:RepositoryDeployKey": 1, "github:index/repositoryEnvironment:RepositoryEnvironment": 1,
		"github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": 1,
		"github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable":                       2,
		"kubernetes:argoproj.io/v1alpha1:AppProject":                                               2 + 2, "kubernetes:argoproj.io/v1alpha1:Application": 1,
		"kubernetes:external-secrets.io/v1:ExternalSecret": 2 + 2, "kubernetes:argoproj.io/v1alpha1:AppProjectPatch": 1,
		// the platform's IngressClass and Loki's NetworkPolicy
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": 1 + 16,
		// Teams (the + terms above: 2 secrets roles, 2 workload roles, a push role and their
		// policies, a managed policy, 3 workload pod identities, 3 namespaces, an access entry,
		// 2 projects): payments (1 namespace, internet egress, an image) and search (2
		// namespaces, no Secrets, cluster view): 6 + 5 + 5 platform NetworkPolicies
		"platform:index:Teams": 1, "kubernetes:core/v1:ResourceQuota": 3, "kubernetes:core/v1:LimitRange": 3,
		"kubernetes:core/v1:ServiceAccount": 3, "kubernetes:external-secrets.io/v1:SecretStore": 3,
		"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 2 + 1 + 1, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 3,
		"kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": 1,
		"aws:ecr/repository:Repository":                              1, "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
		// the teams' applications, at the stack's revision
		"kubernetes:argoproj.io/v1alpha1:ApplicationSet": 1,
		// the alarm topic, its on-call address, and the certificate's expiry alarm
		"platform:index:Alarms": 1, "aws:sns/topic:Topic": 1, "aws:sns/topicSubscription:TopicSubscription": 1,
		"aws:cloudwatch/metricAlarm:MetricAlarm": 1,
		// the Load Balancer Controller's and External Secrets' PodMonitors; the addons' and
		// Argo CD's alert rules
		"kubernetes:monitoring.coreos.com/v1:PodMonitor": 2, "kubernetes:monitoring.coreos.com/v1:PrometheusRule": 2,
		// what the teams' monitors and alerts may do, and its binding
		"kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy":        1,
		"kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 1,
	}
	perStack := map[string]map[string]int{
		// 2 AZs, one NAT; records: delegation + 1 validation
		"dev": {typeSubnet: 4 + 2, typeNAT: 1, "aws:ec2/eip:Eip": 1, typeRouteTable: 3 + 1, "aws:ec2/routeTableAssociation:RouteTableAssociation": 4 + 2, typeRecord: 2,
			"kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
			// payments' database "ledger" (the + terms: 2 database subnets with their route
			// table, its 2 log groups, the databases' key, the team's 2 policies on its roles,
			// the connection ExternalSecret and Secrets Manager store, the egress policy)
			"platform:index:Databases": 1, "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
			"aws:rds/instance:Instance": 1, "aws:ec2/securityGroup:SecurityGroup": 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 1 + 2,
			"aws:cloudwatch/logGroup:LogGroup": 2 + 2, typeKey: 1 + 1, "aws:kms/alias:Alias": 1 + 1, "aws:iam/rolePolicy:RolePolicy": 12 + 2,
			"kubernetes:external-secrets.io/v1:ExternalSecret": 4 + 1, "kubernetes:external-secrets.io/v1:SecretStore": 3 + 1,
			"kubernetes:networking.k8s.io/v1:NetworkPolicy": 17 + 1,
			// the platform's class and the teams' shared one, each with its params
			"kubernetes:networking.k8s.io/v1:IngressClass": 2, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 2},
		// 3 AZs, NAT per AZ; records: delegation + 2 validations (domain, apps.domain)
		"prod": {typeSubnet: 6, typeNAT: 3, "aws:ec2/eip:Eip": 3, typeRouteTable: 4, "aws:ec2/routeTableAssociation:RouteTableAssociation": 6, typeRecord: 3,
			// Secrets Manager store enabled in prod
			"kubernetes:external-secrets.io/v1:ClusterSecretStore": 2,
			// the platform's, the shared and search's dedicated class, each with its params
			"kubernetes:networking.k8s.io/v1:IngressClass": 3, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 3},
	}
	for stack, specific := range perStack {
		t.Run(stack, func(t *testing.T) {
			want := map[string]int{}
			for k, v := range common {
				want[k] = v
			}
			for k, v := range specific {
				want[k] = v
			}
			got := stackPlan(t, stack).counts()
			for typ, n := range want {
				if got[typ] != n {
					t.Errorf("%s: %d, want %d", typ, got[typ], n)
				}
			}
			for typ, n := range got {
				if _, ok := want[typ]; !ok {
					t.Errorf("unexpected %d x %s", n, typ)
				}
			}
		})
	}
}

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
	for stack, wantNATs := range map[string]int{"dev": 1, "prod": 3} {
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
