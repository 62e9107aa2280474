package tests

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/runner"
)

// kubeObject is one object the program or a chart put in the API server.
type kubeObject struct {
	apiVersion, kind, namespace, name string
	from                              string // the Pulumi resource or the release
	// kept: a chart's object annotated helm.sh/resource-policy: keep, which Helm leaves on
	// uninstall by design (Argo CD's CRDs: deleting them would delete every Application).
	kept bool
}

func (o kubeObject) String() string {
	return fmt.Sprintf("%s %s %s/%s (%s)", o.apiVersion, o.kind, o.namespace, o.name, o.from)
}

// inCluster checks that every Helm release of the state is deployed and that every object of
// the state and of the releases' manifests is in the API server, and returns them all.
func (s *realStack) inCluster(t *testing.T) []kubeObject {
	t.Helper()
	_, d := s.export(t)
	var objs []kubeObject
	releases := 0
	for _, r := range d.managed() {
		switch {
		case r.Type == "kubernetes:helm.sh/v3:Release":
			releases++
			status, _ := r.Outputs["status"].(map[string]any)
			rel, ns := stringOf(status["name"]), stringOf(status["namespace"])
			manifest := s.deployedManifest(t, rel, ns)
			objs = append(objs, manifestObjects(t, manifest, ns, "release "+ns+"/"+rel)...)
		case strings.HasPrefix(r.Type, "kubernetes:"):
			meta, _ := r.Outputs["metadata"].(map[string]any)
			objs = append(objs, kubeObject{stringOf(r.Outputs["apiVersion"]), stringOf(r.Outputs["kind"]),
				stringOf(meta["namespace"]), stringOf(meta["name"]), name(r.URN), false})
		}
	}
	if releases == 0 || len(objs) == 0 {
		t.Fatalf("%d releases and %d objects in the state", releases, len(objs))
	}
	for _, o := range objs {
		if _, err := s.cluster.Get(o.apiVersion, o.kind, o.namespace, o.name); err != nil {
			t.Errorf("%s: %v", o, err)
		}
	}
	t.Logf("%d Helm releases deployed; %d objects of the program and the charts in the API server", releases, len(objs))
	return objs
}

// deployedManifest reads a release's manifest from Helm's storage (Secrets labelled owner=helm)
// and fails unless its newest revision is deployed.
func (s *realStack) deployedManifest(t *testing.T, release, namespace string) string {
	t.Helper()
	secrets, err := s.cluster.List("v1", "Secret", "owner=helm,name="+release)
	if err != nil {
		t.Fatal(err)
	}
	type helmRelease struct {
		Manifest string `json:"manifest"`
		Version  int    `json:"version"`
		Info     struct {
			Status string `json:"status"`
		} `json:"info"`
	}
	var newest helmRelease
	for _, sec := range secrets {
		meta, _ := sec["metadata"].(map[string]any)
		if stringOf(meta["namespace"]) != namespace {
			continue
		}
		data, _ := sec["data"].(map[string]any)
		raw, err := decodeRelease(stringOf(data["release"]))
		if err != nil {
			t.Fatalf("release %s/%s: %v", namespace, release, err)
		}
		var rel helmRelease
		if err := json.Unmarshal(raw, &rel); err != nil {
			t.Fatal(err)
		}
		if rel.Version > newest.Version {
			newest = rel
		}
	}
	if newest.Info.Status != "deployed" {
		t.Errorf("release %s/%s: newest revision %d is %q, want deployed", namespace, release, newest.Version, newest.Info.Status)
	}
	return newest.Manifest
}

// decodeRelease undoes Helm's storage encoding: base64 (the Secret's) of base64 of gzip of JSON.
func decodeRelease(data string) ([]byte, error) {
	outer, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, err
	}
	inner, err := base64.StdEncoding.DecodeString(string(outer))
	if err != nil {
		return nil, err
	}
	z, err := gzip.NewReader(bytes.NewReader(inner))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

// manifestObjects lists the objects of a rendered manifest (namespace defaulting to the
// release's).
func manifestObjects(t *testing.T, manifest, namespace, from string) []kubeObject {
	t.Helper()
	var out []kubeObject
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	for {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct {
				Name, Namespace string
				Annotations     map[string]string
			}
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s's manifest: %v", from, err)
		}
		if doc.Kind == "" {
			continue
		}
		ns := doc.Metadata.Namespace
		if ns == "" {
			ns = namespace
		}
		out = append(out, kubeObject{doc.APIVersion, doc.Kind, ns, doc.Metadata.Name, from,
			doc.Metadata.Annotations["helm.sh/resource-policy"] == "keep"})
	}
	return out
}

// addTeam appends a team to platform:teams.
func addTeam(team map[string]any) mutation {
	return func(t *testing.T, cfg map[string]string) {
		var teams []any
		if err := json.Unmarshal([]byte(cfg[kTeams]), &teams); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(append(teams, team))
		cfg[kTeams] = string(b)
	}
}

// platformDiff is what `platform diff` says of the stack's config edits from the last
// len(added) on.
func (s *realStack) platformDiff(t *testing.T, added ...mutation) diff.Result {
	t.Helper()
	base := planWith(t, s.name, s.edits...)
	s.edit(added...)
	return diff.Plans(base, planWith(t, s.name, s.edits...))
}

// agree fails unless the engine's preview and platform diff name the same resources for the
// same operations: created, updated in place, replaced, deleted.
func agree(t *testing.T, engine map[string][]string, d diff.Result) {
	t.Helper()
	want := map[string]string{}
	for _, r := range d.Added {
		want[r.Name] = "create"
	}
	for _, r := range d.Removed {
		want[r.Name] = "delete"
	}
	for _, c := range d.Changed {
		want[c.Name] = "update"
		if len(c.Replace) > 0 {
			want[c.Name] = "replace"
		}
	}
	got := map[string]string{}
	for n, ops := range engine {
		switch {
		case hasReplace(ops):
			got[n] = "replace"
		case slices.Contains(ops, "create"):
			got[n] = "create"
		case slices.Contains(ops, "delete"):
			got[n] = "delete"
		default:
			got[n] = strings.Join(ops, "+")
		}
	}
	for _, n := range slices.Sorted(maps.Keys(want)) {
		if got[n] != want[n] {
			t.Errorf("%s: platform diff says %s, the real engine %q", n, want[n], got[n])
		}
	}
	for _, n := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: the real engine would %s it, platform diff does not list it", n, got[n])
		}
	}
}

// A new team, a changed quota and a chart value: creates and in-place updates only, each
// resource as platform diff lists it; then the up puts them in the API server.
func realChange(t *testing.T, s *realStack) {
	d := s.platformDiff(t,
		addTeam(map[string]any{"name": "billing", "githubTeam": "billing-devs", "repos": []any{"billing-api"}}),
		edit(kTeams, "1.quota.cpu", "6"),
		edit("platform:addons", "loki.retentionDays", 21))
	steps := s.previewSteps(t)
	agree(t, steps, d)
	for n, ops := range steps {
		if hasReplace(ops) || slices.Contains(ops, "delete") {
			t.Errorf("%s: %v, want no replace and no delete", n, ops)
		}
	}
	c := changes(t, s.run(t, runner.Up))
	if c["create"] == 0 || c["update"] == 0 || c["replace"] != 0 || c["delete"] != 0 {
		t.Errorf("up of the change: %v, want creates and updates only", c)
	}
	if _, err := s.cluster.Get("v1", "Namespace", "", "billing"); err != nil {
		t.Errorf("the new team's namespace: %v", err)
	}
	q, err := s.cluster.Get("v1", "ResourceQuota", "search", "platform-quota")
	if err != nil {
		t.Fatal(err)
	}
	if hard := q["spec"].(map[string]any)["hard"].(map[string]any); hard["requests.cpu"] != "6" {
		t.Errorf("search's quota after the change: requests.cpu %v, want 6", hard["requests.cpu"])
	}
	s.objects = s.inCluster(t)
	onlySame(t, "preview after the change", changes(t, s.run(t, runner.Preview)))
}

// A change of an immutable field: the StorageClass's reclaim policy, which the API server
// refuses to update, set to the opposite of the environment's default (Delete in dev, Retain
// in prod). The real engine replaces the StorageClass, and platform diff says so.
func realImmutableChange(t *testing.T, s *realStack) {
	policy := "Retain"
	if config.PolicyFor(config.Environment(s.name)).VolumeReclaimPolicy == "Retain" {
		policy = "Delete"
	}
	d := s.platformDiff(t, edit("platform:addons", "ebsCsi.reclaimPolicy", policy))
	steps := s.previewSteps(t)
	agree(t, steps, d)
	if !hasReplace(steps["addons-ebs-csi-gp3"]) {
		t.Errorf("the gp3 StorageClass: %v, want a replace", steps["addons-ebs-csi-gp3"])
	}
	s.run(t, runner.Up)
	sc, err := s.cluster.Get("storage.k8s.io/v1", "StorageClass", "", "gp3")
	if err != nil {
		t.Fatal(err)
	}
	if sc["reclaimPolicy"] != policy {
		t.Errorf("gp3's reclaimPolicy after the up: %v, want %s", sc["reclaimPolicy"], policy)
	}
	onlySame(t, "preview after the replace", changes(t, s.run(t, runner.Preview)))
}

// destroy removes every object of the program and the charts, and no namespace is left
// (Terminating or not) but the API server's own.
func realDestroy(t *testing.T, s *realStack) {
	if s.name == "prod" {
		destroyProd(t, s.engineStack, func() {})
	} else {
		s.run(t, runner.Destroy)
	}
	var kept []string
	for _, o := range s.objects {
		_, err := s.cluster.Get(o.apiVersion, o.kind, o.namespace, o.name)
		switch {
		case o.kept && err == nil:
			kept = append(kept, o.kind+" "+o.name)
		case !errors.Is(err, kubeapi.ErrNotFound):
			t.Errorf("%s is still there after destroy (%v)", o, err)
		}
	}
	t.Logf("left by Helm's resource policy (keep), as the charts intend: %v", kept)
	nss, err := s.cluster.List("v1", "Namespace", "")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, ns := range nss {
		meta, _ := ns["metadata"].(map[string]any)
		status, _ := ns["status"].(map[string]any)
		left = append(left, stringOf(meta["name"])+"="+stringOf(status["phase"]))
	}
	slices.Sort(left)
	if want := []string{"default=Active", "kube-node-lease=Active", "kube-public=Active", "kube-system=Active"}; !slices.Equal(left, want) {
		t.Errorf("namespaces after destroy: %v, want only %v", left, want)
	}
}
