package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// Kubectl removes Ingresses and LoadBalancer Services with kubectl (which, with the stack's
// kubeconfig, authenticates through `aws eks get-token`), then waits until AWS shows no load
// balancer of the cluster.
type Kubectl struct {
	// Run runs kubectl; nil uses the kubectl on PATH.
	Run func(ctx context.Context, args ...string) ([]byte, error)
	// Wait waits for the controller to finish in AWS.
	Wait func(ctx context.Context, cluster string, progress io.Writer) error
	// Timeout bounds the whole removal. Default 15 minutes.
	Timeout time.Duration
}

func (k Kubectl) Remove(ctx context.Context, kubeconfig, cluster string, progress io.Writer) error {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	f, err := os.CreateTemp("", "platform-kubeconfig-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(kubeconfig); err != nil {
		f.Close()
		return err
	}
	f.Close()
	run := k.Run
	if run == nil {
		run = func(ctx context.Context, args ...string) ([]byte, error) {
			var out, errb bytes.Buffer
			cmd := exec.CommandContext(ctx, "kubectl", args...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("kubectl %v: %v: %s", args, err, errb.String())
			}
			return out.Bytes(), nil
		}
	}
	kc := "--kubeconfig=" + f.Name()
	if _, err := run(ctx, kc, "delete", "ingress", "--all", "--all-namespaces", "--wait=true"); err != nil {
		return err
	}
	raw, err := run(ctx, kc, "get", "services", "--all-namespaces", "-o", "json")
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
		if _, err := run(ctx, kc, "delete", "service", "-n", s.Metadata.Namespace, s.Metadata.Name, "--wait=true"); err != nil {
			return err
		}
	}
	if k.Wait == nil {
		return nil
	}
	return k.Wait(ctx, cluster, progress)
}
