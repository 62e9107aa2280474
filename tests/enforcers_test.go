package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// enforcerPath is the enforcing engine (or tool) name from PLATFORM_ENGINES, the directory
// `bash .ci/engines.sh` builds them into and prints. Without it the test skips, saying so, or
// fails where PLATFORM_REQUIRE_ENGINES=1 (CI).
func enforcerPath(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("PLATFORM_ENGINES")
	path := filepath.Join(dir, name)
	if dir == "" {
		missing(t, "PLATFORM_REQUIRE_ENGINES", "PLATFORM_ENGINES is not set: the boundary tests ask the engines that enforce them (export PLATFORM_ENGINES=$(bash .ci/engines.sh), ~10 min once)")
	}
	if _, err := os.Stat(path); err != nil {
		missing(t, "PLATFORM_REQUIRE_ENGINES", "no "+name+" in PLATFORM_ENGINES ("+dir+"): run bash .ci/engines.sh")
	}
	return path
}

// runEnforcer sends in as JSON to the engine and decodes its answer into out.
func runEnforcer(t *testing.T, name string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(enforcerPath(t, name))
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s answered %q: %v", name, raw, err)
	}
}
