package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// The example stacks run a Kubernetes version in EKS standard support on the calendar's date.
func TestExampleStacksAreInStandardSupport(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		eks := stackPlan(t, stack).named(t, typeEKS, "cluster-eks")
		version := getString(eks, "version")
		if _, s := pricing.EKSSupport(version, pricing.MustParseDate(pricing.EKSCalendarDate)); s != pricing.Standard {
			t.Errorf("%s runs Kubernetes %s, which is %s on %s", stack, version, s, pricing.EKSCalendarDate)
		}
	}
}

// A one-minor bump is an in-place update: the control plane, each node group, the EKS managed
// addons and the Cluster Autoscaler's image change, nothing is replaced or created.
func TestKubernetesUpgradeIsInPlace(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			base := stackPlan(t, stack).Plan
			head := planWith(t, stack, edit(kCluster, "kubernetesVersion", "1.36"))
			r := diff.Plans(base, head)
			if r.Refused != "" || r.Upgrade != "1.35 -> 1.36" {
				t.Fatalf("upgrade %q refused %q", r.Upgrade, r.Refused)
			}
			if len(r.Added)+len(r.Removed)+len(r.Renamed) != 0 {
				t.Errorf("an upgrade adds %d, removes %d and renames %d resources", len(r.Added), len(r.Removed), len(r.Renamed))
			}
			changed := map[string][]string{}
			for _, c := range r.Changed {
				if len(c.Replace) > 0 {
					t.Errorf("%s is replaced (%v)", c.Name, c.Replace)
				}
				changed[c.Name] = c.Keys
			}
			for name, key := range map[string]string{
				"cluster-eks": "version", "cluster-general-ng": "version",
				"addons-pod-identity-agent": "addonVersion", "addons-ebs-csi": "addonVersion",
				"addons-metrics-server": "addonVersion", "addons-coredns": "addonVersion", "addons-cluster-autoscaler": "values.image",
			} {
				if !contains(changed[name], key) {
					t.Errorf("%s: changed %v, want %s to follow the new version", name, changed[name], key)
				}
			}
			if len(changed) != 7 {
				t.Errorf("changed %v, want exactly the version-bound resources", changed)
			}
			var got bytes.Buffer
			if err := r.Markdown(&got); err != nil {
				t.Fatal(err)
			}
			golden(t, "diff-upgrade-"+stack+".md", got.Bytes())
		})
	}
}

// Skipping a minor version, or going down, is refused by the diff and by `platform diff`,
// which exits non-zero.
func TestKubernetesUpgradeSkippingOrDowngradingIsRefused(t *testing.T) {
	base := stackPlan(t, "dev").Plan
	for version, want := range map[string]string{
		"1.33": "1.35 -> 1.33 is a downgrade",
		"1.37": "", // not in the calendar: refused by config before any diff
	} {
		head, err := planWithErr(t, "dev", edit(kCluster, "kubernetesVersion", version))
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), "platform:cluster.kubernetesVersion") {
				t.Errorf("%s: err = %v", version, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if r := diff.Plans(base, head); !strings.Contains(r.Refused, want) {
			t.Errorf("%s: refused %q, want %q", version, r.Refused, want)
		}
	}
	// Two minors at once, through the command: a base plan on 1.34 and the working tree on 1.36.
	older := planWith(t, "dev", edit(kCluster, "kubernetesVersion", "1.34"))
	if r := diff.Plans(older, planWith(t, "dev", edit(kCluster, "kubernetesVersion", "1.36"))); !strings.Contains(r.Refused, "1.34 -> 1.36 skips 1 minor versions; EKS upgrades one minor version at a time") {
		t.Errorf("refused %q", r.Refused)
	}
	// The base: dev's plan as if its cluster ran 1.33.
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--json", "--dir", projectDir(t))
	if code != 0 {
		t.Fatal(stderr)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	for i, r := range p.Resources {
		if r.Type == typeEKS {
			p.Resources[i].Inputs["version"] = "1.33"
		}
	}
	raw, _ := json.Marshal(p)
	basePath := filepath.Join(t.TempDir(), "dev.json")
	if err := os.WriteFile(basePath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCmd(t, "diff", "--base", basePath, "--stack", "dev", "--dir", projectDir(t))
	if code != 1 || !strings.Contains(stderr, "platform diff: refused: cluster cluster-eks: Kubernetes 1.33 -> 1.35 skips 1 minor versions") ||
		!strings.Contains(out, "**Refused**") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr, out)
	}
}
