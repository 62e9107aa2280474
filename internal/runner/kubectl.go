package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"
)

// Kubectl runs the Kubernetes steps before a destroy with kubectl and the stack's kubeconfig
// (which authenticates through `aws eks get-token`).
type Kubectl struct {
	// Run runs kubectl; nil uses the kubectl on PATH.
	Run func(ctx context.Context, args ...string) ([]byte, error)
	// VolumeTimeout bounds the wait for each persistent volume to be deleted. Default "10m".
	VolumeTimeout string
}

// disableAutomatedSync removes an Application's automated sync (and with it self-heal).
const disableAutomatedSync = `{"spec":{"syncPolicy":{"automated":null}}}`

// StopGitOps turns automated sync off on every Argo CD Application, the root app-of-apps
// first: a self-healing Application re-creates what the next steps delete (its Ingresses), and
// the root app would restore its children's automation from Git. Deleting the Applications
// instead would cascade through Argo CD into every team's workloads; turning sync off leaves
// them to the destroy. Without Argo CD's CRD there is nothing to stop.
func (k Kubectl) StopGitOps(ctx context.Context, kubeconfig string, progress io.Writer) error {
	return k.with(ctx, kubeconfig, func(run runFunc) error {
		crd, err := run("get", "crd", "applications.argoproj.io", "--ignore-not-found", "-o", "name")
		if err != nil {
			return err
		}
		if strings.TrimSpace(string(crd)) == "" {
			fmt.Fprintln(progress, "no Argo CD Applications (no CRD): nothing to stop")
			return nil
		}
		raw, err := run("get", "applications.argoproj.io", "--all-namespaces", "-o", "json")
		if err != nil {
			return err
		}
		var list struct {
			Items []struct {
				Metadata struct{ Name, Namespace string }
				Spec     struct {
					SyncPolicy struct {
						Automated *json.RawMessage
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("reading Argo CD Applications: %w", err)
		}
		type app struct{ ns, name string }
		var apps []app
		for _, a := range list.Items {
			if a.Spec.SyncPolicy.Automated != nil {
				apps = append(apps, app{a.Metadata.Namespace, a.Metadata.Name})
			}
		}
		isRoot := func(a app) bool { return a.ns == contract.ArgoCDNamespace && a.name == contract.ArgoCDRootApp }
		slices.SortStableFunc(apps, func(a, b app) int {
			switch {
			case isRoot(a) && !isRoot(b):
				return -1
			case isRoot(b) && !isRoot(a):
				return 1
			}
			return strings.Compare(a.ns+"/"+a.name, b.ns+"/"+b.name)
		})
		for _, a := range apps {
			fmt.Fprintf(progress, "turning automated sync off: Application %s/%s\n", a.ns, a.name)
			if _, err := run("patch", "applications.argoproj.io", a.name, "-n", a.ns, "--type=merge", "-p", disableAutomatedSync); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveLoadBalancers deletes every Ingress and LoadBalancer Service and waits until
// Kubernetes has removed them (the Load Balancer Controller's finalizer goes once their
// ALB/NLB is deleted in AWS).
func (k Kubectl) RemoveLoadBalancers(ctx context.Context, kubeconfig string, progress io.Writer) error {
	return k.with(ctx, kubeconfig, func(run runFunc) error {
		if _, err := run("delete", "ingress", "--all", "--all-namespaces", "--wait=true"); err != nil {
			return err
		}
		raw, err := run("get", "services", "--all-namespaces", "-o", "json")
		if err != nil {
			return err
		}
		var list struct {
			Items []struct {
				Metadata struct{ Name, Namespace string }
				Spec     struct{ Type string }
			}
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("reading services: %w", err)
		}
		for _, s := range list.Items {
			if s.Spec.Type != "LoadBalancer" {
				continue
			}
			fmt.Fprintf(progress, "deleting LoadBalancer Service %s/%s\n", s.Metadata.Namespace, s.Metadata.Name)
			if _, err := run("delete", "service", "-n", s.Metadata.Namespace, s.Metadata.Name, "--wait=true"); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveVolumes deletes every persistent volume claim while the EBS CSI driver still runs, so
// that it deletes their volumes (StatefulSet claims survive `helm uninstall`, and a volume
// outlives a deleted cluster). A claim in use stays until its pod goes: the pods using them
// are deleted too, and the StatefulSet's replacements cannot start on a claim being deleted.
// Then it waits until each claim's volume is gone. A claim whose volume has reclaimPolicy
// Retain (prod's data volumes) is left alone and listed: its EBS volume outlives the stack on
// purpose, and waiting for its deletion would wait forever.
func (k Kubectl) RemoveVolumes(ctx context.Context, kubeconfig string, progress io.Writer) error {
	return k.with(ctx, kubeconfig, func(run runFunc) error {
		raw, err := run("get", "persistentvolumeclaims", "--all-namespaces", "-o", "json")
		if err != nil {
			return err
		}
		var claims struct {
			Items []struct {
				Metadata struct{ Name, Namespace string }
				Spec     struct{ VolumeName string }
			}
		}
		if err := json.Unmarshal(raw, &claims); err != nil {
			return fmt.Errorf("reading persistent volume claims: %w", err)
		}
		if len(claims.Items) == 0 {
			return nil
		}
		kept, err := retainedVolumes(run)
		if err != nil {
			return err
		}
		inUse := map[string]bool{}
		var volumes []string
		for _, c := range claims.Items {
			if ebs, ok := kept[c.Spec.VolumeName]; ok {
				fmt.Fprintf(progress, "keeping PersistentVolumeClaim %s/%s: its volume %s (EBS %s) has reclaimPolicy Retain and stays in the cloud\n",
					c.Metadata.Namespace, c.Metadata.Name, c.Spec.VolumeName, ebs)
				continue
			}
			fmt.Fprintf(progress, "deleting PersistentVolumeClaim %s/%s (volume %s)\n", c.Metadata.Namespace, c.Metadata.Name, c.Spec.VolumeName)
			if _, err := run("delete", "persistentvolumeclaim", "-n", c.Metadata.Namespace, c.Metadata.Name, "--wait=false"); err != nil {
				return err
			}
			inUse[c.Metadata.Namespace+"/"+c.Metadata.Name] = true
			if c.Spec.VolumeName != "" {
				volumes = append(volumes, c.Spec.VolumeName)
			}
		}
		raw, err = run("get", "pods", "--all-namespaces", "-o", "json")
		if err != nil {
			return err
		}
		var pods struct {
			Items []struct {
				Metadata struct{ Name, Namespace string }
				Spec     struct {
					Volumes []struct {
						PersistentVolumeClaim *struct{ ClaimName string }
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &pods); err != nil {
			return fmt.Errorf("reading pods: %w", err)
		}
		for _, p := range pods.Items {
			for _, v := range p.Spec.Volumes {
				if v.PersistentVolumeClaim != nil && inUse[p.Metadata.Namespace+"/"+v.PersistentVolumeClaim.ClaimName] {
					fmt.Fprintf(progress, "deleting Pod %s/%s, which uses claim %s\n", p.Metadata.Namespace, p.Metadata.Name, v.PersistentVolumeClaim.ClaimName)
					if _, err := run("delete", "pod", "-n", p.Metadata.Namespace, p.Metadata.Name, "--wait=false"); err != nil {
						return err
					}
					break
				}
			}
		}
		timeout := k.VolumeTimeout
		if timeout == "" {
			timeout = "10m"
		}
		for _, v := range volumes {
			fmt.Fprintf(progress, "waiting for PersistentVolume %s (its EBS volume) to be deleted\n", v)
			if _, err := run("wait", "--for=delete", "persistentvolume/"+v, "--timeout="+timeout); err != nil {
				return err
			}
		}
		return nil
	})
}

// retainedVolumes are the persistent volumes with reclaimPolicy Retain, by name, with their
// EBS volume ids (the CSI volume handle).
func retainedVolumes(run runFunc) (map[string]string, error) {
	raw, err := run("get", "persistentvolumes", "-o", "json")
	if err != nil {
		return nil, err
	}
	var pvs struct {
		Items []struct {
			Metadata struct{ Name string }
			Spec     struct {
				PersistentVolumeReclaimPolicy string
				CSI                           *struct{ VolumeHandle string }
			}
		}
	}
	if err := json.Unmarshal(raw, &pvs); err != nil {
		return nil, fmt.Errorf("reading persistent volumes: %w", err)
	}
	out := map[string]string{}
	for _, pv := range pvs.Items {
		if pv.Spec.PersistentVolumeReclaimPolicy != "Retain" {
			continue
		}
		out[pv.Metadata.Name] = "(no CSI volume)"
		if pv.Spec.CSI != nil {
			out[pv.Metadata.Name] = pv.Spec.CSI.VolumeHandle
		}
	}
	return out, nil
}

type runFunc func(args ...string) ([]byte, error)

// with writes the kubeconfig to a private temporary file for the duration of fn.
func (k Kubectl) with(ctx context.Context, kubeconfig string, fn func(run runFunc) error) error {
	f, err := os.CreateTemp("", "platform-kubeconfig-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(kubeconfig); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	exe := k.Run
	if exe == nil {
		exe = func(ctx context.Context, args ...string) ([]byte, error) {
			var out, errb bytes.Buffer
			cmd := exec.CommandContext(ctx, "kubectl", args...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("kubectl %s: %v: %s", strings.Join(args[1:], " "), err, strings.TrimSpace(errb.String()))
			}
			return out.Bytes(), nil
		}
	}
	kc := "--kubeconfig=" + f.Name()
	return fn(func(args ...string) ([]byte, error) { return exe(ctx, append([]string{kc}, args...)...) })
}
