package tests

import (
	"encoding/json"
	"github.com/example/platform/components/databases/dbplan"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/planner"
)

// The team boundary against the IAM engine: a role of team search, under any identity policy
// its team's config could give it, reaches its own resources (capabilities) and nothing of
// team payments', the platform's or another stack's (attacks). Then the roles as planned:
// their own policies under their boundaries.

func teamProbe(team string, p probe) probe {
	p.context = merge(p.context, ctx("aws:PrincipalTag/platform-team", team))
	return p
}

func teamCapabilities() []probe {
	r := func(svc, res string) string { return simArn(svc, simRegion, res) }
	return []probe{
		{name: "read its bucket", action: "s3:GetObject", resource: "arn:aws:s3:::platform-dev-search-index/part-0"},
		{name: "read its parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/teams/search/db-url")},
		{name: "read its secret", action: "secretsmanager:GetSecretValue", resource: r("secretsmanager", "secret:platform-dev/teams/search/api-key-AbCdEf")},
		{name: "read its table", action: "dynamodb:GetItem", resource: r("dynamodb", "table/platform-dev-search-state")},
		{name: "push its image", action: "ecr:PutImage", resource: r("ecr", "repository/platform-dev/search/api")},
		{name: "write its logs", action: "logs:PutLogEvents", resource: r("logs", "log-group:/platform-dev/teams/search/app:log-stream:s1")},
		{name: "log in to a database as itself", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-ABCDEFGHIJ/search")},
		{name: "read its database's master secret", action: "secretsmanager:GetSecretValue", resource: r("secretsmanager", "secret:rds!db-0a1b-AbCdEf"),
			context: ctx("aws:ResourceTag/aws:rds:primaryDBInstanceArn", r("rds", "db:platform-dev-search-catalog"))},
		{name: "decrypt through SSM", action: "kms:Decrypt", resource: r("kms", "key/0dev"), context: ctx("kms:ViaService", "ssm.eu-north-1.amazonaws.com")},
		{name: "log in to ECR", action: "ecr:GetAuthorizationToken", resource: "*"},
		// Session Manager (its connect role, `platform connect db`): iam_connect_test.go.
		{name: "start a session with its database's document", action: "ssm:StartSession", resource: r("ssm", "document/platform-dev.search.catalog"),
			context: ctx("ssm:SessionDocumentAccessCheck", "true")},
		{name: "start a session on the access instance", action: "ssm:StartSession", resource: r("ec2", "instance/i-0access"),
			context: ctx("aws:ResourceTag/platform-access", "platform-dev", "ssm:SessionDocumentAccessCheck", "true")},
		{name: "end its own session", action: "ssm:TerminateSession", resource: r("ssm", "session/jane-0a1b2c3d4e5f67890"),
			context: ctx("aws:userid", "AROASEARCH:jane", "ssm:resourceTag/aws:ssmmessages:session-id", "AROASEARCH:jane")},
	}
}

func teamAttacks() []probe {
	r := func(svc, res string) string { return simArn(svc, simRegion, res) }
	return []probe{
		{name: "read payments' bucket", action: "s3:GetObject", resource: "arn:aws:s3:::platform-dev-payments-exports/2026.csv"},
		{name: "read the platform's logs bucket", action: "s3:GetObject", resource: "arn:aws:s3:::platform-dev-loki-20261207/fake/chunk"},
		{name: "read its namesake's bucket in prod", action: "s3:GetObject", resource: "arn:aws:s3:::platform-prod-search-index/part-0"},
		{name: "read payments' parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/teams/payments/db-url")},
		{name: "read the platform's parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/platform/github/deploy-key")},
		{name: "read payments' secret", action: "secretsmanager:GetSecretValue", resource: r("secretsmanager", "secret:platform-dev/teams/payments/api-key-AbCdEf")},
		{name: "send to a queue", action: "sqs:SendMessage", resource: r("sqs", "platform-dev-search-jobs")},
		{name: "publish to the platform's alarms", action: "sns:Publish", resource: r("sns", "platform-dev-alarms")},
		{name: "read payments' table", action: "dynamodb:GetItem", resource: r("dynamodb", "table/platform-dev-payments-ledger")},
		{name: "push payments' image", action: "ecr:PutImage", resource: r("ecr", "repository/platform-dev/payments/api")},
		{name: "write payments' logs", action: "logs:PutLogEvents", resource: r("logs", "log-group:/platform-dev/teams/payments/app:log-stream:s1")},
		{name: "log in to a database as payments", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-ABCDEFGHIJ/payments")},
		{name: "read payments' database's master secret", action: "secretsmanager:GetSecretValue", resource: r("secretsmanager", "secret:rds!db-9z8y-AbCdEf"),
			context: ctx("aws:ResourceTag/aws:rds:primaryDBInstanceArn", r("rds", "db:platform-dev-payments-ledger"))},
		{name: "decrypt directly", action: "kms:Decrypt", resource: r("kms", "key/0dev")},
		{name: "give itself the cluster", action: "eks:CreateAccessEntry", resource: r("eks", "cluster/platform-dev")},
		{name: "assume a platform role", action: "sts:AssumeRole", resource: simArn("iam", "", "role/platform-dev/platform/addons-loki-role-1a2b")},
		{name: "create a role", action: "iam:CreateRole", resource: simArn("iam", "", "role/platform-dev/teams/escape")},
		{name: "pass a role", action: "iam:PassRole", resource: simArn("iam", "", "role/platform-dev/platform/cluster-node-role-1a2b")},
		{name: "open the metadata service", action: "ec2:ModifyInstanceMetadataOptions", resource: r("ec2", "instance/i-0dev")},
		{name: "list the account's instances", action: "ec2:DescribeInstances", resource: "*"},
		{name: "start a session with payments' document", action: "ssm:StartSession", resource: r("ssm", "document/platform-dev.payments.ledger")},
		{name: "forward to any host", action: "ssm:StartSession", resource: r("ssm", "document/AWS-StartPortForwardingSessionToRemoteHost")},
		{name: "open a shell", action: "ssm:StartSession", resource: r("ssm", "document/SSM-SessionManagerRunShell")},
		{name: "start a session on a node", action: "ssm:StartSession", resource: r("ec2", "instance/i-0node"),
			context: ctx("aws:ResourceTag/platform:cluster", "platform-dev", "ssm:SessionDocumentAccessCheck", "true")},
		{name: "start a session on the access instance without the document check", action: "ssm:StartSession", resource: r("ec2", "instance/i-0access"),
			context: ctx("aws:ResourceTag/platform-access", "platform-dev", "ssm:SessionDocumentAccessCheck", "false")},
		{name: "start a session on a tagged instance in another region", action: "ssm:StartSession", resource: simArn("ec2", "us-east-1", "instance/i-0access"),
			context: ctx("aws:ResourceTag/platform-access", "platform-dev", "ssm:SessionDocumentAccessCheck", "true")},
		{name: "send a command to the access instance", action: "ssm:SendCommand", resource: r("ec2", "instance/i-0access"),
			context: ctx("aws:ResourceTag/platform-access", "platform-dev")},
		{name: "end another's session", action: "ssm:TerminateSession", resource: r("ssm", "session/john-0a1b2c3d4e5f67890"),
			context: ctx("aws:userid", "AROASEARCH:jane", "ssm:resourceTag/aws:ssmmessages:session-id", "AROAPAYMENTS:john")},
		{name: "end its own session in another region", action: "ssm:TerminateSession", resource: simArn("ssm", "us-east-1", "session/jane-0a1b2c3d4e5f67890"),
			context: ctx("aws:userid", "AROASEARCH:jane", "ssm:resourceTag/aws:ssmmessages:session-id", "AROASEARCH:jane")},
	}
}

func TestTeamBoundaryAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	boundary := mustParse(t, getString(p.named(t, "aws:iam/policy:Policy", "boundary-team-policy"), "policy"))
	arn := simArn("iam", "", "role/platform-dev/teams/teams-search-workload-role-1a2b")
	var caps, attacks []probe
	for _, c := range teamCapabilities() {
		caps = append(caps, teamProbe("search", c))
	}
	for _, a := range teamAttacks() {
		attacks = append(attacks, teamProbe("search", a))
	}
	// A role without the team tag reaches no team's resources: the boundary's variable has
	// nothing to name.
	for _, c := range teamCapabilities()[:7] {
		c.name = "untagged: " + c.name
		attacks = append(attacks, c)
	}
	proveLayer(t, layer{name: "team boundary", doc: boundary, principal: boundaryLayer(arn), attacks: attacks, capabilities: caps,
		equivalent: map[string]string{
			"TeamDatabaseSecrets: on every resource": "only RDS can put an aws: tag on a secret, and it puts aws:rds:primaryDBInstanceArn on the master secrets it manages",
		}})
}

// roleOf is a planned role as IAM sees it: its inline policies, its boundary (by ARN, from the
// plan's boundary policies) and its tags as principal tags.
func roleOf(t *testing.T, p *plan, name string) (iamPrincipal, map[string]any) {
	t.Helper()
	role := p.named(t, "aws:iam/role:Role", name)
	pr := iamPrincipal{Arn: role.Outputs["arn"].(string)}
	for _, rp := range p.ofType("aws:iam/rolePolicy:RolePolicy") {
		if contains(rp.PropertyDependencies["role"], role.URN) {
			pr.IdentityPolicies = append(pr.IdentityPolicies, json.RawMessage(getString(rp, "policy")))
		}
	}
	for _, b := range p.ofType("aws:iam/policy:Policy") {
		if strings.HasSuffix(getString(role, "permissionsBoundary"), ":policy/"+getString(b, "name")) {
			pr.Boundary = json.RawMessage(getString(b, "policy"))
		}
	}
	if len(pr.IdentityPolicies) == 0 || pr.Boundary == nil {
		t.Fatalf("role %s: %d policies, boundary %v", name, len(pr.IdentityPolicies), pr.Boundary != nil)
	}
	tags := map[string]any{}
	if m, ok := role.Inputs["tags"].(map[string]any); ok {
		for k, v := range m {
			tags["aws:PrincipalTag/"+k] = v
		}
	}
	return pr, tags
}

// The roles as planned, under their boundaries: each does its job and no other.
func TestPlannedRolesAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	r := func(svc, res string) string { return simArn(svc, simRegion, res) }
	bucket := func(name string) string {
		return "arn:aws:s3:::" + p.named(t, "aws:s3/bucketV2:BucketV2", name).Outputs["bucket"].(string)
	}
	zone := p.named(t, typeZone, "dns-zone").ID
	role := func(name string) string { return p.named(t, "aws:iam/role:Role", name).Outputs["arn"].(string) }
	type check struct {
		role   string
		probe  probe
		allow  bool
		policy json.RawMessage // the resource's policy (a role's trust)
	}
	trust := func(name string) json.RawMessage {
		return json.RawMessage(getString(p.named(t, "aws:iam/role:Role", name), "assumeRolePolicy"))
	}
	checks := []check{
		{role: "teams-search-workload-role", probe: probe{name: "reads its index", action: "s3:GetObject", resource: "arn:aws:s3:::platform-dev-search-index/part-0"}, allow: true},
		{role: "teams-search-workload-role", probe: probe{name: "writes its index (its policy reads only)", action: "s3:PutObject", resource: "arn:aws:s3:::platform-dev-search-index/part-0"}},
		{role: "teams-search-workload-role", probe: probe{name: "reads payments' bucket", action: "s3:GetObject", resource: "arn:aws:s3:::platform-dev-payments-exports/x"}},
		{role: "teams-search-secrets-role", probe: probe{name: "reads its parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/teams/search/db-url")}, allow: true},
		{role: "teams-search-secrets-role", probe: probe{name: "reads payments' parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/teams/payments/db-url")}},
		// IAM database login (the scaffold's apps) to its database as planned (the mocks' resource id):
		// as the team's user, not as another's or the master.
		{role: "teams-payments-workload-role", probe: probe{name: "logs in to its database as payments", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-DATABASES-PAYMENTS-LEDGER-ID/payments")}, allow: true},
		{role: "teams-payments-workload-role", probe: probe{name: "logs in to another database as payments", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-DATABASES-SEARCH-INDEX-ID/payments")}},
		{role: "teams-payments-workload-role", probe: probe{name: "logs in as search", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-DATABASES-PAYMENTS-LEDGER-ID/search")}},
		{role: "teams-payments-workload-role", probe: probe{name: "logs in as the master user", action: "rds-db:connect", resource: r("rds-db", "dbuser:db-DATABASES-PAYMENTS-LEDGER-ID/"+dbplan.MasterUsername)}},
		{role: "teams-payments-push-role", probe: probe{name: "pushes its image", action: "ecr:PutImage", resource: r("ecr", "repository/platform-dev/payments/payments-api")}, allow: true},
		{role: "teams-payments-push-role", probe: probe{name: "pushes search's image", action: "ecr:PutImage", resource: r("ecr", "repository/platform-dev/search/api")}},
		// The Load Balancer Controller (upstream's policy): load balancers and security groups
		// it tagged as a cluster's, nothing untagged.
		{role: "addons-aws-load-balancer-controller-role", probe: probe{name: "creates a load balancer with the cluster tag", action: "elasticloadbalancing:CreateLoadBalancer",
			resource: r("elasticloadbalancing", "loadbalancer/app/k8s-platform-0a1b2c/0123456789abcdef"), context: ctx("aws:RequestTag/elbv2.k8s.aws/cluster", "platform-dev", "aws:TagKeys", []string{"elbv2.k8s.aws/cluster"})}, allow: true},
		{role: "addons-aws-load-balancer-controller-role", probe: probe{name: "creates an untagged load balancer", action: "elasticloadbalancing:CreateLoadBalancer",
			resource: r("elasticloadbalancing", "loadbalancer/app/billing/0123456789abcdef")}},
		{role: "addons-aws-load-balancer-controller-role", probe: probe{name: "deletes an untagged load balancer", action: "elasticloadbalancing:DeleteLoadBalancer",
			resource: r("elasticloadbalancing", "loadbalancer/app/billing/0123456789abcdef")}},
		// (Upstream's policy lets it change the ingress rules of any security group: README,
		// "Permissions boundaries", known limits.)
		{role: "addons-aws-load-balancer-controller-role", probe: probe{name: "deletes an untagged security group", action: "ec2:DeleteSecurityGroup",
			resource: r("ec2", "security-group/sg-0billing")}},
		{role: "addons-aws-load-balancer-controller-role", probe: probe{name: "raises an instance's metadata hop limit", action: "ec2:ModifyInstanceMetadataOptions",
			resource: r("ec2", "instance/i-0node")}},
		// The Cluster Autoscaler: its own cluster's groups only.
		{role: "addons-cluster-autoscaler-role", probe: probe{name: "scales its cluster's group", action: "autoscaling:SetDesiredCapacity",
			resource: r("autoscaling", "autoScalingGroup:0a1b:autoScalingGroupName/eks-general-0a1b"),
			context:  ctx("aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", "true", "aws:ResourceTag/k8s.io/cluster-autoscaler/platform-dev", "owned")}, allow: true},
		{role: "addons-cluster-autoscaler-role", probe: probe{name: "scales prod's group", action: "autoscaling:SetDesiredCapacity",
			resource: r("autoscaling", "autoScalingGroup:0c1d:autoScalingGroupName/eks-general-0c1d"),
			context:  ctx("aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", "true", "aws:ResourceTag/k8s.io/cluster-autoscaler/platform-prod", "owned")}},
		{role: "addons-loki-role", probe: probe{name: "writes its chunks", action: "s3:PutObject", resource: bucket("addons-loki-bucket") + "/fake/chunk"}, allow: true},
		{role: "addons-tempo-role", probe: probe{name: "reads Loki's logs", action: "s3:GetObject", resource: bucket("addons-loki-bucket") + "/fake/chunk"}},
		{role: "addons-loki-role", probe: probe{name: "reads Tempo's traces", action: "s3:GetObject", resource: bucket("addons-tempo-bucket") + "/single-tenant/x"}},
		{role: "addons-external-dns-role", probe: probe{name: "changes the stack's records", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/" + zone}, allow: true},
		{role: "addons-external-dns-role", probe: probe{name: "changes the parent zone", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789EXAMPLEORG"}},
		{role: "addons-external-secrets-role", probe: probe{name: "reads a platform parameter", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/platform/grafana/admin")}, allow: true},
		{role: "addons-external-secrets-role", probe: probe{name: "reads a team's parameter itself", action: "ssm:GetParameter", resource: r("ssm", "parameter/platform-dev/teams/search/db-url")}},
		{role: "addons-external-secrets-role", probe: probe{name: "assumes search's secrets role", action: "sts:AssumeRole", resource: role("teams-search-secrets-role")},
			allow: true, policy: trust("teams-search-secrets-role")},
		{role: "addons-external-secrets-role", probe: probe{name: "tags its session as payments' (a SecretStore's sessionTags)", action: "sts:TagSession", resource: role("teams-search-secrets-role"),
			context: ctx("aws:TagKeys", []string{"platform-team"}, "aws:RequestTag/platform-team", "payments")}, policy: trust("teams-search-secrets-role")},
		{role: "addons-external-secrets-role", probe: probe{name: "assumes search's workload role", action: "sts:AssumeRole", resource: role("teams-search-workload-role")},
			policy: trust("teams-search-workload-role")},
		{role: "addons-external-secrets-role", probe: probe{name: "assumes Loki's role", action: "sts:AssumeRole", resource: role("addons-loki-role")}, policy: trust("addons-loki-role")},
	}
	var asks []iamAsk
	for i, c := range checks {
		pr, tags := roleOf(t, p, c.role)
		c.probe.context = merge(c.probe.context, tags)
		a := c.probe.ask(c.role+" "+c.probe.name+"|", pr)
		if c.policy != nil {
			a.ResourcePolicy = c.policy
		}
		asks = append(asks, a)
		checks[i] = c
	}
	verdicts := askIAM(t, asks)
	for i, c := range checks {
		if v := verdicts[asks[i].Name]; v.Result != "Error" && v.Allowed != c.allow {
			t.Errorf("%s %s: %s, want allowed=%v", c.role, c.probe.name, v.Result, c.allow)
		}
	}
}

// Every IAM document of every plan variant, as the engine reads AWS's service reference: no
// action that does not exist, no condition key that does not exist or that IAM never sets for
// the statement's actions (a condition that silently never matches, or always does).
func TestEveryPlannedIAMDocumentIsWellFormed(t *testing.T) {
	var docs []iamDocument
	for variant, p := range planVariants(t) {
		add := func(r planner.Resource, field, kind string) {
			if s := r.GetString(field); s != "" {
				docs = append(docs, iamDocument{Name: variant + " " + r.Name + "." + field, Document: json.RawMessage(s), Type: kind})
			}
		}
		for _, r := range p.OfType("aws:iam/rolePolicy:RolePolicy") {
			add(r, "policy", "identity")
		}
		for _, r := range p.OfType("aws:iam/policy:Policy") {
			add(r, "policy", "boundary")
		}
		for _, r := range p.OfType("aws:iam/role:Role") {
			add(r, "assumeRolePolicy", "trust")
		}
		for _, r := range p.OfType("aws:kms/key:Key") {
			add(r, "policy", "resource")
		}
	}
	if len(docs) < 20 {
		t.Fatalf("only %d documents in the plans", len(docs))
	}
	problems := checkIAMDocuments(t, docs)
	for _, d := range docs {
		for _, pr := range problems[d.Name] {
			// An OIDC provider's keys are named by its host (token.actions.githubusercontent.com:sub):
			// they are the provider's claims, not in any service's reference.
			if d.Type == "trust" && pr.Kind == "unknownConditionKey" && oidcKey(pr.ConditionKey) {
				continue
			}
			t.Errorf("%s: statement %d %s: %s %s %s", d.Name, pr.Statement, pr.Sid, pr.Kind, pr.ConditionKey+pr.Action, pr.Message)
		}
	}
	t.Logf("%d documents checked", len(docs))
}

// The team policy check's action catalog is iam-data's, as the engine has it.
func TestTeamActionCatalogIsTheEngines(t *testing.T) {
	c, err := teamplan.Actions()
	if err != nil {
		t.Fatal(err)
	}
	services := slices.Sorted(maps.Keys(c.Services))
	var out struct {
		Catalog map[string][]struct {
			Name         string `json:"name"`
			WildcardOnly bool   `json:"wildcardOnly"`
		} `json:"catalog"`
		Meta struct {
			IamDataVersion string `json:"iamDataVersion"`
		} `json:"meta"`
	}
	runEnforcer(t, "iam-engine", map[string]any{"catalog": services}, &out)
	if !strings.HasSuffix(c.Source, out.Meta.IamDataVersion) {
		t.Errorf("catalog from %s, engine has iam-data %s: regenerate components/teams/teamplan/actions.json", c.Source, out.Meta.IamDataVersion)
	}
	for _, svc := range services {
		var names, wildcard []string
		for _, a := range out.Catalog[svc] {
			names = append(names, a.Name)
			if a.WildcardOnly {
				wildcard = append(wildcard, a.Name)
			}
		}
		if !slices.Equal(names, c.Services[svc].Actions) || !slices.Equal(wildcard, c.Services[svc].WildcardOnly) {
			t.Errorf("%s: the catalog's %d actions (%d wildcard-only) differ from the engine's %d (%d)", svc,
				len(c.Services[svc].Actions), len(c.Services[svc].WildcardOnly), len(names), len(wildcard))
		}
	}
}

func oidcKey(key string) bool {
	host, claim, ok := strings.Cut(key, ":")
	return ok && strings.Contains(host, ".") && slices.Contains([]string{"sub", "aud", "amr"}, claim)
}
