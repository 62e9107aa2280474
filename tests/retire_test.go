package tests

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
)

// A team leaves in two deployments: its name moves to platform:retiredTeams (this deployment
// deletes what it had, and `platform diff` lists it), then it may leave config. Dropping it
// from platform:teams at once is refused when the last deployment had it with data, naming the
// team and what would go. The program reads the last deployment from its own stack output
// (teamData) through a stack reference; here the planner hands it the outputs of a plan, as the
// engine hands it those of the last `up`.

// withoutTeam drops a team from platform:teams.
func withoutTeam(name string) mutation {
	return func(t *testing.T, cfg map[string]string) {
		var teams []map[string]any
		if err := json.Unmarshal([]byte(cfg[kTeams]), &teams); err != nil {
			t.Fatal(err)
		}
		teams = slices.DeleteFunc(teams, func(m map[string]any) bool { return m["name"] == name })
		b, _ := json.Marshal(teams)
		cfg[kTeams] = string(b)
	}
}

// retire drops a team from platform:teams and names it in platform:retiredTeams.
func retire(name string) mutation {
	return func(t *testing.T, cfg map[string]string) {
		withoutTeam(name)(t, cfg)
		var retired []string
		if raw, ok := cfg["platform:retiredTeams"]; ok {
			json.Unmarshal([]byte(raw), &retired)
		}
		b, _ := json.Marshal(append(retired, name))
		cfg["platform:retiredTeams"] = string(b)
	}
}

// after plans the stack with edits, as the deployment after the one that exported previous.
func after(t *testing.T, previous *planner.Plan, stack string, edits ...mutation) (*planner.Plan, error) {
	t.Helper()
	in := stackInput(t, stack)
	for _, e := range edits {
		e(t, in.Config)
	}
	in.Previous = previous.OutputValues()
	return runNoPanic(t, in)
}

func TestRemovingATeamWithDataNeedsItsRetirement(t *testing.T) {
	deployed := stackPlan(t, "dev").Plan
	var data map[string]config.TeamData
	raw, _ := json.Marshal(deployed.Outputs[contract.OutputTeamData].Value)
	if err := json.Unmarshal(raw, &data); err != nil || len(data["payments"].Databases) != 1 || data["search"].StorageQuota != "50Gi" {
		t.Fatalf("the %s output does not record the teams' data: %s (%v)", contract.OutputTeamData, raw, err)
	}

	for _, tc := range []struct{ team, want string }{
		{"payments", "team payments is no longer listed, but the last deployment has it, with its database(s) ledger and the volumes in its namespace(s) payments (up to 100Gi each)"},
		{"search", "team search is no longer listed, but the last deployment has it, with the volumes in its namespace(s) search, search-jobs (up to 50Gi each)"},
	} {
		t.Run("removed "+tc.team, func(t *testing.T) {
			p, err := after(t, deployed, "dev", withoutTeam(tc.team))
			var errs config.Errors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != "platform:teams" || !strings.Contains(errs[0].Msg, tc.want) ||
				!strings.Contains(errs[0].Msg, `add "`+tc.team+`" to platform:retiredTeams`) {
				t.Fatalf("err = %v\nwant one on platform:teams saying %q", err, tc.want)
			}
			// Only the read of the last deployment: nothing created.
			for _, r := range p.Resources {
				if r.Type != "pulumi:pulumi:StackReference" {
					t.Errorf("a refused removal registered %s %s", r.Type, r.Name)
				}
			}
		})
	}

	// Retired: the deployment deletes the team's resources, and the diff shows them.
	retired, err := after(t, deployed, "dev", retire("payments"))
	if err != nil {
		t.Fatalf("retiring payments: %v", err)
	}
	d := diff.Plans(deployed, retired)
	var removed []string
	for _, r := range d.Removed {
		removed = append(removed, r.Type+" "+r.Name)
	}
	for _, want := range []string{"aws:rds/instance:Instance databases-payments-ledger", "kubernetes:core/v1:Namespace teams-payments-payments-ns"} {
		if !slices.Contains(removed, want) {
			t.Errorf("the retirement's diff does not delete %s; it removes:\n%s", want, strings.Join(removed, "\n"))
		}
	}
	for _, r := range removed {
		if strings.Contains(r, "search") {
			t.Errorf("retiring payments deletes %s", r)
		}
	}
	var md strings.Builder
	if err := d.Markdown(&md); err != nil || !strings.Contains(md.String(), "databases-payments-ledger") {
		t.Errorf("platform diff's Markdown does not name the database (%v):\n%s", err, md.String())
	}

	// After the retirement's deployment the name may leave config; a first deployment (no
	// previous outputs) judges no removal at all.
	if _, err := after(t, retired, "dev", withoutTeam("payments")); err != nil {
		t.Errorf("removing a retired team after its retirement: %v", err)
	}
	if _, err := planWithErr(t, "dev", withoutTeam("payments")); err != nil {
		t.Errorf("a first deployment without payments: %v", err)
	}
}

// platform:retiredTeams' own mistakes. Run by TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const k = "platform:retiredTeams"
	badConfigs = append(badConfigs, []badConfig{
		{"retired team still a team", "dev", []mutation{set(k, str(`["search"]`))}, k + "[0]", `"search" is also in platform:teams`},
		{"retired team not a name", "dev", []mutation{set(k, str(`["Search Team"]`))}, k + "[0]", "is not a team name"},
		{"retired team twice", "dev", []mutation{set(k, str(`["old","old"]`))}, k + "[1]", `"old" is listed twice`},
		{"retired teams not a list", "dev", []mutation{set(k, str(`"old"`))}, k, "must be a list"},
	}...)
}

// `platform diff` plans the head as the deployment after its base: a base that had a team with
// a database, which the working tree's config dropped without retiring, fails the diff naming
// it (a pull request learns it before any deployment does).
func TestDiffRefusesATeamDroppedWithoutRetirement(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--json", "--dir", projectDir(t))
	if code != 0 {
		t.Fatal(stderr)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	data := p.Outputs[contract.OutputTeamData].Value.(map[string]any)
	data["billing"] = map[string]any{"databases": []any{"invoices"}, "namespaces": []any{"billing"}, "storageQuota": "100Gi"}
	raw, _ := json.Marshal(p)
	basePath := filepath.Join(t.TempDir(), "dev.json")
	if err := os.WriteFile(basePath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCmd(t, "diff", "--base", basePath, "--stack", "dev", "--dir", projectDir(t))
	if code != 1 || !strings.Contains(stderr, "team billing is no longer listed, but the last deployment has it, with its database(s) invoices") || out != "" {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr, out)
	}
}
