package kubeapi

// Tests against a real etcd + kube-apiserver: skipped without the binaries, failed with
// PLATFORM_REQUIRE_KUBEAPI=1.

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func manifest(t *testing.T, id, doc string) Object {
	t.Helper()
	var body map[string]any
	if err := yaml.Unmarshal([]byte(doc), &body); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return Object{ID: id, Body: body}
}

const (
	namespaceYAML = `
apiVersion: v1
kind: Namespace
metadata: {name: platform-apps}
`
	applicationYAML = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook, namespace: platform-apps}
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: platform-apps
`
	storeYAML = `
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: aws-parameter-store}
spec:
  provider:
    aws: {service: ParameterStore, region: eu-north-1}
`
	externalSecretYAML = `
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db-credentials, namespace: platform-apps}
spec:
  refreshInterval: 1h
  secretStoreRef: {name: aws-parameter-store, kind: ClusterSecretStore}
  target: {name: db-credentials}
  data:
  - secretKey: password
    remoteRef: {key: /platform/db/password}
`
	storageClassYAML = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: ebs.csi.aws.com
parameters: {type: gp3, encrypted: "true", fsType: ext4}
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
`
)

func TestRealAPIServer(t *testing.T) {
	crdDir := SharedPath(t, "fixtures/crds")
	start := time.Now()
	s := Start(t)
	began := time.Now()
	if err := s.InstallCRDs(crdDir); err != nil {
		t.Fatalf("InstallCRDs: %v", err)
	}
	t.Logf("InstallCRDs(%s): %s", crdDir, time.Since(began).Round(time.Millisecond))

	t.Run("accepts valid objects", func(t *testing.T) {
		objs := []Object{
			// deliberately out of order: ValidateAll must create the Namespace first
			manifest(t, "urn:app", applicationYAML),
			manifest(t, "urn:es", externalSecretYAML),
			manifest(t, "urn:store", storeYAML),
			manifest(t, "urn:sc", storageClassYAML),
			manifest(t, "urn:ns", namespaceYAML),
		}
		began := time.Now()
		n, errs := s.ValidateAll(objs)
		for _, err := range errs {
			t.Error(err)
		}
		if n != len(objs) {
			t.Fatalf("validated %d of %d objects", n, len(objs))
		}
		t.Logf("ValidateAll(%d objects): %s", n, time.Since(began).Round(time.Millisecond))
		// dry run must not have stored anything
		if _, _, err := s.do("GET", "/apis/argoproj.io/v1alpha1/namespaces/platform-apps/applications/guestbook", nil, "", nil); err == nil ||
			!strings.Contains(err.Error(), "not found") {
			t.Errorf("Application exists after a dry run: %v", err)
		}
	})

	t.Run("rejects invalid objects", func(t *testing.T) {
		cases := []struct {
			obj  Object
			want string // part of the server's message
		}{
			{manifest(t, "urn:bad-field", strings.Replace(applicationYAML, "repoURL", "repoUrl", 1)),
				".spec.source.repoUrl: field not declared in schema"},
			{manifest(t, "urn:bad-enum", strings.Replace(storeYAML, "ParameterStore", "ParamStore", 1)),
				`Unsupported value: "ParamStore"`},
			{manifest(t, "urn:bad-builtin", strings.Replace(storageClassYAML, "WaitForFirstConsumer", "Later", 1)),
				`Unsupported value: "Later"`},
			{manifest(t, "urn:unknown-kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"),
				`no matches for kind "Widget"`},
			{manifest(t, "urn:old-version", strings.Replace(storeYAML, "external-secrets.io/v1", "external-secrets.io/v1beta1", 1)),
				`no matches for kind "ClusterSecretStore"`},
			{manifest(t, "urn:no-namespace", strings.ReplaceAll(externalSecretYAML, "namespace: platform-apps", "namespace: does-not-exist")),
				`namespaces "does-not-exist" not found`},
		}
		var objs []Object
		for _, c := range cases {
			err := s.DryRunApply(c.obj)
			if err == nil {
				t.Errorf("%s: accepted, want an error containing %q", c.obj.ID, c.want)
				continue
			}
			t.Logf("rejected as expected: %v", err)
			if !strings.HasPrefix(err.Error(), c.obj.ID+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: want prefix %q and %q", err, c.obj.ID+": ", c.want)
			}
			objs = append(objs, c.obj)
		}
		// the same through ValidateAll, mixed with a valid object
		n, errs := s.ValidateAll(append(objs, manifest(t, "urn:sc", storageClassYAML)))
		if n != 1 || len(errs) != len(objs) {
			t.Errorf("ValidateAll: validated %d (want 1), %d errors (want %d): %v", n, len(errs), len(objs), errs)
		}
	})
	t.Logf("total incl. server start: %s", time.Since(start).Round(time.Millisecond))
}
