package kubeapi

// Tests that need no API server; they always run.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKubeconfig(t *testing.T) {
	ca := selfSignedPEM(t)
	// Same shape as what kube-test-server.sh writes, plus a decoy context.
	kc := `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster: {server: https://10.9.9.9:6443}
- name: kube-test
  cluster:
    server: https://127.0.0.1:31234
    certificate-authority-data: ` + base64.StdEncoding.EncodeToString(ca) + `
users:
- name: admin
  user:
    token: s3cret
contexts:
- name: decoy
  context: {cluster: other, user: nobody}
- name: kube-test
  context:
    cluster: kube-test
    user: admin
    namespace: default
current-context: kube-test
`
	path := filepath.Join(t.TempDir(), "kubeconfig")
	writeFile(t, path, kc)
	server, caPEM, token, err := loadKubeconfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if server != "https://127.0.0.1:31234" || token != "s3cret" || string(caPEM) != string(ca) {
		t.Fatalf("got server %q token %q ca match %v", server, token, string(caPEM) == string(ca))
	}
	s, err := newServerFromKubeconfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != server || s.Kubeconfig != path {
		t.Fatalf("server %+v", s)
	}

	writeFile(t, path, strings.Replace(kc, "token: s3cret", "{}", 1))
	if _, _, _, err := loadKubeconfig(path); err == nil || !strings.Contains(err.Error(), "no token") {
		t.Fatalf("want a missing-token error, got %v", err)
	}
}

func TestOrder(t *testing.T) {
	mk := func(id, apiVersion, kind string) Object {
		return Object{ID: id, Body: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	}
	crds, nss, rest := order([]Object{
		mk("app", "argoproj.io/v1alpha1", "Application"),
		mk("ns1", "v1", "Namespace"),
		mk("crd1", "apiextensions.k8s.io/v1", "CustomResourceDefinition"),
		mk("cm", "v1", "ConfigMap"),
		mk("ns2", "v1", "Namespace"),
		mk("crd2", "apiextensions.k8s.io/v1", "CustomResourceDefinition"),
		mk("fake-ns", "example.com/v1", "Namespace"), // a CR named Namespace is not one
	})
	ids := func(objs []Object) string {
		var s []string
		for _, o := range objs {
			s = append(s, o.ID)
		}
		return strings.Join(s, ",")
	}
	if got := ids(crds) + "|" + ids(nss) + "|" + ids(rest); got != "crd1,crd2|ns1,ns2|app,cm,fake-ns" {
		t.Fatalf("order: %s", got)
	}
}

func TestSharedDir(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "repo", "go.mod"), "module x\n")
	if err := os.MkdirAll(filepath.Join(root, "repo", "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvShared, "")
	t.Chdir(filepath.Join(root, "repo", "a", "b"))
	if _, err := SharedDir(); err == nil || !strings.Contains(err.Error(), "no shared folder") {
		t.Fatalf("want no-shared-folder error, got %v", err)
	}
	if err := os.Mkdir(filepath.Join(root, "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := SharedDir()
	if err != nil || got != filepath.Join(root, "shared") {
		t.Fatalf("SharedDir() = %q, %v", got, err)
	}
	t.Setenv(EnvShared, filepath.Join(root, "repo"))
	if got, err := SharedDir(); err != nil || got != filepath.Join(root, "repo") {
		t.Fatalf("with %s: %q, %v", EnvShared, got, err)
	}
}

func TestAssetsDir(t *testing.T) {
	fake := func(dir string, names ...string) {
		for _, n := range names {
			writeFile(t, filepath.Join(dir, n), "#!/bin/sh\n")
			if err := os.Chmod(filepath.Join(dir, n), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	testbin := t.TempDir()
	t.Setenv(EnvAssets, "")
	t.Setenv(EnvTestbin, testbin)
	if _, err := AssetsDir(); err == nil || !strings.Contains(err.Error(), "no executable kube-apiserver") {
		t.Fatalf("want missing-binary error, got %v", err)
	}
	want := filepath.Join(testbin, "k8s-"+K8sVersion)
	fake(want, "kube-apiserver", "etcd")
	if got, err := AssetsDir(); err != nil || got != want {
		t.Fatalf("AssetsDir() = %q, %v", got, err)
	}
	// KUBEBUILDER_ASSETS is authoritative: a dir without etcd is an error even though the
	// testbin has both.
	envtest := t.TempDir()
	fake(envtest, "kube-apiserver")
	t.Setenv(EnvAssets, envtest)
	if _, err := AssetsDir(); err == nil || !strings.Contains(err.Error(), "no executable etcd") {
		t.Fatalf("want missing-etcd error, got %v", err)
	}
}

func TestReadManifests(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b", "two.yaml"), "---\napiVersion: v1\nkind: A\n---\n---\napiVersion: v1\nkind: B\n")
	writeFile(t, filepath.Join(dir, "a.yml"), "apiVersion: v1\nkind: C\n")
	writeFile(t, filepath.Join(dir, "README.md"), "not yaml: [")
	objs, err := ReadManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.Body["kind"].(string))
	}
	if strings.Join(kinds, ",") != "C,A,B" || !strings.HasSuffix(objs[1].ID, "two.yaml#0") {
		t.Fatalf("kinds %v, ids %s %s", kinds, objs[0].ID, objs[1].ID)
	}
}

// TestApplyRequests checks the wire format against a fake API server: the real one
// accepts more than it should be asked for (e.g. a missing fieldValidation is not an error).
func TestApplyRequests(t *testing.T) {
	type seen struct {
		method, path, ctype string
		query               map[string][]string
		body                map[string]any
	}
	var got []seen
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no auth", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/v1":
			io.WriteString(w, `{"resources":[{"name":"namespaces","kind":"Namespace","namespaced":false},
				{"name":"configmaps","kind":"ConfigMap","namespaced":true},
				{"name":"configmaps/status","kind":"ConfigMap","namespaced":true}]}`)
			return
		case "/apis/example.com/v1":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"kind":"Status","message":"the server could not find the requested resource"}`)
			return
		}
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &body)
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.URL.Query(), body})
		if strings.HasSuffix(r.URL.Path, "/bad") {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"ConfigMap \"bad\" is invalid: data: oops","reason":"Invalid","code":422}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer ts.Close()
	s := newServer(ts.URL, "tok", ts.Client())

	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}
	if err := s.DryRunApply(Object{ID: "urn:cm", Body: cm}); err != nil {
		t.Fatal(err)
	}
	if _, ok := cm["metadata"].(map[string]any)["namespace"]; ok {
		t.Fatal("DryRunApply modified the caller's body")
	}
	if err := s.Apply(Object{ID: "urn:ns", Body: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "n"}}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("requests: %+v", got)
	}
	dry, real := got[0], got[1]
	if dry.method != http.MethodPatch || dry.path != "/api/v1/namespaces/default/configmaps/c" ||
		dry.ctype != "application/apply-patch+yaml" || dry.body["metadata"].(map[string]any)["namespace"] != "default" {
		t.Fatalf("dry run request: %+v", dry)
	}
	for k, v := range map[string]string{"fieldManager": "platform-test", "force": "true", "dryRun": "All", "fieldValidation": "Strict"} {
		if len(dry.query[k]) != 1 || dry.query[k][0] != v {
			t.Fatalf("dry run query %s = %v, want %s", k, dry.query[k], v)
		}
	}
	if real.path != "/api/v1/namespaces/n" || real.query["dryRun"] != nil || real.query["force"][0] != "true" {
		t.Fatalf("apply request: %+v", real)
	}

	bad := Object{ID: "urn:bad", Body: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "bad", "namespace": "x"}}}
	err := s.DryRunApply(bad)
	if err == nil || err.Error() != `urn:bad: ConfigMap "bad" is invalid: data: oops` {
		t.Fatalf("rejection: %v", err)
	}
	for _, o := range []Object{
		{ID: "urn:widget", Body: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}}},
		{ID: "urn:pod2", Body: map[string]any{"apiVersion": "v1", "kind": "Pod2", "metadata": map[string]any{"name": "p"}}},
		{ID: "urn:noname", Body: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}},
	} {
		if err := s.DryRunApply(o); err == nil || !strings.HasPrefix(err.Error(), o.ID+": ") {
			t.Errorf("%s: want an error naming it, got %v", o.ID, err)
		}
	}
}
