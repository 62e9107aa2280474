package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/example/platform/internal/secrets/mototest"
)

// The repository's own stacks: dev's payments team has access roles (and so a writer role).
const projectDir = "../.."

const value = "hunter2-NEVER-PRINTED-0a1b"

func runSecret(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := secretCmd(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Every bad input is refused, naming what is wrong and what is allowed, with nothing written
// and no AWS request made: the SDK is pointed at a server that counts requests.
func TestSecretRefusesBadInputWithoutACall(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	base := []string{"--stack", "dev", "--team", "payments", "--dir", projectDir}
	set := func(extra ...string) []string { return append(append([]string{"set"}, base...), extra...) }
	for name, tc := range map[string]struct {
		args  []string
		stdin string
		code  int
		want  string
	}{
		"no operation":       {nil, value, 2, "say set or list"},
		"unknown operation":  {[]string{"get", "x"}, value, 2, "say set or list"},
		"no --stack":         {[]string{"set", "--team", "payments", "--dir", projectDir, "K"}, value, 2, "--stack is required"},
		"no --team":          {[]string{"set", "--stack", "dev", "--dir", projectDir, "K"}, value, 2, "--team is required"},
		"unknown --team":     {[]string{"set", "--stack", "dev", "--team", "billing", "--dir", projectDir, "K"}, value, 2, `--team "billing" is not a team of stack dev; its teams are: payments, search`},
		"unknown --stack":    {[]string{"set", "--stack", "qa", "--team", "payments", "--dir", projectDir, "K"}, value, 1, `no stack "qa"`},
		"bad --dir":          {[]string{"set", "--stack", "dev", "--team", "payments", "--dir", "/nonexistent", "K"}, value, 1, "--dir /nonexistent: no Pulumi.yaml"},
		"--role-arn not ARN": {set("--role-arn", "payments-writer", "K"), value, 2, "--role-arn \"payments-writer\" is not an IAM role ARN"},
		"--role-arn secrets role": {set("--role-arn", "arn:aws:iam::123456789012:role/platform-dev/teams/secrets/teams-payments-secrets-role-1", "K"),
			value, 2, "is not a team role of cluster platform-dev"},
		"--role-arn other cluster": {set("--role-arn", "arn:aws:iam::123456789012:role/platform-prod/teams/teams-payments-writer-role-1", "K"),
			value, 2, "is not a team role of cluster platform-dev"},
		"no NAME":              {set(), value, 2, "takes one NAME"},
		"value as an argument": {set("K", value), value, 2, "never as an argument"},
		"unknown flag":         {set("--value", value, "K"), value, 2, "flag provided but not defined: -value"},
		"NAME with ..":         {set("../search/K"), value, 2, `NAME "../search/K" contains ".."`},
		"absolute NAME":        {set("/platform-dev/platform/grafana/admin-password"), value, 2, "NAME \"/platform-dev/platform/grafana/admin-password\" has an empty segment"},
		"NAME with a space":    {set("my key"), value, 2, `has the segment "my key"`},
		"NAME too long":        {set(strings.Repeat("k", 1000)), value, 2, "is too long"},
		"empty value":          {set("K"), "", 2, "the value is empty"},
		"newline only":         {set("K"), "\n", 2, "the value is empty"},
		"value too long":       {set("K"), strings.Repeat(value, 200), 2, "longer than 4096 bytes"},
		"list with NAME":       {append(append([]string{"list"}, base...), "K"), "", 2, "takes no arguments"},
		"list --overwrite":     {append(append([]string{"list"}, base...), "--overwrite"), "", 2, "flag provided but not defined: -overwrite"},
	} {
		code, out, errOut := runSecret(t, tc.stdin, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", name, code, out, errOut, tc.code, tc.want)
		}
		if strings.Contains(errOut, value[:12]) && name != "value as an argument" && name != "unknown flag" {
			t.Errorf("%s: stderr quotes the value: %s", name, errOut)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d AWS requests for refused input", n)
	}
	// The control: valid input does reach the (refusing) server, so zero above means something.
	if code, _, errOut := runSecret(t, value, set("K")...); code != 1 || calls.Load() == 0 || strings.Contains(errOut, value) {
		t.Errorf("valid input: exit %d, %d requests, stderr %q", code, calls.Load(), errOut)
	}
}

// Against moto's SSM: set writes a SecureString in dev's region, refuses to overwrite without
// --overwrite, and list shows names and versions; no output ever holds the value.
func TestSecretSetAndListAgainstMoto(t *testing.T) {
	mototest.Start(t)
	base := []string{"--stack", "dev", "--team", "payments", "--dir", projectDir}
	role := "arn:aws:iam::123456789012:role/platform-dev/teams/teams-payments-writer-role-0a1b2c3"
	var all strings.Builder
	run := func(stdin string, args ...string) (int, string, string) {
		code, out, errOut := runSecret(t, stdin, args...)
		all.WriteString(out + errOut)
		return code, out, errOut
	}
	// NAME before the flags, as well as after.
	code, out, errOut := run(value+"\n", append([]string{"set", "payments-api/DB_PASSWORD"}, append(base, "--role-arn", role)...)...)
	if code != 0 || !strings.Contains(out, "/platform-dev/teams/payments/payments-api/DB_PASSWORD: version 1 (SecureString, key alias/platform-dev-eks-secrets)") {
		t.Fatalf("set: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = run("other", append(append([]string{"set"}, base...), "payments-api/DB_PASSWORD")...)
	if code != 1 || !strings.Contains(errOut, "/platform-dev/teams/payments/payments-api/DB_PASSWORD exists; pass --overwrite") {
		t.Errorf("set again: exit %d, %q", code, errOut)
	}
	code, out, errOut = run(value, append(append([]string{"set", "--overwrite"}, base...), "payments-api/DB_PASSWORD")...)
	if code != 0 || !strings.Contains(out, "version 2") {
		t.Errorf("overwrite: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := run("x-value", append(append([]string{"set"}, base...), "payments-api/API_KEY")...); code != 0 {
		t.Fatalf("second secret: exit %d, %q", code, errOut)
	}
	// search's secret, which payments' list must not show.
	if code, _, errOut := run("search-value", "set", "--stack", "dev", "--team", "search", "--dir", projectDir, "api/KEY"); code != 0 {
		t.Fatalf("search's secret: exit %d, %q", code, errOut)
	}
	code, out, errOut = run("", append([]string{"list"}, base...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "/platform-dev/teams/payments/ (2)") ||
		!strings.HasPrefix(lines[2], "payments-api/API_KEY ") || !strings.HasPrefix(lines[3], "payments-api/DB_PASSWORD ") ||
		!strings.Contains(lines[3], " 2 ") || !strings.Contains(lines[3], "SecureString") {
		t.Errorf("list: exit %d, %q %q", code, out, errOut)
	}
	if strings.Contains(all.String(), value[:12]) || strings.Contains(all.String(), "x-value") {
		t.Errorf("an output holds a value:\n%s", all.String())
	}
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("moto's endpoint is not set: the test did not run against it")
	}
}
