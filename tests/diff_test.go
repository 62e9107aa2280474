package tests

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
	"github.com/example/platform/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files in tests/testdata")

// planWith plans an example stack with its config changed.
func planWith(t *testing.T, stack string, edits ...mutation) *planner.Plan {
	t.Helper()
	p, err := planWithErr(t, stack, edits...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func planWithErr(t *testing.T, stack string, edits ...mutation) (*planner.Plan, error) {
	t.Helper()
	in := stackInput(t, stack)
	for _, e := range edits {
		e(t, in.Config)
	}
	return planner.Run(in, stacks.Program)
}

// Golden tests on pairs of plans: each scenario's Markdown is compared byte for byte
// (`go test ./tests -run TestDiffGolden -update` rewrites them after a deliberate change).
func TestDiffGolden(t *testing.T) {
	base := stackPlan(t, "dev").Plan
	scenarios := map[string]*planner.Plan{
		"added-node-group": planWith(t, "dev", func(t *testing.T, cfg map[string]string) {
			var c map[string]any
			json.Unmarshal([]byte(cfg[kCluster]), &c)
			c["nodeGroups"] = append(c["nodeGroups"].([]any), map[string]any{"name": "spot", "capacityType": "SPOT", "instanceTypes": []any{"m6a.large", "m6i.large"}, "minSize": 0, "desiredSize": 1, "maxSize": 5})
			b, _ := json.Marshal(c)
			cfg[kCluster] = string(b)
		}),
		"vpc-cidr-replaced": planWith(t, "dev", edit(kNet, "cidr", "10.30.0.0/16")),
		"tempo-removed":     planWith(t, "dev", edit("platform:addons", "tempo.enabled", false)),
		"retention-changed": planWith(t, "dev", edit(kNet, "flowLogsRetentionDays", 30)),
		"cluster-renamed":   planWith(t, "dev", renameCluster("platform-dev2")),
		// A fresh run of the program, not the base itself: the program must plan the same
		// stack the same way twice (no map order, clock or random value in an input).
		"no-change": planWith(t, "dev"),
	}
	for name, head := range scenarios {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := diff.Plans(base, head).Markdown(&got); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			diff.Plans(base, head).Markdown(&again)
			if got.String() != again.String() {
				t.Fatal("diff output is not deterministic")
			}
			golden(t, "diff-"+name+".md", got.Bytes())
		})
	}
}

// golden compares got with testdata/<name> (-update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("diff differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// beforeRenames is a plan as the program registered it before its resources were renamed:
// each resource with an alias to another name of the same type and parent (the program's own
// renames, not the SDKs' type aliases) under that name, without aliases.
func beforeRenames(p *planner.Plan) (*planner.Plan, int) {
	out := *p
	out.Resources = nil
	renamed := 0
	for _, r := range p.Resources {
		prefix := r.URN[:strings.LastIndex(r.URN, "::")+2]
		for _, a := range r.Aliases {
			if strings.HasPrefix(a, prefix) && !strings.Contains(a[len(prefix):], "::") {
				r.URN, r.Name = a, a[len(prefix):]
				renamed++
				break
			}
		}
		r.Aliases = nil
		out.Resources = append(out.Resources, r)
	}
	return &out, renamed
}

// A rename covered by an alias is neither a deletion nor a creation: Pulumi adopts the
// resource. The diff says so, and names no replacement.
func TestDiffFollowsAliases(t *testing.T) {
	head := stackPlan(t, "prod").Plan
	base, renamed := beforeRenames(head)
	if renamed != 2 {
		t.Fatalf("%d renamed resources in prod, want 2: the two certificate records (prod attaches no extra CI policy)", renamed)
	}
	r := diff.Plans(base, head)
	if len(r.Added)+len(r.Removed)+len(r.Changed) != 0 || len(r.Renamed) != renamed {
		t.Fatalf("renames: %d added, %d removed, %d changed, %d renamed (want %d)", len(r.Added), len(r.Removed), len(r.Changed), len(r.Renamed), renamed)
	}
	for _, n := range r.Renamed {
		if len(n.Replace) != 0 || len(n.Keys) != 0 {
			t.Errorf("%s -> %s: changed %v, replaced %v", n.From, n.To, n.Keys, n.Replace)
		}
	}
	var got bytes.Buffer
	if err := r.Markdown(&got); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff-renamed-by-alias.md", got.Bytes())
	// An alias adopts nothing while the old name is still in use: both are then real.
	both := *base
	both.Resources = append(append([]planner.Resource(nil), base.Resources...), head.Resources...)
	r = diff.Plans(&both, head)
	if len(r.Renamed) != 0 || len(r.Removed) != renamed {
		t.Errorf("with the old names still registered: %d renamed, %d removed (want 0 and %d)", len(r.Renamed), len(r.Removed), renamed)
	}
}

func TestDiffClassifies(t *testing.T) {
	base := stackPlan(t, "dev").Plan
	// The VPC's CIDR: the VPC and every subnet are replaced, on exactly the keys that force it;
	// nothing is added or removed and the cost does not move.
	r := diff.Plans(base, planWith(t, "dev", edit(kNet, "cidr", "10.30.0.0/16")))
	replaced := map[string][]string{}
	for _, c := range r.Changed {
		if len(c.Replace) > 0 {
			replaced[c.Name] = c.Replace
		}
	}
	want := map[string][]string{"network-vpc": {"cidrBlock"}}
	for _, s := range base.OfType("aws:ec2/subnet:Subnet") {
		want[s.Name] = []string{"cidrBlock"}
	}
	if !reflect.DeepEqual(replaced, want) || len(r.Added)+len(r.Removed) != 0 || r.CostDelta != 0 {
		t.Errorf("VPC CIDR change: replaced %v, want %v; %d added, %d removed, cost %+.2f", replaced, want, len(r.Added), len(r.Removed), r.CostDelta)
	}

	// Tempo off: exactly its resources go, Grafana loses its Tempo data source, and the cost
	// falls by exactly what Tempo's lines cost.
	noTempo := planWith(t, "dev", edit("platform:addons", "tempo.enabled", false))
	r = diff.Plans(base, noTempo)
	var removed []string
	for _, res := range r.Removed {
		removed = append(removed, res.URN)
	}
	var wantRemoved []string
	for _, typ := range []struct{ typ, name string }{
		{"aws:eks/podIdentityAssociation:PodIdentityAssociation", "addons-tempo-pod-identity"},
		{"aws:iam/role:Role", "addons-tempo-role"},
		{"aws:iam/rolePolicy:RolePolicy", "addons-tempo-policy"},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "addons-tempo-bucket-lifecycle"},
		{"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "addons-tempo-bucket-ownership"},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "addons-tempo-bucket-public-access"},
		{"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "addons-tempo-bucket-encryption"},
		{"aws:s3/bucketV2:BucketV2", "addons-tempo-bucket"},
		{"kubernetes:core/v1:Namespace", "addons-ns-tracing"},
		{"kubernetes:helm.sh/v3:Release", "addons-tempo"},
	} {
		wantRemoved = append(wantRemoved, stackPlan(t, "dev").named(t, typ.typ, typ.name).URN)
	}
	sort.Strings(removed)
	sort.Strings(wantRemoved)
	if !slices.Equal(removed, wantRemoved) || len(r.Added) != 0 {
		t.Errorf("removing Tempo removed\n%s\nwant\n%s\nand added %d", strings.Join(removed, "\n"), strings.Join(wantRemoved, "\n"), len(r.Added))
	}
	// Grafana loses its data source (the platform's and the teams' organizations'), and the
	// platform's rules Tempo's alerts; nothing else.
	if len(r.Changed) != 3 || r.Changed[0].Name != "addons-grafana-tenants" || !slices.Equal(r.Changed[0].Keys, []string{"data.tenants.json"}) ||
		r.Changed[1].Name != "addons-kube-prometheus-stack" || !slices.Equal(r.Changed[1].Keys, []string{"values.grafana"}) ||
		r.Changed[2].Name != "addons-alert-rules" || !slices.Equal(r.Changed[2].Keys, []string{"spec.groups"}) {
		t.Errorf("removing Tempo changed %+v, want only Grafana's data sources and the alert rules", r.Changed)
	}
	prices := pricing.Prices["eu-north-1"]
	tempoVolume := stackPlan(t, "dev").named(t, "kubernetes:helm.sh/v3:Release", "addons-tempo")
	var gib float64
	for _, v := range cost.ReleaseVolumes(tempoVolume) {
		gib += v.GB
	}
	// Its volumes' backups go too: dev keeps 7 dailies (config.PolicyFor(dev).Backup).
	var rules []cost.BackupRule
	for _, rule := range config.PolicyFor(config.EnvDev).Backup.Rules {
		rules = append(rules, cost.BackupRule{Days: float64(rule.DeleteAfterDays)})
	}
	backedUp := func(p *planner.Plan) float64 {
		gb, _ := cost.BackupSources(p)
		return math.Round(cost.BackupStoredGB(rules, gb, pricing.BackupChangePerDay) * prices.BackupEBSGBMonth * 100)
	}
	wantDelta := -(math.Round(pricing.S3GBPerBucket*prices.S3StandardGB*100) + math.Round(gib*prices.EBSgp3GBMonth*100) +
		backedUp(base) - backedUp(noTempo)) / 100
	if gib == 0 || backedUp(base) == backedUp(noTempo) || r.CostDelta != wantDelta {
		t.Errorf("removing Tempo: cost delta %+.2f, want %+.2f (its bucket, %v GiB of volumes and their backups)", r.CostDelta, wantDelta, gib)
	}

	// A fresh plan of the unchanged stack differs in nothing.
	if r := diff.Plans(base, planWith(t, "dev")); len(r.Added)+len(r.Removed)+len(r.Changed)+len(r.Renamed) != 0 || r.CostDelta != 0 {
		t.Errorf("re-planning the unchanged stack: %+v", r)
	}
}
