package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/components/addons"
)

// freePort is a loopback port nobody listens on (for a server a test starts).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs a server in the background for the test, and waits (bounded) until url
// answers 200.
func startServer(t *testing.T, name, ready string, cmd *exec.Cmd) {
	t.Helper()
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 60 s (%v):\n%s", name, err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// request sends one HTTP request and returns the status and body.
func request(t *testing.T, method, u string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// tenantHeaders are the tenant headers the plan's Grafana data sources send to Loki: the
// platform's (provisioned with kube-prometheus-stack) and each team organization's (the
// reconciler's desired state).
func tenantHeaders(t *testing.T, p *plan, uid string) (platform string, teams map[string]string) {
	t.Helper()
	for _, ds := range get(values(p.named(t, typeRelease, "addons-kube-prometheus-stack")), "grafana.additionalDataSources").([]any) {
		if d := ds.(map[string]any); d["uid"] == uid {
			platform = d["secureJsonData"].(map[string]any)["httpHeaderValue1"].(string)
		}
	}
	var state struct {
		Orgs []struct {
			Name        string
			Datasources []map[string]any
		}
	}
	cm := p.named(t, "kubernetes:core/v1:ConfigMap", "addons-grafana-tenants")
	if err := json.Unmarshal([]byte(get(cm, "data").(map[string]any)["tenants.json"].(string)), &state); err != nil {
		t.Fatal(err)
	}
	teams = map[string]string{}
	for _, o := range state.Orgs {
		for _, d := range o.Datasources {
			if d["uid"] == uid {
				teams[o.Name] = d["secureJsonData"].(map[string]any)["httpHeaderValue1"].(string)
			}
		}
	}
	if platform == "" || len(teams) == 0 {
		t.Fatalf("no %s data sources with tenants in the plan", uid)
	}
	return platform, teams
}

// Logs stay with their team, decided by Loki itself (v3.7.6, tests/engines/loki) run with the
// plan's tenancy settings: lines pushed as each tenant Alloy assigns (a team's name, the
// platform's) are read back through each Grafana data source the plan defines, with its tenant
// header. A team's organization reads its own lines only; the platform's reads all; a request
// without a tenant is refused.
func TestLokiTenantsWithLoki(t *testing.T) {
	loki := enforcerPath(t, "loki")
	p := stackPlan(t, "dev")
	v := values(p.named(t, typeRelease, "addons-loki"))
	if get(v, "loki.auth_enabled") != true || get(v, "loki.querier.multi_tenant_queries_enabled") != true {
		t.Fatalf("the plan's Loki tenancy settings = %v", get(v, "loki"))
	}
	dir := t.TempDir()
	port, grpc := freePort(t), freePort(t)
	config := fmt.Sprintf(`auth_enabled: %v
server: {http_listen_address: 127.0.0.1, http_listen_port: %d, grpc_listen_address: 127.0.0.1, grpc_listen_port: %d, log_level: warn}
common:
  instance_addr: 127.0.0.1
  path_prefix: %[4]s
  storage: {filesystem: {chunks_directory: %[4]s/chunks, rules_directory: %[4]s/rules}}
  replication_factor: 1
  ring: {kvstore: {store: inmemory}}
ingester: {lifecycler: {min_ready_duration: 1s}}
querier: {multi_tenant_queries_enabled: %[5]v}
frontend: {scheduler_dns_lookup_period: 1s}
frontend_worker: {dns_lookup_duration: 1s}
schema_config: {configs: [{from: 2020-10-24, store: tsdb, object_store: filesystem, schema: v13, index: {prefix: index_, period: 24h}}]}
compactor: {working_directory: %[4]s/compactor}
ruler: {storage: {type: local, local: {directory: %[4]s/rules}}}
limits_config: {discover_service_name: [], discover_log_levels: false}
analytics: {reporting_enabled: false}
`, get(v, "loki.auth_enabled"), port, grpc, dir, get(v, "loki.querier.multi_tenant_queries_enabled"))
	file := filepath.Join(dir, "loki.yaml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	startServer(t, "Loki", base+"/ready", exec.Command(loki, "-config.file="+file))

	// Alloy's tenants: each team's name for its namespaces' lines, the platform's for the rest.
	now := time.Now()
	lines := map[string]string{"payments": "payments paid", "search": "search indexed", addons.PlatformTenant: "monitoring scraped"}
	for tenant, line := range lines {
		body := fmt.Sprintf(`{"streams":[{"stream":{"job":"probe","namespace":%q},"values":[[%q,%q]]}]}`, tenant, strconv.FormatInt(now.UnixNano(), 10), line)
		if code, msg := request(t, "POST", base+"/loki/api/v1/push", map[string]string{addons.TenantHeader: tenant}, body); code != 204 {
			t.Fatalf("push as %s: %d %s", tenant, code, msg)
		}
	}
	read := func(tenant string) (int, []string) {
		q := url.Values{"query": {`{job="probe"}`}, "start": {strconv.FormatInt(now.Add(-time.Hour).UnixNano(), 10)},
			"end": {strconv.FormatInt(now.Add(time.Minute).UnixNano(), 10)}}
		header := map[string]string{}
		if tenant != "" {
			header[addons.TenantHeader] = tenant
		}
		code, body := request(t, "GET", base+"/loki/api/v1/query_range?"+q.Encode(), header, "")
		var res struct {
			Data struct {
				Result []struct{ Values [][2]string }
			}
		}
		json.Unmarshal([]byte(body), &res)
		var got []string
		for _, s := range res.Data.Result {
			for _, v := range s.Values {
				got = append(got, v[1])
			}
		}
		slices.Sort(got)
		return code, got
	}
	// Loki makes a pushed line queryable once the ingester has it: wait for the platform's view.
	platform, teams := tenantHeaders(t, p, addons.LokiDataSourceUID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, got := read(platform); len(got) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	for team, header := range teams {
		code, got := read(header)
		if code != 200 || !slices.Equal(got, []string{lines[team]}) {
			t.Errorf("team %s's organization (tenant %q) reads %d %v, want only %q", team, header, code, got, lines[team])
		}
	}
	all := []string{lines["payments"], lines["search"], lines[addons.PlatformTenant]}
	slices.Sort(all)
	if code, got := read(platform); code != 200 || !slices.Equal(got, all) {
		t.Errorf("the platform (tenants %q) reads %d %v, want every line", platform, code, got)
	}
	if code, got := read(""); code != 401 || len(got) != 0 {
		t.Errorf("a read without a tenant: %d %v, want 401", code, got)
	}
}

// A team's metrics, decided by Prometheus and the team's prom-label-proxy (v0.15.0) run with
// the plan's arguments: through search's proxy, search's namespaces' series and nothing else,
// and a query naming another namespace refused; Prometheus itself holds every namespace's.
func TestMetricsProxyWithPrometheus(t *testing.T) {
	proxy := enforcerPath(t, "prom-label-proxy")
	prometheus, err := exec.LookPath("prometheus")
	if err != nil {
		missing(t, "PLATFORM_REQUIRE_PROMTOOL", "no prometheus on PATH (apt-get install prometheus): not checked here")
	}
	promtool, _ := exec.LookPath("promtool")
	p := stackPlan(t, "dev")
	deploy := p.named(t, "kubernetes:apps/v1:Deployment", "addons-prom-label-proxy-search")
	var args []string
	for _, a := range get(deploy, "spec.template.spec.containers.0.args").([]any) {
		args = append(args, a.(string))
	}
	if !slices.Contains(args, "-upstream="+addons.PrometheusURL()) {
		t.Fatalf("search's proxy args %v", args)
	}

	dir := t.TempDir()
	ts := time.Now().Add(-10 * time.Minute).Unix()
	var om strings.Builder
	om.WriteString("# TYPE app_requests counter\n")
	for _, ns := range []string{"payments", "search", "search-jobs", "monitoring"} {
		fmt.Fprintf(&om, "app_requests_total{namespace=%q} 42 %d\n", ns, ts)
	}
	om.WriteString("# EOF\n")
	if err := os.WriteFile(filepath.Join(dir, "series.om"), []byte(om.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", filepath.Join(dir, "series.om"), data).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte("global: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	promPort, proxyPort := freePort(t), freePort(t)
	upstream := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	startServer(t, "Prometheus", upstream+"/-/ready", exec.Command(prometheus, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+data, "--storage.tsdb.retention.time=10y", fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort)))
	// The plan's arguments, but for where this Prometheus and the proxy listen.
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, "-upstream="):
			args[i] = "-upstream=" + upstream
		case strings.HasPrefix(a, "-insecure-listen-address="):
			args[i] = fmt.Sprintf("-insecure-listen-address=127.0.0.1:%d", proxyPort)
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	startServer(t, "prom-label-proxy", base+"/api/v1/query?query=vector(1)", exec.Command(proxy, args...))

	namespaces := func(base, query string) (int, []string) {
		code, body := request(t, "GET", base+"/api/v1/query?"+url.Values{"query": {query}, "time": {strconv.FormatInt(ts, 10)}}.Encode(), nil, "")
		var res struct {
			Data struct {
				Result []struct{ Metric map[string]string }
			}
		}
		json.Unmarshal([]byte(body), &res)
		var got []string
		for _, r := range res.Data.Result {
			got = append(got, r.Metric["namespace"])
		}
		slices.Sort(got)
		return code, got
	}
	if _, got := namespaces(upstream, "app_requests_total"); len(got) != 4 {
		t.Fatalf("Prometheus holds %v, want the four namespaces", got)
	}
	if code, got := namespaces(base, "app_requests_total"); code != 200 || !slices.Equal(got, []string{"search", "search-jobs"}) {
		t.Errorf("search's proxy answers %d %v, want search's namespaces only", code, got)
	}
	if code, got := namespaces(base, `sum by (namespace) (app_requests_total{namespace="payments"})`); code != 400 || len(got) != 0 {
		t.Errorf("search asking for payments' series: %d %v, want a refusal", code, got)
	}
	code, body := request(t, "GET", base+"/api/v1/label/namespace/values", nil, "")
	if code != 200 || strings.Contains(body, "payments") || strings.Contains(body, "monitoring") || !strings.Contains(body, "search-jobs") {
		t.Errorf("search's namespace label values: %d %s", code, body)
	}
}
