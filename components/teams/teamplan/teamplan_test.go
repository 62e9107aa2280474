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

func TestCheckDocument(t *testing.T) {
	doc := func(actions string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}]}`
	}
	for actions, want := range map[string]string{
		`["s3:GetObject","dynamodb:Query"]`: "",
		`"iam:GetRole"`:                     "",
		`"iam:List*"`:                       "",
		`"*"`:                               "wildcard",
		`"s3:*"`:                            "wildcard",
		`"iam:PassRole"`:                    "IAM write",
		`"iam:*"`:                           "wildcard",
		`"IAM:CreateUser"`:                  "IAM write",
		`"sts:AssumeRole"`:                  "assume other roles",
	} {
		got := strings.Join(checkDocument(doc(actions)), "; ")
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", actions, got, want)
		}
	}
	if got := checkDocument(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`); len(got) != 1 || !strings.Contains(got[0], "NotAction") {
		t.Errorf("NotAction: %v", got)
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
	rules := Rules{PlatformNamespaces: contract.PlatformNamespaces, Owner: "org", Partition: "aws",
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
