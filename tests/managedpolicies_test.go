package tests

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// awsOwnedArn matches AWS managed IAM policies and EKS access policies in any partition: the
// ARNs AWS owns, which exist or not whatever the program says (a wrong path fails only at
// `pulumi up`, with NoSuchEntity).
var awsOwnedArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):(iam::aws:policy/|eks::aws:cluster-access-policy/)`)

// existingManagedPolicies reads ../shared/fixtures/iam/aws-managed-policies.txt: the ARNs that
// exist, in partition aws.
func existingManagedPolicies(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(kubeapi.SharedPath(t, "fixtures/iam/aws-managed-policies.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	if len(out) < 10 || sc.Err() != nil {
		t.Fatalf("fixture has %d ARNs (%v)", len(out), sc.Err())
	}
	return out
}

// awsOwnedArns finds every AWS-owned policy ARN anywhere in a plan's inputs, with where it is.
func awsOwnedArns(p *planner.Plan) map[string]string {
	out := map[string]string{}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case string:
			if awsOwnedArn.MatchString(x) {
				out[x] = where
			}
		case []any:
			for _, e := range x {
				walk(where, e)
			}
		case map[string]any:
			for _, e := range x {
				walk(where, e)
			}
		}
	}
	for _, r := range p.Resources {
		walk(r.Name+" ("+r.Type+")", r.Inputs)
	}
	return out
}

// Every AWS managed policy and EKS access policy the program attaches or associates exists:
// in both example stacks and in variants that switch on every optional path.
func TestManagedPolicyArnsExist(t *testing.T) {
	exists := existingManagedPolicies(t)
	variants := map[string]planner.Input{"dev": stackInput(t, "dev"), "prod": stackInput(t, "prod")}
	// Every addon off: the paths that remain.
	off := stackInput(t, "dev")
	off.Config["platform:addons"] = `{"loadBalancerController":{"enabled":false},"externalDns":{"enabled":false},"externalSecrets":{"enabled":false},"clusterAutoscaler":{"enabled":false},"ebsCsi":{"enabled":false},"monitoring":{"enabled":false},"loki":{"enabled":false},"tempo":{"enabled":false}}`
	off.Config["platform:argocd"] = `{"enabled":false}`
	delete(off.Config, kTeams) // teams need External Secrets and the Load Balancer Controller
	variants["addons off"] = off
	// Secrets Manager and upsert-only in dev; an existing OIDC provider; other CI policies.
	opts := stackInput(t, "dev")
	opts.Config["platform:addons"] = `{"externalSecrets":{"secretsManager":true},"externalDns":{"policy":"upsert-only"}}`
	var g map[string]any
	if err := json.Unmarshal([]byte(opts.Config["platform:github"]), &g); err != nil {
		t.Fatal(err)
	}
	g["oidcProviderArn"] = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	g["ciPolicyArns"] = []any{"arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"}
	b, _ := json.Marshal(g)
	opts.Config["platform:github"] = string(b)
	variants["optional paths"] = opts
	// Another partition: ARNs built from the caller's partition are checked as partition aws.
	china := stackInput(t, "dev")
	china.Config["aws:region"] = "cn-north-1"
	edit("platform:network", "availabilityZones", []any{"cn-north-1a", "cn-north-1b"})(t, china.Config)
	// The teams name their managed policies in the stack's partition, as config requires.
	china.Config[kTeams] = strings.ReplaceAll(china.Config[kTeams], "arn:aws:iam::aws:policy/", "arn:aws-cn:iam::aws:policy/")
	china.Config[kTeams] = strings.ReplaceAll(china.Config[kTeams], "arn:aws:s3:::", "arn:aws-cn:s3:::")
	variants["aws-cn"] = china

	for name, in := range variants {
		t.Run(name, func(t *testing.T) {
			p, err := planner.Run(in, stacks.Program)
			if err != nil {
				t.Fatal(err)
			}
			arns := awsOwnedArns(p)
			if len(arns) < 3 {
				t.Fatalf("only %d AWS-owned policy ARNs found: %v", len(arns), arns)
			}
			var keys []string
			for arn := range arns {
				keys = append(keys, arn)
			}
			sort.Strings(keys)
			partitions := map[string]bool{}
			for _, arn := range keys {
				parts := strings.SplitN(arn, ":", 3)
				partitions[parts[1]] = true
				if canonical := "arn:aws:" + parts[2]; !exists[canonical] {
					t.Errorf("%s (%s) is not an AWS managed policy that exists (checked as %s)", arn, arns[arn], canonical)
				}
			}
			if name == "aws-cn" && !partitions["aws-cn"] {
				t.Errorf("aws-cn plan: partitions %v, want the ARNs the program builds in aws-cn", partitions)
			}
		})
	}
}

// Every managed policy a team may be given exists (config refuses the others by name).
func TestTeamManagedPoliciesExist(t *testing.T) {
	exists := existingManagedPolicies(t)
	for _, name := range teamplan.AllowedManagedPolicies {
		if arn := "arn:aws:iam::aws:policy/" + name; !exists[arn] {
			t.Errorf("%s is allowed for teams but is not an AWS managed policy that exists", arn)
		}
	}
}
