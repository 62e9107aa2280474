package tests

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/runner"
)

// The data a prod destroy leaves: protected resources that keep nothing else.
// The backups outlive the stack: their vaults (here and in the copy region) and keys.
var prodKeeps = []string{"addons-loki-bucket", "addons-tempo-bucket", "backup-copy-key", "backup-copy-vault", "backup-key", "backup-vault",
	"cluster-secrets-key", "dns-zone", "logs-key"}

var unprotectLine = regexp.MustCompile(`(?m)^  (pulumi state unprotect --stack \S+ --yes '([^']+)')$`)

// destroy through the runner. prod: refused without --confirm-destroy; refused even with it
// while protected resources would stop Pulumi halfway, naming the commands that unprotect
// them; run as the operator is told, it deletes everything but the protected data. Either
// stack: every resource is deleted after everything that depends on it, in the order the
// README promises, read from the provider's journal.
func engineDestroy(t *testing.T, s *engineStack) {
	_, before := s.export(t)
	from := s.journalLen(t)
	wantLeft := []string(nil)
	if s.name == "prod" {
		destroyProd(t, s, func() {
			if e := s.journalFrom(t, from); len(e) != 0 {
				t.Fatalf("refused destroys called the provider: %v", ops(e))
			}
		})
		wantLeft = prodKeeps
	} else {
		s.run(t, runner.Destroy)
	}

	// retainOnDelete resources leave the state without a call to the provider.
	var retained []string
	for _, r := range before.managed() {
		if r.RetainOnDelete {
			retained = append(retained, name(r.URN))
		}
	}
	sort.Strings(retained)
	if want := keptOnDestroy[s.name]; !slices.Equal(retained, want) {
		t.Errorf("retained on delete: %v, want %v (keptOnDestroy)", retained, want)
	}
	entries := s.journalFrom(t, from)
	wantDeletes := len(before.managed()) - len(wantLeft) - len(retained)
	if got := ops(entries); len(got) != 1 || got["delete"] != wantDeletes {
		t.Errorf("the destroy's calls: %v, want %d deletes", got, wantDeletes)
	}
	for _, e := range entries {
		if slices.Contains(retained, name(e.URN)) {
			t.Errorf("%s is retained on delete, yet the provider was asked to delete it", name(e.URN))
		}
	}
	_, after := s.export(t)
	var left []string
	for _, r := range after.managed() {
		left = append(left, name(r.URN))
	}
	sort.Strings(left)
	if !slices.Equal(left, wantLeft) {
		t.Errorf("left after destroy: %v, want %v", left, wantLeft)
	}

	deleted := positions(entries, "delete")
	edges := 0
	for _, r := range before.managed() {
		at, gone := deleted[r.URN]
		if r.RetainOnDelete {
			continue
		}
		for _, dep := range before.dependsOn(r) {
			if slices.Contains(retained, name(dep)) {
				continue
			}
			d, depGone := deleted[dep]
			switch {
			case !gone && depGone:
				t.Errorf("%s was deleted although %s, which depends on it, stays", name(dep), name(r.URN))
			case gone && depGone:
				edges++
				if d < at {
					t.Errorf("%s was deleted before %s, which depends on it", name(dep), name(r.URN))
				}
			}
		}
	}
	if edges < len(entries) {
		t.Errorf("%d dependency edges among %d deletes: the state's dependencies were not read", edges, len(entries))
	}

	// The README's promises, each over a non-empty set.
	of := func(match func(typ, n string) bool) []string {
		var out []string
		for _, r := range before.managed() {
			if match(r.Type, name(r.URN)) {
				out = append(out, r.URN)
			}
		}
		if len(out) == 0 {
			t.Fatal("a promise about resources the stack does not have")
		}
		return out
	}
	const lbc = "addons-aws-load-balancer-controller"
	releases := of(func(typ, n string) bool { return typ == "kubernetes:helm.sh/v3:Release" && n != lbc })
	controller := of(func(_, n string) bool { return n == lbc })
	nodeGroups := of(func(typ, _ string) bool { return typ == "aws:eks/nodeGroup:NodeGroup" })
	cluster := of(func(typ, _ string) bool { return typ == "aws:eks/cluster:Cluster" })
	vpc := of(func(typ, _ string) bool { return typ == "aws:ec2/vpc:Vpc" })
	ingresses := append(releases, of(func(typ, _ string) bool {
		return typ == "kubernetes:helm.sh/v3:Release" || strings.HasPrefix(typ, "kubernetes:networking.k8s.io/v1:Ingress")
	})...)
	for _, p := range []struct {
		what          string
		first, second []string
	}{
		{"Ingresses and Helm releases before the Load Balancer Controller", ingresses, controller},
		{"releases before node groups", append(releases, controller...), nodeGroups},
		{"node groups before the cluster", nodeGroups, cluster},
		{"the cluster before the VPC", cluster, vpc},
	} {
		for _, a := range p.first {
			for _, b := range p.second {
				if a == b {
					continue
				}
				if deleted[a] > deleted[b] {
					t.Errorf("%s: %s was deleted after %s", p.what, name(a), name(b))
				}
			}
		}
	}
}

// destroyProd destroys prod as its operator would: refused without --confirm-destroy; refused
// even with it while protected resources would stop Pulumi halfway, naming the commands that
// unprotect them (checked runs after the refusals); then, run as the operator is told, it
// deletes everything but the protected data.
func destroyProd(t *testing.T, s *engineStack, checked func()) {
	t.Helper()
	if _, err := s.runExpectingError(t, runner.Destroy); err == nil {
		t.Fatal("prod destroyed without --confirm-destroy")
	}
	_, err := s.runExpectingError(t, runner.Destroy, s.name)
	if err == nil || !strings.Contains(err.Error(), "half destroyed") {
		t.Fatalf("a destroy that protected resources stop halfway was not refused: %v", err)
	}
	checked()
	var unprotected []string
	for _, m := range unprotectLine.FindAllStringSubmatch(err.Error(), -1) {
		unprotected = append(unprotected, name(m[2]))
		cmd := exec.Command("pulumi", "state", "unprotect", "--stack", s.name, "--yes", m[2])
		cmd.Dir = s.dir
		for k, v := range s.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", m[1], err, out)
		}
	}
	sort.Strings(unprotected)
	if want := "addons-external-secrets argocd-release cluster-eks cluster-eks-eksCluster"; strings.Join(unprotected, " ") != want {
		t.Errorf("told to unprotect %v, want %s: the protected resources that keep the cluster", unprotected, want)
	}
	out, err := s.runExpectingError(t, runner.Destroy, s.name)
	if err != nil {
		t.Fatalf("confirmed destroy of prod: %v\n%s", err, tail(out, 40))
	}
	if want := fmt.Sprintf("and leaves %d protected resource(s): %s\n", len(prodKeeps), strings.Join(prodKeeps, ", ")); !strings.Contains(out, want) {
		t.Errorf("the runner did not say %q:\n%s", want, tail(out, 60))
	}
	kept := keptOnDestroy["prod"]
	if want := fmt.Sprintf("and keeps %d resource(s) in the cloud, out of the state (retainOnDelete): %s\n", len(kept), strings.Join(kept, ", ")); !strings.Contains(out, want) {
		t.Errorf("the runner did not say %q:\n%s", want, tail(out, 60))
	}
}
