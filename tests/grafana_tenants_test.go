package tests

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/components/addons"
)

// fakeGrafana answers the part of Grafana's HTTP API the organizations' reconciler uses, as
// Grafana documents it: basic auth as the server admin; organizations by name; data sources
// by uid within the organization named by X-Grafana-Org-Id, of which the caller must be a
// member. It counts writes.
type fakeGrafana struct {
	mu      sync.Mutex
	user    string
	pass    string
	orgs    map[string]int            // name -> id
	members map[int]map[string]string // org -> login -> role
	sources map[int]map[string]map[string]any
	writes  int
}

func newFakeGrafana(user, pass string) *fakeGrafana {
	return &fakeGrafana{user: user, pass: pass, orgs: map[string]int{"Main Org.": 1},
		members: map[int]map[string]string{1: {user: "Admin"}}, sources: map[int]map[string]map[string]any{}}
}

func (g *fakeGrafana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	reply := func(code int, body any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(body)
	}
	if r.URL.Path == "/api/health" {
		reply(200, map[string]any{"database": "ok"})
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != g.user || p != g.pass {
		reply(401, map[string]any{"message": "invalid username or password"})
		return
	}
	var body map[string]any
	if r.Body != nil && (r.Method == "POST" || r.Method == "PUT") {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			reply(400, map[string]any{"message": "bad json"})
			return
		}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 4 && parts[1] == "orgs" && parts[2] == "name" && r.Method == "GET":
		if id, ok := g.orgs[parts[3]]; ok {
			reply(200, map[string]any{"id": id, "name": parts[3]})
		} else {
			reply(404, map[string]any{"message": "Organization not found"})
		}
	case len(parts) == 2 && parts[1] == "orgs" && r.Method == "POST":
		name, _ := body["name"].(string)
		if _, ok := g.orgs[name]; ok || name == "" {
			reply(409, map[string]any{"message": "Organization name taken"})
			return
		}
		id := len(g.orgs) + 1
		g.orgs[name], g.members[id] = id, map[string]string{g.user: "Admin"}
		g.writes++
		reply(200, map[string]any{"orgId": id, "message": "Organization created"})
	case len(parts) == 4 && parts[1] == "orgs" && parts[3] == "users" && r.Method == "POST":
		id, _ := strconv.Atoi(parts[2])
		login, _ := body["loginOrEmail"].(string)
		if _, ok := g.members[id][login]; ok {
			reply(409, map[string]any{"message": "User is already member of this organization"})
			return
		}
		g.members[id][login] = body["role"].(string)
		g.writes++
		reply(200, map[string]any{"message": "User added to organization"})
	case len(parts) >= 2 && parts[1] == "datasources":
		org, _ := strconv.Atoi(r.Header.Get("X-Grafana-Org-Id"))
		if org == 0 {
			org = 1
		}
		if g.members[org][g.user] != "Admin" {
			reply(403, map[string]any{"message": "not a member of the organization"})
			return
		}
		if g.sources[org] == nil {
			g.sources[org] = map[string]map[string]any{}
		}
		switch {
		case len(parts) == 4 && parts[2] == "uid" && r.Method == "GET":
			if ds, ok := g.sources[org][parts[3]]; ok {
				reply(200, ds)
			} else {
				reply(404, map[string]any{"message": "Data source not found"})
			}
		case len(parts) == 2 && r.Method == "POST":
			uid, _ := body["uid"].(string)
			if _, ok := g.sources[org][uid]; ok {
				reply(409, map[string]any{"message": "data source with the same uid already exists"})
				return
			}
			g.sources[org][uid] = stored(body, org)
			g.writes++
			reply(200, map[string]any{"message": "Datasource added"})
		case len(parts) == 4 && parts[2] == "uid" && r.Method == "PUT":
			if _, ok := g.sources[org][parts[3]]; !ok {
				reply(404, map[string]any{"message": "Data source not found"})
				return
			}
			g.sources[org][parts[3]] = stored(body, org)
			g.writes++
			reply(200, map[string]any{"message": "Datasource updated"})
		default:
			reply(404, map[string]any{"message": "not found"})
		}
	default:
		reply(404, map[string]any{"message": "not found"})
	}
}

// stored is a data source as Grafana returns it: secureJsonData write-only (only which keys
// are set), its id and organization added.
func stored(ds map[string]any, org int) map[string]any {
	out := map[string]any{"orgId": org, "id": 1}
	for k, v := range ds {
		if k == "secureJsonData" {
			fields := map[string]any{}
			for f := range v.(map[string]any) {
				fields[f] = true
			}
			out["secureJsonFields"] = fields
			continue
		}
		out[k] = v
	}
	return out
}

// runReconciler runs the reconciler once against url with state.
func runReconciler(t *testing.T, url string, state any) (writes int) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		missing(t, "PLATFORM_REQUIRE_ENGINES", "no python3 on PATH: the Grafana organizations' reconciler is not run here")
	}
	dir := t.TempDir()
	script, statePath := filepath.Join(dir, "reconcile.py"), filepath.Join(dir, "tenants.json")
	raw, _ := json.Marshal(state)
	if err := os.WriteFile(script, []byte(addons.GrafanaTenantsScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(statePath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script, "--once")
	cmd.Env = append(os.Environ(), "GRAFANA_URL="+url, "STATE="+statePath, "GF_ADMIN_USER=admin", "GF_ADMIN_PASSWORD=s3cr3t")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reconciler: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res struct{ Writes int }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("reconciler said %q", out)
	}
	return res.Writes
}

// The teams' Grafana organizations from the dev plan's desired state, by the reconciler that
// runs beside Grafana: the first pass creates each team's organization and its three data
// sources (Prometheus through the team's proxy, Loki and Tempo with its tenant); a second pass
// changes nothing; a team's new namespace (a new proxy setting) updates that one data source;
// nothing is deleted. Against a stand-in for Grafana's API (no Grafana runs here): it holds
// the reconciler to Grafana's documented behaviour (basic auth, organizations by name, data
// sources per organization for its members, write-only secure fields).
func TestGrafanaTenantsReconciler(t *testing.T) {
	p := stackPlan(t, "dev")
	cm := p.named(t, "kubernetes:core/v1:ConfigMap", "addons-grafana-tenants")
	var state map[string]any
	if data, _ := get(cm, "data").(map[string]any); data == nil || json.Unmarshal([]byte(data["tenants.json"].(string)), &state) != nil ||
		data["reconcile.py"] != addons.GrafanaTenantsScript {
		t.Fatalf("the reconciler's ConfigMap = %v", cm.Inputs)
	}
	grafana := newFakeGrafana("admin", "s3cr3t")
	srv := httptest.NewServer(grafana)
	defer srv.Close()

	// Creating an organization makes its creator (the admin) its Admin, as Grafana does.
	if w := runReconciler(t, srv.URL, state); w != 2*3 || grafana.writes != 2+2*3 {
		t.Errorf("first pass: %d data source writes, %d in all; want 6 data sources and 2 organizations", w, grafana.writes)
	}
	for _, team := range []string{"payments", "search"} {
		id := grafana.orgs[team]
		if id < 2 {
			t.Fatalf("no organization %s: %v", team, grafana.orgs)
		}
		ds := grafana.sources[id]
		if ds["prometheus"]["url"] != addons.MetricsProxyURL(team) || ds["prometheus"]["isDefault"] != true {
			t.Errorf("%s: Prometheus %v", team, ds["prometheus"])
		}
		for _, uid := range []string{"loki", "tempo"} {
			if ds[uid]["jsonData"].(map[string]any)["httpHeaderName1"] != addons.TenantHeader ||
				ds[uid]["secureJsonFields"].(map[string]any)["httpHeaderValue1"] != true {
				t.Errorf("%s: %s sends no tenant: %v", team, uid, ds[uid])
			}
		}
	}
	if len(grafana.sources[1]) != 0 {
		t.Errorf("the reconciler wrote into the platform's organization: %v", grafana.sources[1])
	}
	before := grafana.writes
	if w := runReconciler(t, srv.URL, state); w != 0 || grafana.writes != before {
		t.Errorf("second pass: %d writes (%d in all), want none", w, grafana.writes-before)
	}
	// search gets a third namespace: its Prometheus data source is unchanged (the proxy's
	// arguments change, not its URL), so change a URL to see exactly one update.
	orgs := state["orgs"].([]any)
	search := orgs[1].(map[string]any)
	search["datasources"].([]any)[0].(map[string]any)["url"] = "http://example.invalid:8080"
	if w := runReconciler(t, srv.URL, state); w != 1 || grafana.sources[grafana.orgs["search"]]["prometheus"]["url"] != "http://example.invalid:8080" {
		t.Errorf("a changed data source: %d writes, want 1", w)
	}
	// A tenant header changed (a secure field, write-only in Grafana): updated too.
	search["datasources"].([]any)[1].(map[string]any)["secureJsonData"] = map[string]any{"httpHeaderValue1": "someone-else"}
	if w := runReconciler(t, srv.URL, state); w != 1 {
		t.Errorf("a changed tenant header: %d writes, want 1", w)
	}
	// A team that leaves keeps its organization (its dashboards are its work).
	state["orgs"] = orgs[:1]
	if w := runReconciler(t, srv.URL, state); w != 0 || grafana.orgs["search"] == 0 {
		t.Errorf("a team left: %d writes, organizations %v", w, grafana.orgs)
	}
	// The wrong password is refused, and the pass fails.
	bad := newFakeGrafana("admin", "other")
	badSrv := httptest.NewServer(bad)
	defer badSrv.Close()
	python, _ := exec.LookPath("python3")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.py"), []byte(addons.GrafanaTenantsScript), 0o644)
	os.WriteFile(filepath.Join(dir, "s.json"), []byte(`{"orgs":[{"name":"x","datasources":[]}]}`), 0o644)
	cmd := exec.Command(python, filepath.Join(dir, "r.py"), "--once")
	cmd.Env = append(os.Environ(), "GRAFANA_URL="+badSrv.URL, "STATE="+filepath.Join(dir, "s.json"), "GF_ADMIN_USER=admin", "GF_ADMIN_PASSWORD=s3cr3t")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "401") {
		t.Errorf("a refused login: %v %s", err, out)
	}
	t.Logf("organizations %v", grafana.orgs)
}
