package tests

import (
	"encoding/json"
	"testing"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// `platform connect` against the IAM engine: the roles people start Session Manager sessions
// with, as planned for dev (payments has members and the database ledger; search has neither).
// ssm:StartSession is authorized on the instance and on the document, so each is a probe of its
// own: a session needs both allowed. A request that names no document asks for
// SSM-SessionManagerRunShell (a shell on the instance).

const (
	connectRoleName = "connect-payments-role"
	kubeRoleName    = "access-kube-role"
	paymentsUserID  = "AROAPAYMENTSCONNECT:jane"
)

type sessionTargets struct {
	instance, node, paymentsDoc, searchDoc, kubeDoc, prodDoc string
}

func connectTargets(t *testing.T, p *plan) sessionTargets {
	t.Helper()
	inst := p.named(t, "aws:ec2/instance:Instance", "access-instance")
	if getString(inst, "tags."+contract.AccessTag) != "platform-dev" {
		t.Fatalf("the access instance is not tagged %s: %v", contract.AccessTag, inst.Inputs["tags"])
	}
	doc := func(name string) string { return simArn("ssm", simRegion, "document/"+name) }
	for _, name := range []string{"platform-dev.kube", "platform-dev.payments.ledger"} {
		found := false
		for _, d := range p.ofType("aws:ssm/document:Document") {
			found = found || getString(d, "name") == name
		}
		if !found {
			t.Fatalf("no Session document %s in the plan", name)
		}
	}
	return sessionTargets{
		instance: simArn("ec2", simRegion, "instance/"+inst.ID), node: simArn("ec2", simRegion, "instance/i-0node0123456789ab"),
		paymentsDoc: doc("platform-dev.payments.ledger"), searchDoc: doc("platform-dev.search.index"), kubeDoc: doc("platform-dev.kube"),
		prodDoc: doc("platform-prod.payments.ledger"),
	}
}

// awsDoc is an AWS-owned document. IAM names them without an account
// (arn:aws:ssm:<region>::document/AWS-...), which the engine cannot read; the policies name
// documents of the stack's account only, so the account's form is the same probe for them.
func awsDoc(name string) string { return simArn("ssm", simRegion, "document/"+name) }

// sessionProbes are what a role with document allowed must do, and the attacks on the instance
// and the sessions that must fail for any access role.
func sessionProbes(s sessionTargets, allowed string) (capabilities, attacks []probe) {
	onInstance := ctx("aws:ResourceTag/"+contract.AccessTag, "platform-dev", "ssm:SessionDocumentAccessCheck", "true")
	own := ctx("aws:userid", paymentsUserID, "ssm:resourceTag/aws:ssmmessages:session-id", paymentsUserID)
	others := ctx("aws:userid", paymentsUserID, "ssm:resourceTag/aws:ssmmessages:session-id", "AROASEARCH:john")
	session := simArn("ssm", simRegion, "session/jane-0a1b2c3d4e5f67890")
	capabilities = []probe{
		{name: "start a session on the access instance", action: "ssm:StartSession", resource: s.instance, context: onInstance},
		{name: "start a session with its document", action: "ssm:StartSession", resource: allowed, context: ctx("ssm:SessionDocumentAccessCheck", "true")},
		{name: "end its own session", action: "ssm:TerminateSession", resource: session, context: own},
		{name: "resume its own session", action: "ssm:ResumeSession", resource: session, context: own},
	}
	attacks = []probe{
		{name: "forward to any host (AWS-StartPortForwardingSessionToRemoteHost)", action: "ssm:StartSession", resource: awsDoc("AWS-StartPortForwardingSessionToRemoteHost")},
		{name: "forward a port of the instance (AWS-StartPortForwardingSession)", action: "ssm:StartSession", resource: awsDoc("AWS-StartPortForwardingSession")},
		{name: "run a command on the instance (AWS-StartInteractiveCommand)", action: "ssm:StartSession", resource: awsDoc("AWS-StartInteractiveCommand")},
		{name: "open a shell (no document: SSM-SessionManagerRunShell)", action: "ssm:StartSession", resource: awsDoc("SSM-SessionManagerRunShell"), context: ctx("ssm:SessionDocumentAccessCheck", "true")},
		{name: "open a shell with the account's shell document", action: "ssm:StartSession", resource: simArn("ssm", simRegion, "document/SSM-SessionManagerRunShell")},
		{name: "start a session on a node", action: "ssm:StartSession", resource: s.node, context: ctx("aws:ResourceTag/platform:cluster", "platform-dev", "ssm:SessionDocumentAccessCheck", "true")},
		{name: "start a session on the instance of prod", action: "ssm:StartSession", resource: s.node, context: ctx("aws:ResourceTag/"+contract.AccessTag, "platform-prod", "ssm:SessionDocumentAccessCheck", "true")},
		{name: "send a command to the instance", action: "ssm:SendCommand", resource: s.instance, context: onInstance},
		{name: "send a shell script", action: "ssm:SendCommand", resource: awsDoc("AWS-RunShellScript")},
		// Without the document check, Session Manager would open the default shell on an
		// instance the policy allows, whatever the documents.
		{name: "open a shell without the document check (the instance alone)", action: "ssm:StartSession", resource: s.instance,
			context: ctx("aws:ResourceTag/"+contract.AccessTag, "platform-dev", "ssm:SessionDocumentAccessCheck", "false")},
		{name: "end its own session in another region", action: "ssm:TerminateSession", resource: simArn("ssm", "us-east-1", "session/jane-0a1b2c3d4e5f67890"), context: own},
		{name: "end another's session", action: "ssm:TerminateSession", resource: simArn("ssm", simRegion, "session/john-0a1b2c3d4e5f67890"), context: others},
		{name: "resume another's session", action: "ssm:ResumeSession", resource: simArn("ssm", simRegion, "session/john-0a1b2c3d4e5f67890"), context: others},
		{name: "change its document", action: "ssm:UpdateDocument", resource: allowed},
		{name: "write a document of its own", action: "ssm:CreateDocument", resource: simArn("ssm", simRegion, "document/platform-dev.payments.evil")},
		{name: "use prod's namesake document", action: "ssm:StartSession", resource: s.prodDoc},
	}
	for _, d := range []string{s.paymentsDoc, s.searchDoc, s.kubeDoc} {
		if d != allowed {
			attacks = append(attacks, probe{name: "start a session with " + d, action: "ssm:StartSession", resource: d, context: ctx("ssm:SessionDocumentAccessCheck", "true")})
		}
	}
	return capabilities, attacks
}

// payments' connect role, as planned (its policy, the team boundary, its team tag): its
// database's tunnel and nothing else; and its policy alone, with every statement needed.
func TestConnectRoleAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	s := connectTargets(t, p)
	pr, tags := roleOf(t, p, connectRoleName)
	caps, attacks := sessionProbes(s, s.paymentsDoc)
	withTags := func(ps []probe) []probe {
		out := make([]probe, len(ps))
		for i, pb := range ps {
			pb.context = merge(pb.context, tags)
			out[i] = pb
		}
		return out
	}
	expectAll(t, "as "+connectRoleName, pr, withTags(caps), true)
	expectAll(t, "as "+connectRoleName, pr, withTags(attacks), false)
	if _, ok := p.Named("aws:iam/role:Role", "connect-search-role"); ok {
		t.Error("search has no members and no database, yet a connect role")
	}
	// The team boundary alone (any policy under it) still keeps payments to its documents.
	boundary := iamPrincipal{Arn: pr.Arn, IdentityPolicies: []json.RawMessage{doc(adminPolicy)}, Boundary: pr.Boundary}
	expectAll(t, "boundary of "+connectRoleName, boundary, withTags([]probe{
		{name: "search's document", action: "ssm:StartSession", resource: s.searchDoc},
		{name: "AWS-StartPortForwardingSessionToRemoteHost", action: "ssm:StartSession", resource: awsDoc("AWS-StartPortForwardingSessionToRemoteHost")},
		{name: "a shell", action: "ssm:StartSession", resource: awsDoc("SSM-SessionManagerRunShell")},
		{name: "an untagged instance", action: "ssm:StartSession", resource: s.node, context: ctx("ssm:SessionDocumentAccessCheck", "true")},
		{name: "SendCommand", action: "ssm:SendCommand", resource: s.instance, context: ctx("aws:ResourceTag/"+contract.AccessTag, "platform-dev")},
	}), false)
	policy := mustParse(t, string(pr.IdentityPolicies[0]))
	proveLayer(t, layer{name: "connect policy", doc: policy, principal: identityLayer(pr.Arn), attacks: attacks, capabilities: caps})
}

// The kube role (platform boundary): the API endpoint's tunnel only.
func TestKubeAccessRoleAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	s := connectTargets(t, p)
	pr, _ := roleOf(t, p, kubeRoleName)
	caps, attacks := sessionProbes(s, s.kubeDoc)
	expectAll(t, "as "+kubeRoleName, pr, caps, true)
	expectAll(t, "as "+kubeRoleName, pr, attacks, false)
}

// Only payments' members assume its connect role; the kube role takes the admins and every
// team's members, nobody else.
func TestConnectTrustAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	caller := func(who string) iamPrincipal {
		return iamPrincipal{Arn: who, IdentityPolicies: []json.RawMessage{doc(iampolicy.New(iampolicy.Allow([]string{"sts:*"}, "*")))}}
	}
	type check struct {
		role, who, name string
		context         map[string]any
		action          string
		allow           bool
	}
	admin := "arn:aws:iam::111122223333:role/platform-admin"
	checks := []check{
		{role: connectRoleName, who: paymentsMember, name: "a payments member assumes payments' connect role", allow: true},
		{role: connectRoleName, who: "arn:aws:iam::111122223333:role/search-developers", name: "a search member assumes payments' connect role"},
		{role: connectRoleName, who: admin, name: "an admin assumes payments' connect role"},
		{role: connectRoleName, who: "arn:aws:iam::111122223333:role/payments-developers-2", name: "a role its member's name prefixes assumes it"},
		{role: connectRoleName, who: "arn:aws:iam::999999999999:role/payments-developers", name: "its namesake in another account assumes it"},
		{role: connectRoleName, who: paymentsMember, name: "a payments member tags its session as search's", action: "sts:TagSession",
			context: ctx("aws:TagKeys", []string{"platform-team"}, "aws:RequestTag/platform-team", "search")},
		{role: kubeRoleName, who: admin, name: "an admin assumes the kube role", allow: true},
		{role: kubeRoleName, who: paymentsMember, name: "a payments member assumes the kube role", allow: true},
		{role: kubeRoleName, who: "arn:aws:iam::111122223333:role/intruder", name: "another role assumes the kube role"},
		{role: kubeRoleName, who: p.named(t, "aws:iam/role:Role", "teams-payments-workload-role").Outputs["arn"].(string), name: "payments' workloads assume the kube role"},
	}
	var asks []iamAsk
	for _, c := range checks {
		role := p.named(t, "aws:iam/role:Role", c.role)
		action := c.action
		if action == "" {
			action = "sts:AssumeRole"
		}
		a := probe{name: c.name, action: action, resource: role.Outputs["arn"].(string), context: c.context}.ask("trust: ", caller(c.who))
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
