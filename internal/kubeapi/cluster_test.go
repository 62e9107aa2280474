package kubeapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The test cluster's parts, each asked through the API server: kube-controller-manager writes a
// quota's status and finishes a namespace's deletion; a webhook whose CA a controller would
// inject is answered; a webhook that nothing serves still refuses (the control); a Job
// completes.
func TestClusterStandsInForTheControllersAndPods(t *testing.T) {
	kcm := filepath.Join(os.Getenv("PLATFORM_ENGINES"), "kube-controller-manager")
	if _, err := os.Stat(kcm); os.Getenv("PLATFORM_ENGINES") == "" || err != nil {
		if os.Getenv("PLATFORM_REQUIRE_ENGINES") == "1" {
			t.Fatalf("no kube-controller-manager in PLATFORM_ENGINES (%q): run bash .ci/engines.sh", os.Getenv("PLATFORM_ENGINES"))
		}
		t.Skip("no kube-controller-manager: export PLATFORM_ENGINES=$(bash .ci/engines.sh)")
	}
	c := StartCluster(t, kcm)
	apply := func(doc string) error { return c.Apply(manifest(t, "object", doc)) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 60 s (kube-controller-manager's log: %s)", what, c.ControllerManagerLog)
			}
		}
	}

	must(apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: wh}"))
	must(apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: wh}\nspec: {hard: {pods: '3'}}"))
	eventually("the quota's status", func() bool {
		q, err := c.Get("v1", "ResourceQuota", "wh", "q")
		return err == nil && q["status"] != nil
	})

	webhook := func(name, service, resource, caBundle string) string {
		return "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: " + name + "}\nwebhooks:\n" +
			"- name: " + name + ".example.org\n  admissionReviewVersions: [v1]\n  sideEffects: None\n  failurePolicy: Fail\n" +
			"  clientConfig: {service: {name: " + service + ", namespace: wh, path: /validate}" + caBundle + "}\n" +
			"  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: wh}}\n" +
			"  rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [" + resource + "]}]"
	}
	// A controller's webhook: its CA is injected, and it admits.
	must(apply(webhook("injected", "controller", "configmaps", "")))
	eventually("the CA's injection", func() bool {
		w, err := c.Get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "injected")
		return err == nil && strings.Contains(stringAt(w, "webhooks", "clientConfig", "caBundle"), base64.StdEncoding.EncodeToString(c.Services.ca.pem)[:20])
	})
	must(apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: admitted, namespace: wh}"))
	if n := c.Services.Admitted()["controller.wh.svc/validate"]; n != 1 {
		t.Errorf("the stand-in admitted %d requests, want 1: %v", n, c.Services.Admitted())
	}
	// A webhook with a CA of its own and no certificate in its namespace: nothing serves it.
	other, err := newServiceCA()
	must(err)
	must(apply(webhook("unserved", "nobody", "secrets", ", caBundle: "+base64.StdEncoding.EncodeToString(other.pem))))
	// The API server learns a new webhook configuration through an informer: a request right
	// after the apply can pass before it is in effect (a CI run saw one). Each try is a new
	// Secret; the refusal must come, naming the service nothing serves.
	var refusal error
	tries := 0
	eventually("a Secret past a webhook nothing serves, refused", func() bool {
		tries++
		refusal = apply(fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: refused-%d, namespace: wh}", tries))
		return refusal != nil
	})
	if !strings.Contains(refusal.Error(), "nobody.wh.svc") {
		t.Errorf("a Secret past a webhook nothing serves: %v, want refused by nobody.wh.svc", refusal)
	}

	must(apply("apiVersion: batch/v1\nkind: Job\nmetadata: {name: hook, namespace: wh}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}"))
	eventually("the Job's completion", func() bool {
		j, err := c.Get("batch/v1", "Job", "wh", "hook")
		return err == nil && strings.Contains(stringAt(j, "status", "conditions", "type"), "Complete")
	})

	_, _, err = c.do(http.MethodDelete, "/api/v1/namespaces/wh", nil, "", nil)
	must(err)
	eventually("the namespace's deletion", func() bool {
		_, err := c.Get("v1", "Namespace", "", "wh")
		return errors.Is(err, ErrNotFound)
	})
}

// stringAt joins the strings found at path in obj, through lists.
func stringAt(obj any, path ...string) string {
	switch v := obj.(type) {
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringAt(e, path...))
		}
		return strings.Join(out, ",")
	case map[string]any:
		if len(path) == 0 {
			return ""
		}
		return stringAt(v[path[0]], path[1:]...)
	case string:
		if len(path) == 0 {
			return v
		}
	}
	return ""
}
