package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/runners/runnerplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// prod's CodeBuild runners as planned from Pulumi.prod.yaml (platform:github.runners
// codebuild): the project in the private subnets with its own egress-only security group, the
// rule that admits it to the cluster's API endpoint, its encrypted log group, the webhook that
// serves the release workflow's queued jobs, the source credential and the service role. dev
// (GitHub-hosted) has none of it.
func TestRunnersInTheVPC(t *testing.T) {
	p := stackPlan(t, "prod")
	const cluster = "platform-prod"
	project := p.named(t, "aws:codebuild/project:Project", "runners-project")
	sg := p.named(t, "aws:ec2/securityGroup:SecurityGroup", "runners-sg")
	role := p.named(t, "aws:iam/role:Role", "runners-role")
	logs := p.named(t, "aws:cloudwatch/logGroup:LogGroup", "runners-logs")
	if getString(project, "name") != contract.RunnerProjectName(cluster) || len(contract.RunnerProjectName(cluster)) > 255 {
		t.Errorf("project name %q", getString(project, "name"))
	}
	// The project runs in the VPC's private subnets (all of them), with its security group only.
	subnets := getStrings(project, "vpcConfig.subnets")
	var wantSubnets []string
	for _, s := range p.ofType("aws:ec2/subnet:Subnet") {
		if tags, _ := s.Inputs["tags"].(map[string]any); tags["kubernetes.io/role/internal-elb"] == "1" {
			wantSubnets = append(wantSubnets, s.ID)
		}
	}
	slices.Sort(subnets)
	slices.Sort(wantSubnets)
	if len(subnets) != 3 || !slices.Equal(subnets, wantSubnets) {
		t.Errorf("project subnets %v, want the private subnets %v", subnets, wantSubnets)
	}
	if sgs := getStrings(project, "vpcConfig.securityGroupIds"); len(sgs) != 1 || sgs[0] != sg.ID {
		t.Errorf("project security groups %v, want %s", sgs, sg.ID)
	}
	if getString(project, "vpcConfig.vpcId") != p.named(t, "aws:ec2/vpc:Vpc", "network-vpc").ID {
		t.Errorf("project VPC %v", get(project, "vpcConfig"))
	}
	// Egress-only group: HTTPS out; nothing in.
	if in := get(sg, "ingress"); in != nil && fmt.Sprint(in) != "[]" {
		t.Errorf("runner security group has ingress %v", in)
	}
	egress, _ := sg.Inputs["egress"].([]any)
	if len(egress) != 1 || fmt.Sprint(egress[0].(map[string]any)["fromPort"]) != "443" || fmt.Sprint(egress[0].(map[string]any)["toPort"]) != "443" {
		t.Errorf("runner egress %v, want HTTPS only", egress)
	}
	// The cluster security group admits the runners on 443, from their group only.
	rule := p.named(t, "aws:ec2/securityGroupRule:SecurityGroupRule", "runners-cluster-ingress")
	if getString(rule, "type") != "ingress" || getString(rule, "sourceSecurityGroupId") != sg.ID ||
		fmt.Sprint(get(rule, "fromPort")) != "443" || fmt.Sprint(get(rule, "toPort")) != "443" || get(rule, "cidrBlocks") != nil {
		t.Errorf("cluster ingress rule %v", rule.Inputs)
	}
	if !contains(rule.PropertyDependencies["securityGroupId"], p.named(t, "eks:index:Cluster", "cluster-eks").URN) {
		t.Errorf("the rule is not on the cluster's security group: %v", rule.PropertyDependencies["securityGroupId"])
	}
	// Ephemeral, bounded builds: no artifacts, the project's own buildspec, no privileged mode.
	if getString(project, "source.type") != "GITHUB" || getString(project, "source.location") != runnerplan.SourceLocation("example-org", "platform-infra") ||
		getString(project, "source.buildspec") != runnerplan.Buildspec || getString(project, "artifacts.type") != "NO_ARTIFACTS" ||
		get(project, "environment.privilegedMode") != false || getString(project, "environment.computeType") != runnerplan.Medium ||
		fmt.Sprint(get(project, "buildTimeout")) != "240" || fmt.Sprint(get(project, "concurrentBuildLimit")) != fmt.Sprint(runnerplan.ConcurrentBuilds) {
		t.Errorf("project %v", project.Inputs)
	}
	// Its logs: the named group, with a retention, encrypted with the stack's logs key, kept in prod.
	if getString(logs, "name") != contract.RunnerLogGroup(cluster) || fmt.Sprint(get(logs, "retentionInDays")) != "365" ||
		!contains(logs.PropertyDependencies["kmsKeyId"], p.named(t, "aws:kms/key:Key", "logs-key").URN) || !logs.RetainOnDelete {
		t.Errorf("log group %v (retain %v)", logs.Inputs, logs.RetainOnDelete)
	}
	if getString(project, "logsConfig.cloudwatchLogs.groupName") != contract.RunnerLogGroup(cluster) {
		t.Errorf("project logs %v", get(project, "logsConfig"))
	}
	// The webhook: queued jobs of the release workflow only.
	hook := p.named(t, "aws:codebuild/webhook:Webhook", "runners-webhook")
	groups, _ := hook.Inputs["filterGroups"].([]any)
	if len(groups) != 1 {
		t.Fatalf("webhook filter groups %v", groups)
	}
	filters, _ := groups[0].(map[string]any)["filters"].([]any)
	var got []string
	for _, f := range filters {
		m := f.(map[string]any)
		got = append(got, fmt.Sprint(m["type"], "=", m["pattern"]))
	}
	if want := []string{"EVENT=WORKFLOW_JOB_QUEUED", "WORKFLOW_NAME=^" + ghplan.ReleaseWorkflowName + "$"}; !slices.Equal(got, want) {
		t.Errorf("webhook filters %v, want %v", got, want)
	}
	if getString(hook, "buildType") != "BUILD" || !contains(hook.PropertyDependencies["projectName"], project.URN) {
		t.Errorf("webhook %v", hook.Inputs)
	}
	cred := p.named(t, "aws:codebuild/sourceCredential:SourceCredential", "runners-github")
	if getString(cred, "serverType") != "GITHUB" || getString(cred, "authType") != "PERSONAL_ACCESS_TOKEN" {
		t.Errorf("source credential %v", cred.Inputs)
	}
	// The service role: CodeBuild of this project only, under the platform boundary and its own path.
	if getString(role, "path") != contract.PlatformRolePath(cluster) || getString(role, "name") != contract.RunnerRoleName(cluster) || !contains(role.PropertyDependencies["permissionsBoundary"], p.named(t, "aws:iam/policy:Policy", "boundary-policy").URN) {
		t.Errorf("runner role %v", role.Inputs)
	}
	if len(contract.RunnerRoleName(strings.Repeat("c", 30))) > 64 {
		t.Errorf("the longest cluster's runner role name exceeds IAM's 64")
	}
	trust := mustParse(t, getString(role, "assumeRolePolicy"))
	if want := runnerplan.Trust(contract.Account{ID: simAccount, Partition: "aws", Region: simRegion}, cluster); trust.JSON() != want.JSON() {
		t.Errorf("runner trust %s", trust.JSON())
	}
	if !contains(project.PropertyDependencies["serviceRole"], role.URN) {
		t.Errorf("project role %v", project.PropertyDependencies["serviceRole"])
	}
	// The runs-on the release workflow uses names the project.
	if _, labels := ghplan.RunsOn(ghplan.CodeBuild, "prod", cluster, true); labels[0] != "codebuild-"+getString(project, "name")+"-${{ github.run_id }}-${{ github.run_attempt }}" {
		t.Errorf("runs-on %v for project %s", labels, getString(project, "name"))
	}
	var policy iampolicy.Document
	rp := p.named(t, "aws:iam/rolePolicy:RolePolicy", "runners-policy")
	if err := json.Unmarshal([]byte(getString(rp, "policy")), &policy); err != nil || len(policy.Statement) == 0 {
		t.Errorf("runner policy %v: %v", rp.Inputs, err)
	}

	dev := stackPlan(t, "dev")
	for _, typ := range []string{"aws:codebuild/project:Project", "aws:codebuild/webhook:Webhook", "aws:codebuild/sourceCredential:SourceCredential"} {
		if n := len(dev.ofType(typ)); n != 0 {
			t.Errorf("dev (GitHub-hosted runners) plans %d %s", n, typ)
		}
	}
	if _, ok := dev.Named("aws:iam/role:Role", "runners-role"); ok {
		t.Error("dev plans a runner role")
	}
}
