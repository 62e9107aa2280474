package tests

import (
	"slices"
	"testing"
)

// keptOnDestroy are the resources a destroy of the stack leaves in the cloud
// (retainOnDelete), besides the protected ones it refuses to delete.
var keptOnDestroy = map[string][]string{
	// Argo CD's default project goes with its namespace; one OIDC provider per account serves
	// every stack.
	"dev": {"argocd-default-project", "github-github-oidc"},
	// prod also keeps its audit trail and its way in: the EKS control-plane (audit) log group,
	// the VPC flow log group, the CodeBuild runners' build logs (what each deploy ran) and the NS
	// record in the parent zone.
	"prod": {"argocd-default-project", "cluster-control-plane-logs", "dns-delegation", "github-github-oidc", "network-flow-logs", "runners-logs"},
}

// What a destroy keeps, read from the plan: prod's audit and flow log groups and the parent
// zone's NS record are retained on delete (and the record may take over a kept one when the
// stack is rebuilt); dev keeps none of them. TestEngine's destroy checks the same list against
// the real engine.
func TestProdKeepsItsAuditTrailOnDestroy(t *testing.T) {
	for stack, want := range keptOnDestroy {
		p := stackPlan(t, stack)
		var kept []string
		for _, r := range p.Resources {
			if r.RetainOnDelete {
				kept = append(kept, r.Name)
			}
		}
		slices.Sort(kept)
		if !slices.Equal(kept, want) {
			t.Errorf("%s keeps on destroy %v, want %v", stack, kept, want)
		}
		delegation := p.named(t, "aws:route53/record:Record", "dns-delegation")
		if get(delegation, "allowOverwrite") != (stack == "prod") {
			t.Errorf("%s: the delegation's allowOverwrite is %v", stack, get(delegation, "allowOverwrite"))
		}
	}
}
