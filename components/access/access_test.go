package access

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

const admin = "arn:aws:iam::111122223333:role/platform-admin"

func args() *Args {
	return &Args{
		Cluster:  handle.Cluster{Name: "c1", NodeSecurityGroupID: plantest.Output("sg-cluster")},
		Endpoint: pulumi.String("https://ABC.gr7.eu-north-1.eks.amazonaws.com"),
		Network: handle.Network{VpcID: plantest.Output("vpc-1"), PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}).ToStringArrayOutput(),
			DatabaseSubnetCIDRs: map[string][]string{"payments": {"10.0.0.0/28"}}},
		Account: plantest.Account, InstanceType: "t4g.nano", PermissionsBoundary: pulumi.String("arn:aws:iam::111122223333:policy/b"),
		KubeRoleArns: []string{admin},
	}
}

func run(t *testing.T, a *Args, dbs *DatabaseArgs) *planner.Plan {
	t.Helper()
	return plantest.MustRun(t, func(ctx *pulumi.Context) error {
		c, err := New(ctx, "access", a)
		if err != nil || dbs == nil {
			return err
		}
		dbs.Host = c.Handle()
		_, err = NewDatabases(ctx, "connect", dbs)
		return err
	})
}

// The instance: private subnet, no inbound rule, no key, IMDSv2, encrypted root, the SSM
// agent's policy under the boundary, the AMI resolved at launch; the cluster admits it on 443.
func TestInstance(t *testing.T) {
	p := run(t, args(), nil)
	inst := plantest.Named(t, p, "aws:ec2/instance:Instance", "access-instance")
	for path, want := range map[string]any{
		"subnetId": "subnet-a", "metadataOptions.httpTokens": "required", "metadataOptions.httpPutResponseHopLimit": 1.0,
		"rootBlockDevice.encrypted": true, "instanceType": "t4g.nano", "tags." + contract.AccessTag: "c1",
	} {
		if got := inst.Get(path); got != want {
			t.Errorf("instance %s = %v, want %v", path, got, want)
		}
	}
	if inst.Get("keyName") != nil {
		t.Errorf("instance has a key pair: %v", inst.Get("keyName"))
	}
	lt := plantest.Named(t, p, "aws:ec2/launchTemplate:LaunchTemplate", "access-template")
	if lt.GetString("imageId") != "resolve:ssm:"+accessplan.AMIParameter {
		t.Errorf("AMI = %s", lt.GetString("imageId"))
	}
	sg := plantest.Named(t, p, "aws:ec2/securityGroup:SecurityGroup", "access-sg")
	if in := sg.Get("ingress"); in != nil {
		t.Errorf("the instance's security group has ingress %v", in)
	}
	egress, _ := sg.Get("egress").([]any)
	if len(egress) != 2 {
		t.Fatalf("egress %v", egress)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "access-instance-role")
	if role.GetString("permissionsBoundary") == "" || role.GetString("path") != "/c1/platform/" {
		t.Errorf("instance role: boundary %q path %q", role.GetString("permissionsBoundary"), role.GetString("path"))
	}
	if a := plantest.Named(t, p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "access-instance-ssm"); a.GetString("policyArn") != "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" {
		t.Errorf("instance policy %s", a.GetString("policyArn"))
	}
	rule := plantest.Named(t, p, "aws:ec2/securityGroupRule:SecurityGroupRule", "access-cluster-ingress")
	if rule.GetString("securityGroupId") != "sg-cluster" || rule.Get("fromPort") != 443.0 || rule.GetString("type") != "ingress" {
		t.Errorf("cluster ingress %v", rule.Inputs)
	}
}

// The kube document forwards to the endpoint's host; the kube role starts sessions with it only.
func TestKubeSession(t *testing.T) {
	p := run(t, args(), nil)
	doc := plantest.Named(t, p, "aws:ssm/document:Document", "access-kube-document")
	if doc.GetString("name") != "c1.kube" || doc.GetString("documentType") != "Session" ||
		!strings.Contains(doc.GetString("content"), `"host":"ABC.gr7.eu-north-1.eks.amazonaws.com"`) {
		t.Errorf("kube document %v", doc.Inputs)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "access-kube-role")
	if !strings.Contains(role.GetString("assumeRolePolicy"), admin) || role.GetString("path") != "/c1/platform/" {
		t.Errorf("kube role %v", role.Inputs)
	}
	pol := plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "access-kube-policy")
	d, err := iampolicy.Parse([]byte(pol.GetString("policy")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Statement[0].Resource, " "); !strings.HasSuffix(got, ":document/c1.kube") || strings.Count(got, "arn:") != 2 {
		t.Errorf("kube policy resources %s", got)
	}
	a := args()
	a.KubeRoleArns = nil
	if _, ok := run(t, a, nil).Named("aws:iam/role:Role", "access-kube-role"); ok {
		t.Error("a kube role nobody may assume")
	}
}

// One document per database, a connect role per team with members: team path, team boundary,
// team tag, its own documents only.
func TestDatabaseSessions(t *testing.T) {
	dbs := &DatabaseArgs{Cluster: "c1", Account: plantest.Account, TeamBoundary: pulumi.String("arn:aws:iam::111122223333:policy/tb"),
		Databases: []Database{
			{Team: "payments", Name: "ledger", Address: plantest.Output("c1-payments-ledger.x.rds.amazonaws.com"), Port: 5432},
			{Team: "search", Name: "index", Address: plantest.Output("c1-search-index.x.rds.amazonaws.com"), Port: 5432},
		},
		Members: map[string][]string{"payments": {"arn:aws:iam::111122223333:role/payments-developers"}},
	}
	p := run(t, args(), dbs)
	doc := plantest.Named(t, p, "aws:ssm/document:Document", "connect-payments-ledger-document")
	if doc.GetString("name") != "c1.payments.ledger" || !strings.Contains(doc.GetString("content"), `"host":"c1-payments-ledger.x.rds.amazonaws.com"`) {
		t.Errorf("document %v", doc.Inputs)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "connect-payments-role")
	if role.GetString("path") != "/c1/teams/" || role.GetString("permissionsBoundary") != "arn:aws:iam::111122223333:policy/tb" ||
		role.GetString("tags."+contract.TeamTag) != "payments" {
		t.Errorf("connect role %v", role.Inputs)
	}
	pol := plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "connect-payments-policy")
	var d iampolicy.Document
	if err := json.Unmarshal([]byte(pol.GetString("policy")), &d); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Statement[0].Resource, " "); !strings.Contains(got, "document/c1.payments.ledger") || strings.Contains(got, "search") {
		t.Errorf("payments' connect policy names %s", got)
	}
	if _, ok := p.Named("aws:iam/role:Role", "connect-search-role"); ok {
		t.Error("search has no members, yet a connect role")
	}
}

func TestRefusesBadArgs(t *testing.T) {
	for name, mutate := range map[string]func(*Args){
		"x86 instance": func(a *Args) { a.InstanceType = "t3.nano" },
		"no cluster":   func(a *Args) { a.Cluster.Name = "" },
		"no endpoint":  func(a *Args) { a.Endpoint = nil },
		"aws cluster":  func(a *Args) { a.Cluster.Name = "aws-prod" },
	} {
		a := args()
		mutate(a)
		p, err := plantest.Run(func(ctx *pulumi.Context) error {
			_, err := New(ctx, "access", a)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "access: ") || len(p.Resources) != 0 {
			t.Errorf("%s: err = %v, %d resources", name, err, len(p.Resources))
		}
	}
	for name, dbs := range map[string]*DatabaseArgs{
		"no databases": {Cluster: "c1", Account: plantest.Account, TeamBoundary: pulumi.String("b"), Host: Host{InstanceID: plantest.Output("i-1")}},
		"bad port": {Cluster: "c1", Account: plantest.Account, TeamBoundary: pulumi.String("b"), Host: Host{InstanceID: plantest.Output("i-1")},
			Databases: []Database{{Team: "a", Name: "b", Address: plantest.Output("h"), Port: 0}}},
		"no host": {Cluster: "c1", Account: plantest.Account, TeamBoundary: pulumi.String("b"),
			Databases: []Database{{Team: "a", Name: "b", Address: plantest.Output("h"), Port: 5432}}},
	} {
		p, err := plantest.Run(func(ctx *pulumi.Context) error {
			_, err := NewDatabases(ctx, "connect", dbs)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "access databases: ") || len(p.Resources) != 0 {
			t.Errorf("%s: err = %v, %d resources", name, err, len(p.Resources))
		}
	}
}
