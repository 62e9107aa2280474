// Package kubeapi lets tests validate Kubernetes objects server-side against a real,
// throwaway etcd + kube-apiserver on loopback (started through
// ../shared/tools/kube-apiserver/kube-test-server.sh).
//
// A real API server is used instead of offline schema checks because only the server
// applies everything at once: built-in type validation, CRD structural schemas (unknown
// fields, enums, CEL rules), defaulting and admission such as NamespaceLifecycle.
//
// Typical use:
//
//	s := kubeapi.Start(t) // skips (or fails in CI) when the binaries are missing
//	if err := s.InstallCRDs(kubeapi.SharedPath(t, "fixtures/crds")); err != nil {
//		t.Fatal(err)
//	}
//	n, errs := s.ValidateAll(objs) // objs: []kubeapi.Object{{ID: urn, Body: manifest}}
//
// The package only needs the standard library and gopkg.in/yaml.v3 (no client-go: it is
// far too heavy to build for a test helper).
package kubeapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Object is one Kubernetes object to validate.
type Object struct {
	// ID names the object in errors (for example a Pulumi URN); when empty a
	// kind/namespace/name string is used instead.
	ID string
	// Body is the manifest: apiVersion, kind, metadata, spec, ... It must be
	// JSON-marshalable (string-keyed maps). It is never modified.
	Body map[string]any
}

// Environment variables understood by Start.
const (
	// EnvRequire, when "1", turns a missing binary or fixture into t.Fatal instead of
	// t.Skip.
	EnvRequire = "PLATFORM_REQUIRE_KUBEAPI"
	// EnvShared overrides the location of the shared folder (default: ../shared beside
	// the directory holding go.mod).
	EnvShared = "PLATFORM_SHARED"
	// EnvAssets is the envtest-style dir holding etcd and kube-apiserver.
	EnvAssets = "KUBEBUILDER_ASSETS"
	// EnvTestbin is install.sh's cache root, used when EnvAssets is unset.
	EnvTestbin = "PLATFORM_TESTBIN"
)

// K8sVersion is the kube-apiserver version install.sh builds; its result dir is named
// after it.
const K8sVersion = "1.31.14"

const installHint = "ASSETS=$(../shared/tools/kube-apiserver/install.sh); export KUBEBUILDER_ASSETS=$ASSETS"

// SharedDir locates the shared folder: $PLATFORM_SHARED when set, else "shared" beside
// the module root (the nearest directory above the working directory that has go.mod).
func SharedDir() (string, error) {
	if d := os.Getenv(EnvShared); d != "" {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("%s=%q is not a directory", EnvShared, d)
		}
		return filepath.Abs(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if fi, err := os.Stat(shared); err != nil || !fi.IsDir() {
				return "", fmt.Errorf("no shared folder at %s (beside module root %s); set %s", shared, dir, EnvShared)
			}
			return shared, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s; set %s", wd, EnvShared)
		}
	}
}

// AssetsDir returns the directory holding etcd and kube-apiserver: $KUBEBUILDER_ASSETS
// when set (and then only that, so a wrong setting is not papered over), else
// install.sh's result dir.
func AssetsDir() (string, error) {
	dir := os.Getenv(EnvAssets)
	from := EnvAssets
	if dir == "" {
		root := os.Getenv(EnvTestbin)
		if root == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("%s unset and no home dir: %v", EnvAssets, err)
			}
			root = filepath.Join(home, ".cache", "platform-testbin")
		}
		dir = filepath.Join(root, "k8s-"+K8sVersion)
		from = "install.sh result dir"
	}
	for _, b := range []string{"kube-apiserver", "etcd"} {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("no executable %s in %s (%s)", b, dir, from)
		}
	}
	return filepath.Abs(dir)
}

// Start starts etcd + kube-apiserver for this test and stops them (by PID) in t.Cleanup.
// Without binaries it skips the test with one line saying what to run, or fails it when
// PLATFORM_REQUIRE_KUBEAPI=1.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t)
}

// start is Start with env added to the environment of etcd and kube-apiserver.
func start(t testing.TB, env ...string) *Server {
	t.Helper()
	script := SharedPath(t, "tools/kube-apiserver/kube-test-server.sh")
	assets, err := AssetsDir()
	if err != nil {
		unavailable(t, err.Error())
	}
	state := t.TempDir()
	// Registered before `up` so a half-started pair is stopped too; `down` is a no-op when
	// nothing runs. It runs before TempDir's removal (cleanups are LIFO).
	t.Cleanup(func() {
		if out, err := runScript(script, assets, "down", state, 60*time.Second); err != nil {
			t.Errorf("kubeapi: stopping the test server: %v\n%s", err, tail(out, 20))
		}
	})
	start := time.Now()
	s, err := up(script, assets, state, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kubeapi: kube-apiserver at %s ready in %s", s.URL, time.Since(start).Round(time.Millisecond))
	return s
}

func up(script, assets, state string, env ...string) (*Server, error) {
	out, err := runScript(script, assets, "up", state, 3*time.Minute, env...)
	if err != nil {
		return nil, fmt.Errorf("kubeapi: starting etcd + kube-apiserver (%s) failed: %v\n%s", assets, err, tail(out, 40))
	}
	s, err := newServerFromKubeconfig(lastLine(out.stdout))
	if err != nil {
		return nil, fmt.Errorf("kubeapi: %v", err)
	}
	s.StateDir = state
	return s, nil
}

// shared is the one server of a test binary (see Shared).
var shared struct {
	sync.Mutex
	started             bool
	server              *Server
	skip, fail          string
	script, assets, dir string
}

// Shared is one server, with the fixture CRDs installed, for every test of the test binary
// that asks for it: starting etcd + kube-apiserver and installing the CRDs takes 10-20 s, and
// tests that only dry-run objects (and create namespaces) do not disturb each other. The
// package's TestMain must run its tests with RunTests, which stops the server at the end.
// Without binaries it skips (or fails) like Start.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.started {
		shared.started = true
		startShared()
	}
	switch {
	case shared.skip != "":
		unavailable(t, shared.skip)
	case shared.fail != "":
		t.Fatal(shared.fail)
	}
	return shared.server
}

func startShared() {
	dir, err := SharedDir()
	if err != nil {
		shared.skip = err.Error()
		return
	}
	shared.script = filepath.Join(dir, "tools", "kube-apiserver", "kube-test-server.sh")
	crds := filepath.Join(dir, "fixtures", "crds")
	for _, p := range []string{shared.script, crds} {
		if _, err := os.Stat(p); err != nil {
			shared.skip = "missing " + p
			return
		}
	}
	if shared.assets, err = AssetsDir(); err != nil {
		shared.skip = err.Error()
		return
	}
	if shared.dir, err = os.MkdirTemp("", "kubeapi-shared-"); err != nil {
		shared.fail = err.Error()
		return
	}
	s, err := up(shared.script, shared.assets, shared.dir)
	if err == nil {
		err = s.InstallCRDs(crds)
	}
	if err != nil {
		shared.fail = err.Error()
		return
	}
	shared.server = s
}

// RunTests runs the test binary's tests and then stops the shared server, if one started:
// func TestMain(m *testing.M) { os.Exit(kubeapi.RunTests(m)) }.
func RunTests(m *testing.M) int {
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.dir != "" {
		if out, err := runScript(shared.script, shared.assets, "down", shared.dir, 60*time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "kubeapi: stopping the shared test server: %v\n%s\n", err, tail(out, 20))
			code = 1
		}
		os.RemoveAll(shared.dir)
	}
	return code
}

// SharedPath returns the path of rel inside the shared folder, skipping the test (or
// failing it when PLATFORM_REQUIRE_KUBEAPI=1) when it does not exist.
func SharedPath(t testing.TB, rel string) string {
	t.Helper()
	shared, err := SharedDir()
	if err != nil {
		unavailable(t, err.Error())
	}
	p := filepath.Join(shared, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		unavailable(t, "missing "+p)
	}
	return p
}

// unavailable skips with one line saying what to run; CI sets PLATFORM_REQUIRE_KUBEAPI=1
// so that a broken setup cannot pass as "skipped".
func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := fmt.Sprintf("kubeapi: %s; run: %s", why, installHint)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg + " (" + EnvRequire + "=1: failing instead of skipping)")
	}
	t.Skip(msg)
}

type scriptOutput struct{ stdout, stderr string }

// env is added to the environment of the script (and so of etcd and kube-apiserver).
func runScript(script, assets, cmd, state string, timeout time.Duration, env ...string) (scriptOutput, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := exec.CommandContext(ctx, script, cmd, state)
	// KUBE_TEST_ASSETS wins over the script's own lookup, so it uses exactly what
	// AssetsDir checked.
	c.Env = append(append(os.Environ(), "KUBE_TEST_ASSETS="+assets), env...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	// The script detaches etcd/kube-apiserver from our pipes; WaitDelay guards against a
	// future change that does not.
	c.WaitDelay = 5 * time.Second
	err := c.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("%s %s timed out after %s", filepath.Base(script), cmd, timeout)
	}
	return scriptOutput{stdout.String(), stderr.String()}, err
}

func tail(out scriptOutput, n int) string {
	lines := strings.Split(strings.TrimRight(out.stderr+out.stdout, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
