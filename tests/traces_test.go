package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/components/teams/teamplan"
)

// Traces have somewhere to go: every scaffolded app exports OTLP to the endpoint the teams'
// network policy opens (TestNetworkPolicyMatrix: tempo-otlp), which is Tempo's Service as the
// pinned chart renders it, as the team's tenant.
func TestScaffoldedAppsSendTraces(t *testing.T) {
	if teamplan.TracesNamespace != addons.TracingNamespace || !strings.HasPrefix(teamplan.OTLPEndpoint, "http://tempo."+addons.TracingNamespace+".svc") {
		t.Fatalf("the teams' OTLP endpoint %s is not the tracing addon's namespace %s", teamplan.OTLPEndpoint, addons.TracingNamespace)
	}
	p := stackPlan(t, "prod")
	var port bool
	for _, o := range renderRelease(t, p.named(t, typeRelease, "addons-tempo"), "1.35.0") {
		if o["kind"] != "Service" || meta(o)["name"] != "tempo" {
			continue
		}
		for _, sp := range o["spec"].(map[string]any)["ports"].([]any) {
			port = port || sp.(map[string]any)["port"] == 4318
		}
	}
	if !port {
		t.Errorf("Tempo's Service has no port 4318: %s points nowhere", teamplan.OTLPEndpoint)
	}
	for name, app := range scaffoldApps {
		files, err := app.Files(scaffoldStacks(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range kustomizeBuild(t, files, "teams/"+app.Team+"/apps/"+app.Name+"/overlays/prod") {
			if o.Body["kind"] != "Deployment" {
				continue
			}
			b, _ := json.Marshal(o.Body)
			for _, want := range []string{`{"name":"OTEL_EXPORTER_OTLP_ENDPOINT","value":"` + teamplan.OTLPEndpoint + `"}`,
				`{"name":"OTEL_EXPORTER_OTLP_HEADERS","value":"X-Scope-OrgID=` + app.Team + `"}`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("%s: the Deployment lacks %s", name, want)
				}
			}
		}
	}
}
