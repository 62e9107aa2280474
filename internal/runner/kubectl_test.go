package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// fakeKubectl answers `get` from canned JSON by resource and records every call without the
// --kubeconfig flag, checking the kubeconfig file it names.
func fakeKubectl(t *testing.T, gets map[string]string, calls *[]string) Kubectl {
	return Kubectl{Run: func(_ context.Context, args ...string) ([]byte, error) {
		kc, ok := strings.CutPrefix(args[0], "--kubeconfig=")
		if b, err := os.ReadFile(kc); !ok || err != nil || string(b) != "KCFG" {
			t.Errorf("kubectl %v without the stack's kubeconfig (%v)", args, err)
		}
		*calls = append(*calls, strings.Join(args[1:], " "))
		if args[1] == "get" {
			if out, ok := gets[args[2]]; ok {
				return []byte(out), nil
			}
			return nil, errors.New("no canned answer for get " + args[2])
		}
		return nil, nil
	}}
}

func TestKubectlRemovesIngressesAndLoadBalancerServices(t *testing.T) {
	var calls []string
	k := fakeKubectl(t, map[string]string{"services": `{"items":[{"metadata":{"name":"web","namespace":"a"},"spec":{"type":"LoadBalancer"}},
		{"metadata":{"name":"api","namespace":"a"},"spec":{"type":"ClusterIP"}}]}`}, &calls)
	if err := k.RemoveLoadBalancers(context.Background(), "KCFG", io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "delete ingress --all --all-namespaces --wait=true|get services --all-namespaces -o json|delete service -n a web --wait=true"
	if strings.Join(calls, "|") != want {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(calls, "|"), want)
	}
}

// Argo CD's automated sync goes off on every Application that has it, the root app first (it
// would restore its children's from Git); without Argo CD nothing is patched.
func TestKubectlStopsGitOpsRootFirst(t *testing.T) {
	var calls []string
	apps := `{"items":[
		{"metadata":{"name":"a-team","namespace":"argocd"},"spec":{"syncPolicy":{"automated":{"prune":true,"selfHeal":true}}}},
		{"metadata":{"name":"manual","namespace":"argocd"},"spec":{"syncPolicy":{}}},
		{"metadata":{"name":"root","namespace":"argocd"},"spec":{"syncPolicy":{"automated":{"selfHeal":true}}}},
		{"metadata":{"name":"b-team","namespace":"argocd"},"spec":{"syncPolicy":{"automated":{}}}}]}`
	k := fakeKubectl(t, map[string]string{"crd": "customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io\n", "applications.argoproj.io": apps}, &calls)
	if err := k.StopGitOps(context.Background(), "KCFG", io.Discard); err != nil {
		t.Fatal(err)
	}
	patch := func(name string) string {
		return "patch applications.argoproj.io " + name + " -n argocd --type=merge -p " + disableAutomatedSync
	}
	want := strings.Join([]string{"get crd applications.argoproj.io --ignore-not-found -o name",
		"get applications.argoproj.io --all-namespaces -o json", patch("root"), patch("a-team"), patch("b-team")}, "|")
	if strings.Join(calls, "|") != want {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(calls, "|"), want)
	}
	if disableAutomatedSync != `{"spec":{"syncPolicy":{"automated":null}}}` {
		t.Errorf("patch %s does not remove automated sync", disableAutomatedSync)
	}
	calls = nil
	k = fakeKubectl(t, map[string]string{"crd": ""}, &calls)
	if err := k.StopGitOps(context.Background(), "KCFG", io.Discard); err != nil || len(calls) != 1 {
		t.Errorf("without Argo CD: %v %v", err, calls)
	}
}

// Claims are deleted, then the pods that hold them, then each volume is waited for.
func TestKubectlRemovesVolumes(t *testing.T) {
	var calls []string
	k := fakeKubectl(t, map[string]string{
		"persistentvolumeclaims": `{"items":[
			{"metadata":{"name":"data-loki-0","namespace":"logging"},"spec":{"volumeName":"pvc-1"}},
			{"metadata":{"name":"prom-db","namespace":"monitoring"},"spec":{"volumeName":"pvc-2"}}]}`,
		"pods": `{"items":[
			{"metadata":{"name":"loki-0","namespace":"logging"},"spec":{"volumes":[{"configMap":{}},{"persistentVolumeClaim":{"claimName":"data-loki-0"}}]}},
			{"metadata":{"name":"web","namespace":"logging"},"spec":{"volumes":[{"persistentVolumeClaim":{"claimName":"other"}}]}},
			{"metadata":{"name":"prometheus-0","namespace":"monitoring"},"spec":{"volumes":[{"persistentVolumeClaim":{"claimName":"prom-db"}}]}}]}`,
		"persistentvolumes": `{"items":[{"metadata":{"name":"pvc-1"},"spec":{"persistentVolumeReclaimPolicy":"Delete"}}]}`,
	}, &calls)
	if err := k.RemoveVolumes(context.Background(), "KCFG", io.Discard); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"get persistentvolumeclaims --all-namespaces -o json",
		"get persistentvolumes -o json",
		"delete persistentvolumeclaim -n logging data-loki-0 --wait=false",
		"delete persistentvolumeclaim -n monitoring prom-db --wait=false",
		"get pods --all-namespaces -o json",
		"delete pod -n logging loki-0 --wait=false",
		"delete pod -n monitoring prometheus-0 --wait=false",
		"wait --for=delete persistentvolume/pvc-1 --timeout=10m",
		"wait --for=delete persistentvolume/pvc-2 --timeout=10m"}, "|")
	if strings.Join(calls, "|") != want {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(calls, "|"), want)
	}
	calls = nil
	k = fakeKubectl(t, map[string]string{"persistentvolumeclaims": `{"items":[]}`}, &calls)
	if err := k.RemoveVolumes(context.Background(), "KCFG", io.Discard); err != nil || len(calls) != 1 {
		t.Errorf("no claims: %v %v", err, calls)
	}
}

// A claim whose volume is retained (prod's data) is neither deleted nor waited for: it is
// listed as kept, with its EBS volume; the others go as before.
func TestKubectlKeepsRetainedVolumes(t *testing.T) {
	var calls []string
	k := fakeKubectl(t, map[string]string{
		"persistentvolumeclaims": `{"items":[
			{"metadata":{"name":"data-loki-0","namespace":"logging"},"spec":{"volumeName":"pvc-1"}},
			{"metadata":{"name":"orders-data","namespace":"payments"},"spec":{"volumeName":"pvc-2"}}]}`,
		"persistentvolumes": `{"items":[
			{"metadata":{"name":"pvc-1"},"spec":{"persistentVolumeReclaimPolicy":"Delete","csi":{"volumeHandle":"vol-1"}}},
			{"metadata":{"name":"pvc-2"},"spec":{"persistentVolumeReclaimPolicy":"Retain","csi":{"volumeHandle":"vol-0abc"}}}]}`,
		"pods": `{"items":[
			{"metadata":{"name":"orders-0","namespace":"payments"},"spec":{"volumes":[{"persistentVolumeClaim":{"claimName":"orders-data"}}]}}]}`,
	}, &calls)
	var out strings.Builder
	if err := k.RemoveVolumes(context.Background(), "KCFG", &out); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"get persistentvolumeclaims --all-namespaces -o json",
		"get persistentvolumes -o json",
		"delete persistentvolumeclaim -n logging data-loki-0 --wait=false",
		"get pods --all-namespaces -o json",
		"wait --for=delete persistentvolume/pvc-1 --timeout=10m"}, "|")
	if strings.Join(calls, "|") != want {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(calls, "|"), want)
	}
	if !strings.Contains(out.String(), "keeping PersistentVolumeClaim payments/orders-data: its volume pvc-2 (EBS vol-0abc) has reclaimPolicy Retain") {
		t.Errorf("the kept claim is not listed:\n%s", out.String())
	}
}
