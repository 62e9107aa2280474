package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/runner"
)

// secretSig marks a secret value in Pulumi state (apitype.SecretSig / resource.SigKey).
const secretSig = "4dabf18193072939515e22adb298388d"

// The state holds every secret as ciphertext: the stack's state file as the backend wrote it
// (and every other file of the backend: backups, history). The Automation API's export is no
// evidence: it runs `pulumi stack export --show-secrets`. The controls prove the scan can
// fail: the secrets are in the state, encrypted, and decrypt to the real values.
func engineNoPlaintextSecrets(t *testing.T, s *engineStack) {
	plaintexts := map[string]string{
		"the Grafana admin password (random)": "mock-password-",
		"the deploy key's private half (tls)": "PRIVATE KEY",
	}
	for k, v := range engineSecrets {
		plaintexts[k] = v
	}
	files := map[string][]byte{}
	var stateFile []byte
	err := filepath.WalkDir(filepath.Join(s.dir, "backend"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		if filepath.Base(path) == s.name+".json" && filepath.Base(filepath.Dir(path)) == "platform" {
			stateFile = b
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if stateFile == nil {
		t.Fatalf("no state file .pulumi/stacks/platform/%s.json under %s/backend", s.name, s.dir)
	}
	for where, b := range files {
		for what, p := range plaintexts {
			if bytes.Contains(b, []byte(p)) {
				t.Errorf("%s holds %s in plain text", strings.TrimPrefix(where, s.dir+"/"), what)
			}
		}
	}
	var checkpoint struct {
		Checkpoint struct {
			Latest deployment `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(stateFile, &checkpoint); err != nil {
		t.Fatal(err)
	}
	d := checkpoint.Checkpoint.Latest
	if len(d.managed()) == 0 {
		t.Fatal("the state file holds no resources")
	}

	// Controls: the secrets are there, as ciphertext.
	secretOutputs := map[string][]string{
		"random:index/randomPassword:RandomPassword": {"result"},
		"tls:index/privateKey:PrivateKey":            {"privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"},
	}
	found := 0
	for _, r := range d.Resources {
		for _, k := range secretOutputs[r.Type] {
			found++
			if !isSecret(r.Outputs[k]) {
				t.Errorf("%s's %s is not a secret in the state", name(r.URN), k)
			}
		}
	}
	if found < 4 {
		t.Errorf("%d secret outputs of random/tls resources in the state, want the Grafana password and the deploy key's three private encodings", found)
	}
	st := s.stack(t)
	outs, err := st.Outputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kc, ok := outs["kubeconfig"]
	if !ok || !kc.Secret || !strings.Contains(stringOf(kc.Value), "get-token") {
		t.Errorf("the stack output kubeconfig: secret %v, decrypts to a kubeconfig %v", kc.Secret, strings.Contains(stringOf(kc.Value), "get-token"))
	}

	// The kubeconfig is plain text in one place only: pulumi-eks's component outputs, which
	// pulumi-eks returns unencrypted by design (it holds the endpoint and CA and runs
	// `aws eks get-token`; it carries no credential). The program keeps its own copies secret.
	var plainAt []string
	for _, r := range d.Resources {
		for field, m := range map[string]map[string]any{"inputs": r.Inputs, "outputs": r.Outputs} {
			for k, v := range m {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(b, []byte("certificate-authority-data")) {
					continue
				}
				plainAt = append(plainAt, r.Type+" "+field+"."+k)
				for _, cred := range []string{"client-key-data", "client-certificate-data", `\"token\"`, `"token"`, "password"} {
					if bytes.Contains(b, []byte(cred)) {
						t.Errorf("%s %s.%s holds a credential (%s) in plain text", name(r.URN), field, k, cred)
					}
				}
			}
		}
	}
	sort.Strings(plainAt)
	want := []string{"eks:index:Cluster outputs.kubeconfig", "eks:index:Cluster outputs.kubeconfigJson"}
	if strings.Join(plainAt, "\n") != strings.Join(want, "\n") {
		t.Errorf("a kubeconfig in plain text at:\n  %s\nwant only\n  %s", strings.Join(plainAt, "\n  "), strings.Join(want, "\n  "))
	}
}

func isSecret(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, has := m["ciphertext"]
	return m[secretSig] == "1b47061264138c4ac30d75fd1eb44270" && has
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// renames maps each renamed resource's URN to the URN it had before (its alias).
func renames(t *testing.T, stack string) map[string]string {
	head := stackPlan(t, stack).Plan
	base, n := beforeRenames(head)
	m := map[string]string{}
	for i, r := range head.Resources {
		if old := base.Resources[i].URN; old != r.URN {
			m[r.URN] = old
		}
	}
	if n == 0 || len(m) != n {
		t.Fatalf("%s: %d renames in the plan, %d mapped", stack, n, len(m))
	}
	return m
}

// rewriteURNs renames resources in an exported deployment (their URN, and every parent and
// dependency that names them).
func rewriteURNs(raw []byte, to map[string]string) []byte {
	s := string(raw)
	for from, urn := range to {
		s = strings.ReplaceAll(s, `"`+from+`"`, `"`+urn+`"`)
	}
	return []byte(s)
}

// A state written before the renames (the old names) is adopted through the aliases: nothing
// is created, deleted or replaced. The control: a name no alias covers is a delete and a
// create, so the check can fail.
func engineAliases(t *testing.T, s *engineStack) {
	raw, d := s.export(t)
	have := d.byURN()
	to := renames(t, s.name)
	for urn := range to {
		if _, ok := have[urn]; !ok {
			t.Fatalf("renamed resource %s is not in the engine's state: the planner's URNs and the engine's differ", urn)
		}
	}

	var one string
	for urn := range to {
		one = urn
		break
	}
	s.importState(t, rewriteURNs(raw, map[string]string{one: one + "-unaliased"}))
	c := changes(t, s.run(t, runner.Preview))
	if c["create"] != 1 || c["delete"] != 1 {
		t.Errorf("control: a resource under a name no alias covers previews as %v, want 1 create and 1 delete", c)
	}

	s.importState(t, rewriteURNs(raw, to))
	onlySame(t, "preview of the state with the old names", changes(t, s.run(t, runner.Preview)))
	from := s.journalLen(t)
	onlySame(t, "up of the state with the old names", changes(t, s.run(t, runner.Up)))
	if e := s.journalFrom(t, from); len(e) != 0 {
		t.Errorf("adopting the renames called the provider: %v", ops(e))
	}
	_, after := s.export(t)
	now := after.byURN()
	for urn, old := range to {
		if _, ok := now[urn]; !ok {
			t.Errorf("after up, %s is not in the state", name(urn))
		}
		if _, ok := now[old]; ok {
			t.Errorf("after up, the old name %s is still in the state", name(old))
		}
	}
}

// One minor version up is an update of the cluster and of every node group, from the engine's
// own preview summary and the calls it then makes: nothing is created, deleted or replaced.
func engineUpgrade(t *testing.T, s *engineStack) {
	s.edits = append(s.edits, edit(kCluster, "kubernetesVersion", "1.36"))
	c := changes(t, s.run(t, runner.Preview))
	if c["update"] == 0 {
		t.Errorf("preview of the upgrade: %v, want updates", c)
	}
	for _, op := range []string{"create", "delete", "replace", "create-replacement", "delete-replaced"} {
		if c[op] != 0 {
			t.Errorf("preview of the upgrade: %d %s (%v)", c[op], op, c)
		}
	}
	from := s.journalLen(t)
	s.run(t, runner.Up)
	e := s.journalFrom(t, from)
	if got := ops(e); len(got) != 1 || got["update"] == 0 {
		t.Fatalf("the upgrade's up: %v, want only updates", got)
	}
	updated := map[string]bool{}
	for _, x := range e {
		updated[x.URN] = true
	}
	_, d := s.export(t)
	must := 0
	for _, r := range d.managed() {
		if r.Type == "aws:eks/cluster:Cluster" || r.Type == "aws:eks/nodeGroup:NodeGroup" {
			must++
			if !updated[r.URN] {
				t.Errorf("%s was not updated by the upgrade", name(r.URN))
			}
			if v := stringOf(r.Outputs["version"]); v != "1.36" {
				t.Errorf("%s has version %s after the upgrade", name(r.URN), v)
			}
		}
	}
	if must < 2 {
		t.Errorf("%d clusters and node groups in the state", must)
	}
	onlySame(t, "preview after the upgrade", changes(t, s.run(t, runner.Preview)))
}
