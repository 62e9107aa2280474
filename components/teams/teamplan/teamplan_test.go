package teamplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

func TestParseQuantity(t *testing.T) {
	for in, want := range map[string]float64{"500m": 0.5, "2": 2, "1.5": 1.5, "512Mi": 512 << 20, "16Gi": 16 << 30, "1k": 1000} {
		if got, err := ParseQuantity(in); err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "512MB", "-1", "1.5.2", "Gi"} {
		if _, err := ParseQuantity(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A team's document names existing actions of the team's services, on the team's own resources
// only: every escape is refused with a message naming the statement and what is allowed, and
// the team's legitimate uses pass.
func TestCheckDocument(t *testing.T) {
	scope := DocumentScope{Account: contract.Account{Partition: "aws", Region: "eu-north-1", ID: "111122223333"}, Cluster: "c1", Team: "search"}
	doc := func(actions, resources string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":` + resources + `}]}`
	}
	for _, tc := range []struct{ actions, resources, want string }{
		// What a team does with its own resources.
		{`["s3:GetObject","s3:PutObject"]`, `"arn:aws:s3:::c1-search-index/*"`, ""},
		{`"s3:List*"`, `"arn:aws:s3:::c1-search-index"`, ""},
		{`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/c1/teams/search/app/*"`, ""},
		{`"secretsmanager:GetSecretValue"`, `"arn:aws:secretsmanager:eu-north-1:111122223333:secret:c1/teams/search/db-*"`, ""},
		{`["sqs:SendMessage","sqs:ReceiveMessage"]`, `"arn:aws:sqs:eu-north-1:111122223333:c1-search-jobs"`, `allows "sqs:SendMessage": a team's role uses s3, ssm`},
		{`"dynamodb:Query"`, `"arn:aws:dynamodb:eu-north-1:111122223333:table/c1-search-docs/index/by-date"`, ""},
		{`"rds-db:connect"`, `"arn:aws:rds-db:eu-north-1:111122223333:dbuser:db-ABC123/search"`, ""},
		{`"cloudwatch:PutMetricData"`, `"*"`, ""},
		{`"ecr:GetAuthorizationToken"`, `"*"`, ""},
		// The escapes.
		{`"*"`, `"*"`, "wildcard actions are not allowed"},
		{`"s3:*"`, `"arn:aws:s3:::c1-search-index/*"`, "wildcard actions are not allowed"},
		{`"iam:GetRole"`, `"*"`, "uses s3, ssm"},
		{`"sts:AssumeRoleWithWebIdentity"`, `"*"`, "and IAM, STS, EKS and EC2 never"},
		{`"eks:CreateAccessEntry"`, `"*"`, "and IAM, STS, EKS and EC2 never"},
		{`"ec2:ModifyInstanceMetadataOptions"`, `"*"`, "and IAM, STS, EKS and EC2 never"},
		{`"kms:Decrypt"`, `"*"`, "uses s3, ssm"},
		{`"dynamodb:Qurey"`, `"arn:aws:dynamodb:eu-north-1:111122223333:table/c1-search-docs"`, "which is no action of dynamodb"},
		{`"s3:GetObject"`, `"*"`, `names Resource "*": name the team's resources (arn:aws:s3:::c1-search-*)`},
		{`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/c1/platform/grafana/admin-password"`, "which is not the team's"},
		{`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/c1/teams/payments/*"`, "which is not the team's"},
		{`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/c1/teams/search*"`, "which is not the team's"},
		{`"secretsmanager:GetSecretValue"`, `"arn:aws:secretsmanager:eu-north-1:111122223333:secret:rds!db-1234"`, "which is not the team's"},
		{`"s3:GetObject"`, `"arn:aws:s3:::c1-loki/*"`, "which is not the team's"},
		{`"s3:GetObject"`, `"arn:aws:s3:::c1-*"`, "which is not the team's"},
		{`"s3:GetObject"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/c1/teams/search/x"`, "a resource of ssm, which none of its actions are"},
		{`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:999999999999:parameter/c1/teams/search/x"`, "outside the stack's partition, region or account"},
		{`"rds-db:connect"`, `"arn:aws:rds-db:eu-north-1:111122223333:dbuser:*/*"`, "which is not the team's"},
		{`"rds-db:connect"`, `"arn:aws:rds-db:eu-north-1:111122223333:dbuser:db-1/payments"`, "which is not the team's"},
	} {
		got := strings.Join(CheckDocument(doc(tc.actions, tc.resources), scope), "; ")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s on %s: %q, want %q", tc.actions, tc.resources, got, tc.want)
		}
	}
	for raw, want := range map[string]string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`:                             "uses NotAction",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::c1-loki/*"}]}`: "uses NotResource",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":{"AWS":"*"}}]}`: "names a principal",
		`{"Statement":`: "is not an IAM policy document",
	} {
		if got := strings.Join(CheckDocument(raw, scope), "; "); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
	// At config time the account is unknown: any account passes there, the component checks.
	config := scope
	config.Account.ID = ""
	if got := CheckDocument(doc(`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:999999999999:parameter/c1/teams/search/x"`), config); len(got) != 0 {
		t.Errorf("config time: %v", got)
	}
}

// What a team's project reaches: its namespaces in this cluster, nothing cluster-scoped.
func TestProjectSpec(t *testing.T) {
	tm := DefaultTeam()
	tm.Name, tm.Namespaces, tm.Repos, tm.GitHubTeam = "a", []string{"a", "a-jobs"}, []string{"org/a-api"}, "a-devs"
	spec := ProjectSpec(tm, "org", "git@github.com:org/gitops.git")
	if got := spec["sourceRepos"].([]any); len(got) != 2 || got[1] != "https://github.com/org/a-api.git" {
		t.Errorf("sources %v", got)
	}
	if d := spec["destinations"].([]any); len(d) != 2 || d[1].(map[string]any)["namespace"] != "a-jobs" {
		t.Errorf("destinations %v", d)
	}
	role := spec["roles"].([]any)[0].(map[string]any)
	if role["groups"].([]any)[0] != "org:a-devs" || !strings.Contains(role["policies"].([]any)[0].(string), "team-a/*") {
		t.Errorf("role %v", role)
	}
	tm.GitHubTeam = ""
	if _, ok := ProjectSpec(tm, "org", "r")["roles"]; ok {
		t.Error("a project role without a GitHub team")
	}
}

// The secrets policy reaches the team's prefix only; the push trust names subjects exactly
// (the stack's environment of each repository, never a branch or tag) and pins the audience.
func TestIAM(t *testing.T) {
	a := contract.Account{ID: "1", Partition: "aws", Region: "eu-north-1"}
	doc := SecretsPolicy(a, "c1", "a", "arn:aws:kms:eu-north-1:1:key/k").JSON()
	if !strings.Contains(doc, "parameter/c1/teams/a/*") || !strings.Contains(doc, "secret:c1/teams/a/*") || strings.Contains(doc, "parameter/c1/*") {
		t.Errorf("secrets policy %s", doc)
	}
	subjects := PushSubjects("org", []string{"a-api", "org/a-web"}, "prod")
	want := "repo:org/a-api:environment:prod repo:org/a-web:environment:prod"
	if strings.Join(subjects, " ") != want {
		t.Errorf("subjects %v", subjects)
	}
	trust := PushTrust("arn:p", subjects, "token.actions.githubusercontent.com", "sts.amazonaws.com")
	c := trust.Statement[0].Condition
	if c["StringEquals"]["token.actions.githubusercontent.com:aud"][0] != "sts.amazonaws.com" || len(c["StringEquals"]["token.actions.githubusercontent.com:sub"]) != 2 ||
		len(c) != 1 {
		t.Errorf("push trust %s", trust.JSON())
	}
}

// Validate: a clean pair of teams passes; the rules that need the rest of the stack use it.
func TestValidate(t *testing.T) {
	a, b := DefaultTeam(), DefaultTeam()
	a.Name, a.Namespaces = "a", []string{"a"}
	b.Name, b.Namespaces = "b", []string{"b"}
	rules := Rules{PlatformNamespaces: contract.PlatformNamespaces, Owner: "org", Account: contract.Account{Partition: "aws", Region: "eu-north-1"}, Cluster: "c1",
		AdminRoleArns: []string{"arn:aws:iam::111122223333:role/admin"}}
	if got := Validate([]Team{a, b}, rules); len(got) != 0 {
		t.Fatalf("valid teams refused: %v", got)
	}
	b.AccessRoleArns = []string{"arn:aws:iam::111122223333:role/admin"}
	b.Policies.ManagedPolicyArns = []string{"arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy"}
	got := Validate([]Team{a, b}, rules)
	if len(got) != 2 || got[0].Path != "[1].accessRoleArns[0]" || got[1].Path != "[1].policies.managedPolicyArns[0]" {
		t.Errorf("problems %v", got)
	}
}

// What Git may create in a team's namespace (its project's kinds) is what its members may
// write there: Argo CD never does for a team more than the team's own RBAC allows.
func TestProjectKindsAreTheMembersKinds(t *testing.T) {
	writable := map[string]bool{}
	for _, rules := range [][]any{DeveloperRules(), SecretsRules()} {
		for _, r := range rules {
			m := r.(map[string]any)
			if !slices.Contains(m["verbs"].([]any), any("create")) {
				continue
			}
			for _, res := range m["resources"].([]any) {
				writable[m["apiGroups"].([]any)[0].(string)+"/"+res.(string)] = true
			}
		}
	}
	for _, k := range ProjectKinds {
		plural := strings.ToLower(k.Kind) + "s"
		if k.Kind == "Ingress" {
			plural = "ingresses"
		}
		if !writable[k.Group+"/"+plural] {
			t.Errorf("the project admits %s/%s, which the team's members may not write", k.Group, k.Kind)
		}
	}
	if len(ProjectKinds) < 15 {
		t.Errorf("only %d kinds", len(ProjectKinds))
	}
}
