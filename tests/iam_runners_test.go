package tests

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// prod's CodeBuild runners against the IAM engine. The runner's service role does what
// CodeBuild does for a build in the VPC (its logs, its network interface in the stack's private
// subnets) and nothing a job could turn into a deploy: no CI role, no parameter or secret, no
// cluster, no state, no IAM, no interface outside the stack's subnets. The CI role's trust
// refuses the runner role and names no GitHub subject but prod's environment; the runner role's
// trust refuses every AWS principal. The deploy policy creates the runner's resources and no
// other CodeBuild project.

type runnerTargets struct {
	subnets            []string // ARNs of the private subnets
	securityGroup      string
	logGroup, otherSub string
}

func runnerSetup(t *testing.T) (*plan, iamPrincipal, runnerTargets) {
	t.Helper()
	p := stackPlan(t, "prod")
	pr, _ := roleOf(t, p, "runners-role")
	var tg runnerTargets
	for _, id := range getStrings(p.named(t, "aws:codebuild/project:Project", "runners-project"), "vpcConfig.subnets") {
		tg.subnets = append(tg.subnets, simArn("ec2", simRegion, "subnet/"+id))
	}
	if len(tg.subnets) != 3 {
		t.Fatalf("runner subnets %v", tg.subnets)
	}
	tg.securityGroup = simArn("ec2", simRegion, "security-group/"+p.named(t, "aws:ec2/securityGroup:SecurityGroup", "runners-sg").ID)
	tg.logGroup = simArn("logs", simRegion, "log-group:"+contract.RunnerLogGroup("platform-prod"))
	tg.otherSub = simArn("ec2", simRegion, "subnet/subnet-0public0123456789")
	return p, pr, tg
}

func runnerProbes(p *plan, t *testing.T, tg runnerTargets) (capabilities, attacks []probe) {
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	eni := ec2("network-interface/eni-0runner0123456789")
	inSubnet := func(s string) map[string]any { return ctx("ec2:Subnet", s) }
	ciArn := p.named(t, "aws:iam/role:Role", "github-ci-role").Outputs["arn"].(string)
	capabilities = []probe{
		{name: "create its log stream", action: "logs:CreateLogStream", resource: tg.logGroup + ":log-stream:platform-prod-runners/0a1b"},
		{name: "write its logs", action: "logs:PutLogEvents", resource: tg.logGroup + ":log-stream:platform-prod-runners/0a1b"},
		{name: "describe DHCP options", action: "ec2:DescribeDhcpOptions", resource: "*"},
		{name: "describe network interfaces", action: "ec2:DescribeNetworkInterfaces", resource: "*"},
		{name: "describe subnets", action: "ec2:DescribeSubnets", resource: "*"},
		{name: "describe security groups", action: "ec2:DescribeSecurityGroups", resource: "*"},
		{name: "describe VPCs", action: "ec2:DescribeVpcs", resource: "*"},
		{name: "create an interface (the interface)", action: "ec2:CreateNetworkInterface", resource: eni},
		{name: "create an interface (the runners' group)", action: "ec2:CreateNetworkInterface", resource: tg.securityGroup},
		{name: "let CodeBuild attach its interface", action: "ec2:CreateNetworkInterfacePermission", resource: eni,
			context: merge(inSubnet(tg.subnets[0]), ctx("ec2:AuthorizedService", "codebuild.amazonaws.com"))},
		{name: "delete its interface", action: "ec2:DeleteNetworkInterface", resource: eni, context: inSubnet(tg.subnets[1])},
	}
	for i, s := range tg.subnets {
		capabilities = append(capabilities, probe{name: "create an interface in private subnet " + string(rune('a'+i)), action: "ec2:CreateNetworkInterface", resource: s})
	}
	attacks = []probe{
		{name: "assume the CI role", action: "sts:AssumeRole", resource: ciArn},
		{name: "read prod's parameters", action: "ssm:GetParameter", resource: simArn("ssm", simRegion, "parameter/platform-prod/platform/github/deploy-key")},
		{name: "read a secret", action: "secretsmanager:GetSecretValue", resource: simArn("secretsmanager", simRegion, "secret:rds!db-0a1b-AbCdEf")},
		{name: "describe the cluster (a kubeconfig)", action: "eks:DescribeCluster", resource: simArn("eks", simRegion, "cluster/platform-prod")},
		{name: "give itself the cluster", action: "eks:CreateAccessEntry", resource: simArn("eks", simRegion, "cluster/platform-prod")},
		{name: "read the Pulumi state", action: "s3:GetObject", resource: "arn:aws:s3:::platform-prod-state/.pulumi/stacks/prod.json"},
		{name: "create a role", action: "iam:CreateRole", resource: simArn("iam", "", "role/platform-prod/platform/escape")},
		{name: "widen its own role", action: "iam:PutRolePolicy", resource: simArn("iam", "", "role/platform-prod/platform/platform-prod-runners")},
		{name: "pass a role", action: "iam:PassRole", resource: ciArn},
		{name: "start another build", action: "codebuild:StartBuild", resource: simArn("codebuild", simRegion, "project/platform-prod-runners")},
		{name: "decrypt with the logs key", action: "kms:Decrypt", resource: simArn("kms", simRegion, "key/0logs")},
		{name: "create an interface in another subnet", action: "ec2:CreateNetworkInterface", resource: tg.otherSub},
		{name: "create an interface in another group", action: "ec2:CreateNetworkInterface", resource: ec2("security-group/sg-0node0123456789")},
		{name: "let CodeBuild attach an interface in another subnet", action: "ec2:CreateNetworkInterfacePermission", resource: eni,
			context: merge(inSubnet(tg.otherSub), ctx("ec2:AuthorizedService", "codebuild.amazonaws.com"))},
		{name: "let another service attach its interface", action: "ec2:CreateNetworkInterfacePermission", resource: eni,
			context: merge(inSubnet(tg.subnets[0]), ctx("ec2:AuthorizedService", "ec2.amazonaws.com"))},
		{name: "delete an interface in another subnet", action: "ec2:DeleteNetworkInterface", resource: eni, context: inSubnet(tg.otherSub)},
		{name: "delete an interface in another region", action: "ec2:DeleteNetworkInterface", resource: simArn("ec2", "us-east-1", "network-interface/eni-0other"), context: inSubnet(tg.subnets[0])},
		{name: "let CodeBuild attach an interface in another region", action: "ec2:CreateNetworkInterfacePermission", resource: simArn("ec2", "us-east-1", "network-interface/eni-0other"),
			context: merge(inSubnet(tg.subnets[0]), ctx("ec2:AuthorizedService", "codebuild.amazonaws.com"))},
		{name: "write another log group", action: "logs:PutLogEvents", resource: simArn("logs", simRegion, "log-group:/aws/eks/platform-prod/cluster:log-stream:x")},
		{name: "delete its log group", action: "logs:DeleteLogGroup", resource: tg.logGroup},
		{name: "describe in another region", action: "ec2:DescribeSubnets", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")},
		{name: "launch an instance", action: "ec2:RunInstances", resource: ec2("instance/i-0new")},
		{name: "open a security group", action: "ec2:AuthorizeSecurityGroupIngress", resource: tg.securityGroup},
	}
	return capabilities, attacks
}

func TestRunnerRoleAgainstTheIAMEngine(t *testing.T) {
	p, pr, tg := runnerSetup(t)
	caps, attacks := runnerProbes(p, t, tg)
	expectAll(t, "runner role", pr, caps, true)
	expectAll(t, "runner role", pr, attacks, false)
	policy := mustParse(t, string(pr.IdentityPolicies[0]))
	proveLayer(t, layer{name: "runner policy", doc: policy, principal: identityLayer(pr.Arn), attacks: attacks, capabilities: caps})
	// Every action and condition key of the policy is one IAM knows for its statement.
	if problems := checkIAMDocuments(t, []iamDocument{{Name: "runner", Document: doc(policy), Type: "identity"}})["runner"]; len(problems) > 0 {
		t.Errorf("runner policy problems: %+v", problems)
	}
}

// Who may assume what: the runner role takes no AWS principal (only CodeBuild for the stack's
// project, checked against runnerplan.Trust in TestRunnersInTheVPC); the CI role takes neither
// the runner role nor a job's GitHub token outside prod's environment.
func TestRunnerTrustsAgainstTheIAMEngine(t *testing.T) {
	p, pr, _ := runnerSetup(t)
	runner := p.named(t, "aws:iam/role:Role", "runners-role")
	ci := p.named(t, "aws:iam/role:Role", "github-ci-role")
	anything := func(arn string) iamPrincipal {
		return iamPrincipal{Arn: arn, IdentityPolicies: []json.RawMessage{doc(iampolicy.New(iampolicy.Allow([]string{"sts:*"}, "*")))}}
	}
	runnerAsCaller := iamPrincipal{Arn: pr.Arn, IdentityPolicies: []json.RawMessage{doc(adminPolicy)}}
	// A job on a runner reaches the CI role only through GitHub's OIDC, whose subjects the
	// trust names exactly: prod's environment, which only main may run in. (The engine does not
	// judge web-identity requests here, so this part is read from the document.)
	ciTrust := mustParse(t, getString(ci, "assumeRolePolicy"))
	if len(ciTrust.Statement) != 1 || len(ciTrust.Statement[0].Principal) != 1 || len(ciTrust.Statement[0].Principal["Federated"]) != 1 ||
		!slices.Equal(ciTrust.Statement[0].Condition["StringEquals"][ghplan.OIDCHost+":sub"], []string{ghplan.EnvironmentSubject("example-org", "platform-infra", "prod")}) {
		t.Errorf("the CI role trusts more than prod's environment: %s", ciTrust.JSON())
	}
	type check struct {
		name, action string
		role         string
		who          iamPrincipal
		context      map[string]any
		allow        bool
	}
	checks := []check{
		{name: "the runner role assumes the CI role", action: "sts:AssumeRole", role: "ci", who: runnerAsCaller},
		{name: "an admin assumes the runner role", action: "sts:AssumeRole", role: "runner", who: anything("arn:aws:iam::444455556666:role/platform-admin")},
		{name: "the CI role assumes the runner role", action: "sts:AssumeRole", role: "runner", who: anything(ci.Outputs["arn"].(string))},
		{name: "a role of another account assumes the runner role", action: "sts:AssumeRole", role: "runner", who: anything("arn:aws:iam::999999999999:role/codebuild")},
	}
	var asks []iamAsk
	for _, c := range checks {
		role := ci
		if c.role == "runner" {
			role = runner
		}
		a := probe{name: c.name, action: c.action, resource: role.Outputs["arn"].(string), context: c.context}.ask("trust: ", c.who)
		a.ResourcePolicy = json.RawMessage(getString(role, "assumeRolePolicy"))
		asks = append(asks, a)
	}
	verdicts := askIAM(t, asks)
	for i, c := range checks {
		if v := verdicts[asks[i].Name]; v.Result != "Error" && v.Allowed != c.allow {
			t.Errorf("%s: %s, want allowed=%v", c.name, v.Result, c.allow)
		}
	}
}

// The deploy policy creates, changes and deletes the stack's runner project, its webhook and
// the region's GitHub source credential, passes the runner role to CodeBuild, and touches no
// other CodeBuild project nor passes another role to CodeBuild.
func TestCIRoleCreatesTheRunners(t *testing.T) {
	p := stackPlan(t, "prod")
	deploy := mustParse(t, getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "github-ci-deploy"), "policy"))
	boundary := mustParse(t, getString(p.named(t, "aws:iam/policy:Policy", "boundary-policy"), "policy"))
	ci := iamPrincipal{Arn: p.named(t, "aws:iam/role:Role", "github-ci-role").Outputs["arn"].(string),
		IdentityPolicies: []json.RawMessage{doc(deploy)}, Boundary: doc(boundary)}
	project := simArn("codebuild", simRegion, "project/"+contract.RunnerProjectName("platform-prod"))
	runnerRole := simArn("iam", "", "role"+contract.PlatformRolePath("platform-prod")+contract.RunnerRoleName("platform-prod"))
	toCodeBuild := ctx("iam:PassedToService", "codebuild.amazonaws.com")
	expectAll(t, "CI role", ci, []probe{
		{name: "create the runner project", action: "codebuild:CreateProject", resource: project},
		{name: "update the runner project", action: "codebuild:UpdateProject", resource: project},
		{name: "read the runner project", action: "codebuild:BatchGetProjects", resource: project},
		{name: "delete the runner project", action: "codebuild:DeleteProject", resource: project},
		{name: "create its webhook", action: "codebuild:CreateWebhook", resource: project},
		{name: "delete its webhook", action: "codebuild:DeleteWebhook", resource: project},
		{name: "import the GitHub credential", action: "codebuild:ImportSourceCredentials", resource: "*"},
		{name: "pass the runner role to CodeBuild", action: "iam:PassRole", resource: runnerRole, context: toCodeBuild},
		{name: "create the runner role", action: "iam:CreateRole", resource: runnerRole, context: withProdBoundary},
		{name: "create the runner log group", action: "logs:CreateLogGroup", resource: simArn("logs", simRegion, "log-group:"+contract.RunnerLogGroup("platform-prod"))},
	}, true)
	expectAll(t, "CI role", ci, []probe{
		{name: "create another project", action: "codebuild:CreateProject", resource: simArn("codebuild", simRegion, "project/crypto-miner")},
		{name: "change dev's runner project", action: "codebuild:UpdateProject", resource: simArn("codebuild", simRegion, "project/platform-dev-runners")},
		{name: "add a webhook to another project", action: "codebuild:CreateWebhook", resource: simArn("codebuild", simRegion, "project/other")},
		{name: "start a build of the runner project", action: "codebuild:StartBuild", resource: project},
		{name: "create the runner project in another region", action: "codebuild:CreateProject", resource: simArn("codebuild", "us-east-1", "project/"+contract.RunnerProjectName("platform-prod"))},
		{name: "import a credential in another region", action: "codebuild:ImportSourceCredentials", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")},
		{name: "pass a platform role to CodeBuild", action: "iam:PassRole", resource: simArn("iam", "", "role/platform-prod/platform/cluster-node-role-1a2b"), context: toCodeBuild},
		{name: "pass the CI role to CodeBuild", action: "iam:PassRole", resource: ci.Arn, context: toCodeBuild},
		// (Passed to EC2, as the deploy policy passes any stack role, it would be useless: its
		// trust names CodeBuild only.)
		{name: "pass the runner role to Lambda", action: "iam:PassRole", resource: runnerRole, context: ctx("iam:PassedToService", "lambda.amazonaws.com")},
	}, false)
}
