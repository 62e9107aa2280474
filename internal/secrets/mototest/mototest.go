// Package mototest runs moto's AWS server for tests (internal/secrets, internal/cli).
package mototest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Start runs moto's server (the Python package, `python3 -m moto.server`) on a free port of
// 127.0.0.1 until the test ends, and points the AWS SDK at it through the environment
// (AWS_ENDPOINT_URL, fake static credentials, no profile), as a user's shell would. Without
// moto the test skips, saying so, or fails where PLATFORM_REQUIRE_ENGINES=1 (CI).
func Start(t testing.TB) string {
	t.Helper()
	if err := exec.Command("python3", "-c", "import moto.server").Run(); err != nil {
		msg := "moto is not installed (python3 -c 'import moto.server' failed: " + err.Error() + "): the SSM tests need its server (pip install 'moto[server]')"
		if os.Getenv("PLATFORM_REQUIRE_ENGINES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	log, err := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-m", "moto.server", "-H", host, "-p", port)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // the test's own child; its exit status says nothing
		_ = cmd.Wait()
		_ = log.Close()
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("moto did not listen on %s within 60 s: %s", addr, b)
		}
	}
	endpoint := "http://" + addr
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "AKIDMOTO", "AWS_SECRET_ACCESS_KEY": "moto", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_REGION": "us-east-1",
	} {
		t.Setenv(k, v)
	}
	return endpoint
}
