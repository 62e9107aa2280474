package tests

import (
	"encoding/json"
	"testing"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/secrets"
)

// The secrets writer role (`platform secret set`) against the IAM engine: its policy alone
// (with mutation testing), then the role as planned (policy, team boundary, team tag), then
// its trust. payments is dev's team with access roles; search has none, so it has no writer.

const (
	writerRole     = "teams-payments-writer-role"
	paymentsMember = "arn:aws:iam::111122223333:role/payments-developers"
)

// writerProbes are what the writer must do, and what it must never do, on dev's stack.
func writerProbes(t *testing.T, p *plan) (key string, capabilities, attacks []probe) {
	t.Helper()
	r := func(svc, res string) string { return simArn(svc, simRegion, res) }
	param := func(name string) string { return r("ssm", "parameter"+name) }
	key = simArn("kms", simRegion, "key/"+p.named(t, "aws:kms/key:Key", "cluster-secrets-key").ID)
	viaSSM := ctx("kms:ViaService", "ssm."+simRegion+".amazonaws.com")
	capabilities = []probe{
		{name: "put its app's secret", action: "ssm:PutParameter", resource: param("/platform-dev/teams/payments/payments-api/DB_PASSWORD")},
		{name: "delete its parameter", action: "ssm:DeleteParameter", resource: param("/platform-dev/teams/payments/payments-api/OLD")},
		{name: "delete its parameters", action: "ssm:DeleteParameters", resource: param("/platform-dev/teams/payments/a")},
		{name: "read its parameter", action: "ssm:GetParameter", resource: param("/platform-dev/teams/payments/payments-api/DB_PASSWORD")},
		{name: "read its parameters", action: "ssm:GetParameters", resource: param("/platform-dev/teams/payments/x")},
		{name: "list its path", action: "ssm:GetParametersByPath", resource: param("/platform-dev/teams/payments/")},
		{name: "list a path under its path", action: "ssm:GetParametersByPath", resource: param("/platform-dev/teams/payments/payments-api")},
		{name: "encrypt a standard SecureString through SSM (kms:Encrypt: the team boundary must allow it)", action: "kms:Encrypt", resource: key, context: viaSSM},
		{name: "encrypt an advanced SecureString through SSM", action: "kms:GenerateDataKey", resource: key, context: viaSSM},
		{name: "decrypt through SSM", action: "kms:Decrypt", resource: key, context: viaSSM},
	}
	attacks = []probe{
		{name: "put search's parameter", action: "ssm:PutParameter", resource: param("/platform-dev/teams/search/api/KEY")},
		{name: "delete search's parameter", action: "ssm:DeleteParameter", resource: param("/platform-dev/teams/search/api/KEY")},
		{name: "read search's parameter", action: "ssm:GetParameter", resource: param("/platform-dev/teams/search/api/KEY")},
		{name: "list search's path", action: "ssm:GetParametersByPath", resource: param("/platform-dev/teams/search")},
		{name: "list every team's path", action: "ssm:GetParametersByPath", resource: param("/platform-dev/teams")},
		{name: "put a parameter of a team its name prefixes", action: "ssm:PutParameter", resource: param("/platform-dev/teams/payments-evil/x")},
		{name: "list a path its name prefixes", action: "ssm:GetParametersByPath", resource: param("/platform-dev/teams/payments-evil")},
		{name: "put the platform's deploy key", action: "ssm:PutParameter", resource: param("/platform-dev/platform/github/deploykeys/example-org/gitops")},
		{name: "overwrite Grafana's password", action: "ssm:PutParameter", resource: param("/platform-dev/platform/grafana/admin-password")},
		{name: "delete the alert receiver", action: "ssm:DeleteParameter", resource: param("/platform-dev/platform/alertmanager/receiver-url")},
		{name: "put beside the cluster's paths", action: "ssm:PutParameter", resource: param("/platform-dev/x")},
		{name: "put its namesake's parameter in prod", action: "ssm:PutParameter", resource: param("/platform-prod/teams/payments/x")},
		{name: "put its path in another region", action: "ssm:PutParameter", resource: simArn("ssm", "us-east-1", "parameter/platform-dev/teams/payments/x")},
		{name: "put its path in another account", action: "ssm:PutParameter", resource: "arn:aws:ssm:" + simRegion + ":999999999999:parameter/platform-dev/teams/payments/x"},
		{name: "name every parameter of the account", action: "ssm:DescribeParameters", resource: "*"},
		{name: "decrypt directly", action: "kms:Decrypt", resource: key},
		{name: "encrypt directly", action: "kms:Encrypt", resource: key},
		{name: "decrypt through Secrets Manager", action: "kms:Decrypt", resource: key, context: ctx("kms:ViaService", "secretsmanager."+simRegion+".amazonaws.com")},
		{name: "decrypt through SSM of another region", action: "kms:Decrypt", resource: key, context: ctx("kms:ViaService", "ssm.us-east-1.amazonaws.com")},
		{name: "decrypt with the databases' key through SSM", action: "kms:Decrypt",
			resource: simArn("kms", simRegion, "key/"+p.named(t, "aws:kms/key:Key", "databases-key").ID), context: viaSSM},
		{name: "change the key's policy", action: "kms:PutKeyPolicy", resource: key},
		{name: "pass a platform role", action: "iam:PassRole", resource: simArn("iam", "", "role/platform-dev/platform/cluster-node-role-1a2b")},
		{name: "assume search's secrets role", action: "sts:AssumeRole", resource: simArn("iam", "", "role/platform-dev/teams/secrets/teams-search-secrets-role-1a2b")},
		{name: "write its own trust", action: "iam:UpdateAssumeRolePolicy", resource: simArn("iam", "", "role/platform-dev/teams/"+writerRole+"-1a2b")},
		{name: "read a secret of Secrets Manager", action: "secretsmanager:GetSecretValue", resource: r("secretsmanager", "secret:platform-dev/teams/payments/x-AbCdEf")},
	}
	return key, capabilities, attacks
}

// The policy alone does the job and nothing else, and every statement and condition is needed.
func TestSecretsWriterPolicyAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	pr, _ := roleOf(t, p, writerRole)
	if len(pr.IdentityPolicies) != 1 {
		t.Fatalf("%s has %d policies, want its one", writerRole, len(pr.IdentityPolicies))
	}
	policy := mustParse(t, string(pr.IdentityPolicies[0]))
	_, caps, attacks := writerProbes(t, p)
	proveLayer(t, layer{name: "secrets writer policy", doc: policy, principal: identityLayer(pr.Arn), attacks: attacks, capabilities: caps})
}

// The role as planned: its policy under the team boundary, with its team tag. A name with
// ".." is literal to SSM (it resolves no path), so such a parameter is under payments' path:
// IAM allows it, and the command refuses the name anyway (internal/secrets).
func TestSecretsWriterRoleAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	pr, tags := roleOf(t, p, writerRole)
	role := p.named(t, "aws:iam/role:Role", writerRole)
	if got := getString(role, "path"); got != "/platform-dev/teams/" {
		t.Errorf("%s is under %q, want the teams' path (not the secrets roles', which External Secrets may assume)", writerRole, got)
	}
	if _, ok := p.Named("aws:iam/role:Role", "teams-search-writer-role"); ok {
		t.Error("search has no access roles, yet a writer role")
	}
	_, caps, attacks := writerProbes(t, p)
	for i := range caps {
		caps[i].context = merge(caps[i].context, tags)
	}
	for i := range attacks {
		attacks[i].context = merge(attacks[i].context, tags)
	}
	// SSM encrypts a standard SecureString with kms:Encrypt: without it in the team boundary,
	// `platform secret set` fails on real AWS whatever the role's policy says.
	expectAll(t, "as "+writerRole, pr, caps, true)
	expectAll(t, "as "+writerRole, pr, attacks, false)
	literal := probe{name: "put a name with .. (literal, under its own path)", action: "ssm:PutParameter",
		resource: simArn("ssm", simRegion, "parameter/platform-dev/teams/payments/../search/x"), context: tags}
	expectAll(t, "as "+writerRole, pr, []probe{literal}, true)
	if err := secrets.ValidateName("../search/x"); err == nil {
		t.Error("the command takes a name with ..")
	}
}

// Only payments' members assume the role, and no session makes it another team's.
func TestSecretsWriterTrustAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	role := p.named(t, "aws:iam/role:Role", writerRole)
	trust := json.RawMessage(getString(role, "assumeRolePolicy"))
	arn := role.Outputs["arn"].(string)
	// Callers in the members' account: their own policy lets them assume any role, so the
	// trust alone decides.
	caller := func(who string) iamPrincipal {
		return iamPrincipal{Arn: who, IdentityPolicies: []json.RawMessage{doc(iampolicy.New(iampolicy.Allow([]string{"sts:*"}, "*")))}}
	}
	type check struct {
		who, name, action string
		context           map[string]any
		allow             bool
	}
	checks := []check{
		{who: paymentsMember, name: "a payments member assumes it", action: "sts:AssumeRole", allow: true},
		{who: paymentsMember, name: "a payments member keeps its source identity", action: "sts:SetSourceIdentity", context: ctx("sts:SourceIdentity", "jane"), allow: true},
		{who: paymentsMember, name: "a payments member passes a session tag", action: "sts:TagSession",
			context: ctx("aws:TagKeys", []string{"cost-center"}, "aws:RequestTag/cost-center", "42"), allow: true},
		{who: paymentsMember, name: "a payments member tags its session as search's", action: "sts:TagSession",
			context: ctx("aws:TagKeys", []string{"platform-team"}, "aws:RequestTag/platform-team", "search")},
		{who: "arn:aws:iam::111122223333:role/search-developers", name: "a search member assumes it", action: "sts:AssumeRole"},
		{who: "arn:aws:iam::111122223333:role/payments-developers-2", name: "a role its member's name prefixes assumes it", action: "sts:AssumeRole"},
		{who: "arn:aws:iam::999999999999:role/payments-developers", name: "its namesake in another account assumes it", action: "sts:AssumeRole"},
		{who: p.named(t, "aws:iam/role:Role", "addons-external-secrets-role").Outputs["arn"].(string), name: "External Secrets assumes it", action: "sts:AssumeRole"},
		{who: p.named(t, "aws:iam/role:Role", "teams-payments-workload-role").Outputs["arn"].(string), name: "payments' workloads assume it", action: "sts:AssumeRole"},
	}
	var asks []iamAsk
	for _, c := range checks {
		a := probe{name: c.name, action: c.action, resource: arn, context: c.context}.ask("trust: ", caller(c.who))
		a.ResourcePolicy = trust
		asks = append(asks, a)
	}
	verdicts := askIAM(t, asks)
	for i, c := range checks {
		if v := verdicts[asks[i].Name]; v.Result != "Error" && v.Allowed != c.allow {
			t.Errorf("%s: %s, want allowed=%v", c.name, v.Result, c.allow)
		}
	}
}

// The key the command names is the cluster's secrets key, by the alias the program creates.
func TestSecretsKeyAliasIsThePlans(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		alias := p.named(t, "aws:kms/alias:Alias", "cluster-secrets-key-alias")
		key := p.named(t, "aws:kms/key:Key", "cluster-secrets-key")
		tags, _ := key.Inputs["tags"].(map[string]any)
		cluster, _ := tags[contract.StackTag].(string)
		want := secrets.KeyAlias(cluster)
		if cluster == "" || getString(alias, "name") != want || !contains(alias.PropertyDependencies["targetKeyId"], key.URN) {
			t.Errorf("%s: the secrets key's alias is %q (target %v), the command names %q", stack, getString(alias, "name"), alias.PropertyDependencies["targetKeyId"], want)
		}
	}
}
