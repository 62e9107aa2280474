package runners

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/runners/runnerplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func args() *Args {
	return &Args{
		Cluster: handle.Cluster{Name: "c1", NodeSecurityGroupID: plantest.Output("sg-cluster")},
		Network: handle.Network{VpcID: plantest.Output("vpc-1"), PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}).ToStringArrayOutput()},
		Account: plantest.Account, Owner: "org", InfraRepo: "infra", WorkflowName: "release",
		ComputeType: runnerplan.Medium, Arch: runnerplan.X86, TimeoutMinutes: 240, LogRetentionDays: 30,
		GitHubToken: pulumi.ToSecret(pulumi.String("token")).(pulumi.StringOutput), PermissionsBoundary: pulumi.String("arn:aws:iam::111122223333:policy/b"),
		LogsKeyArn: pulumi.String("arn:aws:kms:eu-north-1:111122223333:key/logs"),
	}
}

func run(t *testing.T, a *Args) *planner.Plan {
	t.Helper()
	return plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "runners", a)
		return err
	})
}

// The project in the given private subnets with the runners' group; the webhook's filter; the
// role's trust, path and boundary; its policy names the subnets and the group; the cluster's
// group admits the runners on 443.
func TestRunners(t *testing.T) {
	p := run(t, args())
	project := plantest.Named(t, p, "aws:codebuild/project:Project", "runners-project")
	sg := plantest.Named(t, p, "aws:ec2/securityGroup:SecurityGroup", "runners-sg")
	if project.Get("name") != contract.RunnerProjectName("c1") || project.Get("environment.type") != "LINUX_CONTAINER" ||
		project.Get("source.location") != "https://github.com/org/infra.git" || project.Get("buildTimeout") != 240.0 {
		t.Errorf("project %v", project.Inputs)
	}
	if subnets, _ := project.Get("vpcConfig.subnets").([]any); len(subnets) != 2 || subnets[0] != "subnet-a" {
		t.Errorf("project subnets %v", subnets)
	}
	if sgs, _ := project.Get("vpcConfig.securityGroupIds").([]any); len(sgs) != 1 || sgs[0] != sg.ID {
		t.Errorf("project groups %v, want %s", sgs, sg.ID)
	}
	hook := plantest.Named(t, p, "aws:codebuild/webhook:Webhook", "runners-webhook")
	if got := hook.Get("filterGroups"); !strings.Contains(strings.ReplaceAll(fmtAny(got), " ", ""), "^release$") {
		t.Errorf("webhook filters %v", got)
	}
	rule := plantest.Named(t, p, "aws:ec2/securityGroupRule:SecurityGroupRule", "runners-cluster-ingress")
	if rule.Get("securityGroupId") != "sg-cluster" || rule.Get("sourceSecurityGroupId") != sg.ID || rule.Get("fromPort") != 443.0 {
		t.Errorf("cluster rule %v", rule.Inputs)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "runners-role")
	if role.Get("path") != contract.PlatformRolePath("c1") || role.Get("name") != "c1-runners" || role.Get("permissionsBoundary") == nil {
		t.Errorf("role %v", role.Inputs)
	}
	policy, err := iampolicy.Parse([]byte(plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "runners-policy").Get("policy").(string)))
	if err != nil {
		t.Fatal(err)
	}
	if want := runnerplan.Policy(plantest.Account, "c1", []string{"subnet-a", "subnet-b"}, sg.ID); !iampolicy.Equal(policy, want) {
		t.Errorf("policy %s, want %s", policy.JSON(), want.JSON())
	}
	logs := plantest.Named(t, p, "aws:cloudwatch/logGroup:LogGroup", "runners-logs")
	if logs.Get("name") != contract.RunnerLogGroup("c1") || logs.Get("retentionInDays") != 30.0 || logs.Get("kmsKeyId") == nil {
		t.Errorf("log group %v", logs.Inputs)
	}
}

// Invalid arguments register nothing.
func TestInvalidArgs(t *testing.T) {
	for name, change := range map[string]func(*Args){
		"compute type": func(a *Args) { a.ComputeType = "BUILD_GENERAL1_2XLARGE" },
		"arch":         func(a *Args) { a.Arch = "ppc" },
		"timeout":      func(a *Args) { a.TimeoutMinutes = 3 },
		"no token":     func(a *Args) { a.GitHubToken = nil },
		"no repo":      func(a *Args) { a.InfraRepo = "" },
		"no retention": func(a *Args) { a.LogRetentionDays = 0 },
	} {
		a := args()
		change(a)
		p, err := plantest.Run(func(ctx *pulumi.Context) error { _, err := New(ctx, "runners", a); return err })
		if err == nil || len(p.Resources) != 0 {
			t.Errorf("%s: err %v, %d resources", name, err, len(p.Resources))
		}
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }
