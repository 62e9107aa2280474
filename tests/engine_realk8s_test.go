package tests

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/runner"
)

// K8sProviderEnv names the directory .ci/k8s-provider.sh built the real Kubernetes provider
// into; CI sets it and K8sProviderRequireEnv, so that a missing provider fails there.
const (
	K8sProviderEnv        = "PLATFORM_K8S_PROVIDER"
	K8sProviderRequireEnv = "PLATFORM_REQUIRE_K8S_PROVIDER"
)

// realStack is an engine stack whose Kubernetes provider is the real pulumi-kubernetes, against
// a test cluster of its own (kubeapi.Cluster: the API server, kube-controller-manager's
// namespace, garbage-collector and quota controllers, and the charts' webhooks). The recorder
// still answers for aws, eks, github, tls and random; the cluster's kubeconfig output points
// at the test API server (recorder.KubeconfigEnv). Charts come from the fixture repository,
// served on 127.0.0.1 as the stack's chart mirror (platform:helm.repository), and releases and
// the objects that wait for pods are not awaited (helmkit.SkipAwaitEnv): no pod runs here.
type realStack struct {
	*engineStack
	cluster *kubeapi.Cluster
	edits   []mutation // the config edits the stack has, for platform diff's plans
	objects []kubeObject
}

// The real provider's lifecycle of each stack: up from empty with every object in the API
// server, an up and a preview that change nothing, a refresh without drift, a realistic change
// that updates exactly what platform diff says and replaces nothing, an immutable field's
// change that both replace, and a destroy that leaves no namespace behind.
func TestRealKubernetesProvider(t *testing.T) {
	provider := os.Getenv(K8sProviderEnv)
	if provider == "" {
		missing(t, K8sProviderRequireEnv, K8sProviderEnv+" is not set: `export "+K8sProviderEnv+"=$(bash .ci/k8s-provider.sh)` builds the real Kubernetes provider (~15-35 min once)")
	}
	if _, err := os.Stat(filepath.Join(provider, "pulumi-resource-kubernetes")); err != nil {
		missing(t, K8sProviderRequireEnv, "no pulumi-resource-kubernetes in "+provider+": run bash .ci/k8s-provider.sh")
	}
	kcm := enforcerPath(t, "kube-controller-manager")
	charts := httptest.NewServer(http.FileServer(http.Dir(kubeapi.SharedPath(t, "fixtures/charts"))))
	t.Cleanup(charts.Close)
	// The program runs in this process (an inline program), so the switch is set here too.
	os.Setenv(helmkit.SkipAwaitEnv, "1")
	t.Cleanup(func() { os.Unsetenv(helmkit.SkipAwaitEnv) })

	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := newRealStack(t, stack, kcm, provider, charts.URL)
			steps := []struct {
				name string
				fn   func(*testing.T, *realStack)
			}{
				{"up from empty puts every object in the API server", realUpFromEmpty},
				{"second up and preview change nothing", realIdempotent},
				{"refresh finds no drift", realRefresh},
				{"a realistic change updates what platform diff says, in place", realChange},
				{"an immutable field's change is a replace, as platform diff says", realImmutableChange},
				{"destroy leaves nothing behind", realDestroy},
			}
			for _, step := range steps {
				start := time.Now()
				ok := t.Run(step.name, func(t *testing.T) { step.fn(t, s) })
				t.Logf("%s: %s in %s", stack, step.name, time.Since(start).Round(time.Second))
				if !ok {
					t.Fatalf("stopping %s's lifecycle after %q failed (API server logs in %s)", stack, step.name, s.cluster.StateDir)
				}
			}
			if r := s.cluster.Services.Refused(); len(r) > 0 {
				t.Errorf("webhook calls nothing could answer: %v", r)
			}
			t.Logf("webhook requests admitted by the stand-ins: %v", s.cluster.Services.Admitted())
		})
	}
}

func newRealStack(t *testing.T, stack, kcm, provider, charts string) *realStack {
	c := kubeapi.StartCluster(t, kcm)
	raw, err := os.ReadFile(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var kc map[string]any
	if err := yaml.Unmarshal(raw, &kc); err != nil {
		t.Fatal(err)
	}
	kcJSON, _ := json.Marshal(kc)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig.json")
	writeFile(t, kubeconfig, kcJSON)

	mirror := set("platform:helm", str(`{"repository":"`+charts+`/"}`))
	s := &realStack{engineStack: newEngineStack(t, stack, mirror), cluster: c, edits: []mutation{mirror}}
	s.env["PATH"] = provider + string(os.PathListSeparator) + s.env["PATH"]
	s.env[recorder.KubeconfigEnv] = kubeconfig
	s.env[helmkit.SkipAwaitEnv] = "1"
	return s
}

// edit adds config edits to the stack, applied at its next operation.
func (s *realStack) edit(m ...mutation) {
	s.engineStack.edits = append(s.engineStack.edits, m...)
	s.edits = append(s.edits, m...)
}

func realUpFromEmpty(t *testing.T, s *realStack) {
	c := changes(t, s.run(t, runner.Up))
	if len(c) != 1 || c["create"] == 0 {
		t.Fatalf("first up: %v, want only creates", c)
	}
	s.objects = s.inCluster(t)
}

func realIdempotent(t *testing.T, s *realStack) {
	onlySame(t, "second up", changes(t, s.run(t, runner.Up)))
	onlySame(t, "preview --diff after up", changes(t, s.run(t, runner.Preview)))
}

func realRefresh(t *testing.T, s *realStack) {
	onlySame(t, "refresh", changes(t, s.run(t, runner.Refresh)))
	onlySame(t, "preview after refresh", changes(t, s.run(t, runner.Preview)))
}

// previewSteps previews the stack's pending config edits with the real engine and returns the
// operations on each resource that would change (by name; "same" left out).
func (s *realStack) previewSteps(t *testing.T) map[string][]string {
	t.Helper()
	st := s.stack(t)
	ch := make(chan events.EngineEvent)
	steps := map[string][]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if e.ResourcePreEvent == nil {
				continue
			}
			m := e.ResourcePreEvent.Metadata
			if op := string(m.Op); op != "same" && !strings.HasPrefix(m.Type, "pulumi:") {
				steps[name(m.URN)] = append(steps[name(m.URN)], op)
			}
		}
	}()
	var out strings.Builder
	if _, err := st.Preview(context.Background(), optpreview.EventStreams(ch), optpreview.ProgressStreams(&out), optpreview.ErrorProgressStreams(&out)); err != nil {
		t.Fatalf("preview: %v\n%s", err, tail(out.String(), 40))
	}
	<-done
	return steps
}

// hasReplace says whether a resource's steps replace it.
func hasReplace(ops []string) bool {
	return slices.ContainsFunc(ops, func(op string) bool { return strings.Contains(op, "replace") })
}
