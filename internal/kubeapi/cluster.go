package kubeapi

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Cluster is a test API server with the parts of a cluster the real Kubernetes provider needs
// beyond it, for a `pulumi up` and `destroy` of the whole program (tests/engine_realk8s_test.go):
//   - kube-controller-manager's namespace controller, which empties a deleted namespace and
//     removes its finalizer: the API server alone leaves every deleted namespace Terminating;
//   - its garbage collector, which removes the foregroundDeletion finalizer the provider's
//     deletes put on objects (and deletes what they own);
//   - its resource-quota controller, which writes the status the provider awaits on a
//     ResourceQuota;
//   - its volume-claim protection controller, which removes the finalizer of a deleted claim
//     no pod uses (Grafana's chart makes one): without it the claim, and its namespace, stay;
//   - a ServiceNetwork on which the charts' admission webhooks answer;
//   - a JobStandIn that completes the charts' hook Jobs, which Helm waits for.
//
// No scheduler, kubelet or workload controller runs: Deployments make no ReplicaSets and no pod
// runs, so releases and objects that wait for pods must not be awaited (helmkit's test switch).
type Cluster struct {
	*Server
	Services *ServiceNetwork
	Jobs     *JobStandIn
	// ControllerManagerLog is the path of kube-controller-manager's log.
	ControllerManagerLog string
}

// ControllerManagerControllers are the controllers StartCluster runs.
var ControllerManagerControllers = []string{"namespace-controller", "garbage-collector-controller", "resourcequota-controller",
	"persistentvolumeclaim-protection-controller"}

// StartCluster starts etcd + kube-apiserver (as Start does), with the ServiceNetwork as the API
// server's HTTPS proxy, and kube-controller-manager (its binary at controllerManager) running
// ControllerManagerControllers. Everything stops in t.Cleanup.
func StartCluster(t testing.TB, controllerManager string) *Cluster {
	t.Helper()
	if fi, err := os.Stat(controllerManager); err != nil || fi.Mode()&0o111 == 0 {
		unavailable(t, fmt.Sprintf("no kube-controller-manager at %q (.ci/engines.sh builds it)", controllerManager))
	}
	svc, err := newServiceNetwork()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	// Go's transport sends every webhook call to the proxy; loopback (etcd, the API server's
	// own clients, the script's readiness checks) never goes through a proxy.
	s := start(t, "HTTPS_PROXY=http://"+svc.Addr, "https_proxy=http://"+svc.Addr, "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
	svc.server.Store(s)

	logPath := filepath.Join(s.StateDir, "kube-controller-manager.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(controllerManager,
		"--kubeconfig="+s.Kubeconfig,
		"--controllers="+strings.Join(ControllerManagerControllers, ","),
		"--leader-elect=false",
		"--secure-port=0", // nothing scrapes or probes it here
		"--use-service-account-credentials=false",
		"--v=1",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("kubeapi: starting kube-controller-manager: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Registered after the API server's cleanup, so it runs before it (LIFO).
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		logFile.Close()
	})
	// It is up once it has synced its informers; an early exit is a bad flag or kubeconfig.
	select {
	case err := <-exited:
		exited <- err
		raw, _ := os.ReadFile(logPath)
		t.Fatalf("kubeapi: kube-controller-manager exited: %v\n%s", err, lastLines(string(raw), 30))
	case <-time.After(2 * time.Second):
	}
	t.Logf("kubeapi: kube-controller-manager running %s (log %s)", strings.Join(ControllerManagerControllers, ", "), logPath)
	jobs := startJobStandIn(s, 250*time.Millisecond)
	t.Cleanup(jobs.Close)
	return &Cluster{Server: s, Services: svc, Jobs: jobs, ControllerManagerLog: logPath}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
