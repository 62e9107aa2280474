package scaffold

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/teams/teamplan"
)

func ciStacks() []Stack {
	team := teamplan.Team{Name: "payments", Namespaces: []string{"payments"}, Repos: []string{"example-org/payments-api"}, Images: []string{"payments-api"}}
	return []Stack{
		{Name: "dev", Domain: "dev.example.org", Cluster: "dev-eks", Region: "eu-north-1", Replicas: 1, Teams: []teamplan.Team{team}},
		{Name: "prod", Domain: "example.org", Cluster: "prod-eks", Region: "eu-west-1", Replicas: 2, Teams: []teamplan.Team{team}},
	}
}

var goodCI = CI{Team: "payments", Name: "payments-api", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"}

func TestCIWorkflowNamesTheDevStack(t *testing.T) {
	files, err := goodCI.Files(ciStacks())
	if err != nil {
		t.Fatal(err)
	}
	body, ok := files[".github/workflows/payments-api.yml"]
	if !ok || len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	for _, want := range []string{
		// One push job per stack, in its environment, to its cluster's repository in its region.
		"  push-dev:\n", "    environment: dev\n    permissions:\n      id-token: write\n    env:\n      IMAGE_REPOSITORY: dev-eks/payments/payments-api\n      AWS_REGION: eu-north-1\n",
		"  push-prod:\n", "    environment: prod\n    permissions:\n      id-token: write\n    env:\n      IMAGE_REPOSITORY: prod-eks/payments/payments-api\n      AWS_REGION: eu-west-1\n",
		"  propose:\n    needs: push-dev\n",
		"OVERLAY: teams/payments/apps/payments-api/overlays/dev/kustomization.yaml\n",
		"github.repository == 'example-org/payments-api'",
		"owner: example-org\n          repositories: gitops\n",
		// Built once for every platform, pushed with every platform's image.
		"  PLATFORMS: linux/amd64,linux/arm64\n",
		"      - uses: " + Actions["qemu"].uses() + "\n        with:\n          platforms: arm64\n",
		"      - uses: " + Actions["buildx"].uses() + "\n",
		`docker buildx build --platform "$PLATFORMS"`, "skopeo copy --all --preserve-digests oci-archive:image.tar ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("workflow lacks %q", want)
		}
	}
	var w struct {
		Jobs map[string]struct {
			Steps []struct{ Name, Run string }
		}
	}
	if err := yaml.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	var edit string
	for _, s := range w.Jobs["propose"].Steps {
		if s.Name == "Set the dev overlay's tag" {
			edit = s.Run
		}
	}
	if strings.TrimSpace(edit) != OverlayEdit {
		t.Errorf("the propose job's edit is not OverlayEdit:\n%s", edit)
	}
	var check string
	for _, s := range w.Jobs["build"].Steps {
		if s.Name == "Check the image's platforms" {
			check = s.Run
		}
	}
	if strings.TrimSpace(check) != PlatformCheck {
		t.Errorf("the build job's check is not PlatformCheck:\n%s", check)
	}
}

func TestCIValidateNamesTheFlag(t *testing.T) {
	for flag, c := range map[string]CI{
		"--team":                  {Team: "nobody", Name: "payments-api", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"},
		"--name \"Bad_Name\"":     {Team: "payments", Name: "Bad_Name", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"},
		"platform:teams[].images": {Team: "payments", Name: "ledger", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"},
		"--repo":                  {Team: "payments", Name: "payments-api", Owner: "example-org", Repo: "someone-elses", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"},
		"--gitops-repo":           {Team: "payments", Name: "payments-api", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "gitops", GitOpsBranch: "main"},
		"platform:github.owner":   {Team: "payments", Name: "payments-api", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "main"},
		"teamsRevision":           {Team: "payments", Name: "payments-api", Owner: "example-org", Repo: "payments-api", GitOpsRepo: "example-org/gitops", GitOpsBranch: "a..b"},
	} {
		files, err := c.Files(ciStacks())
		if err == nil || !strings.Contains(err.Error(), flag) || files != nil {
			t.Errorf("%s: files %v, error %v", flag, files, err)
		}
	}
	if _, err := goodCI.Files(ciStacks()[1:]); err == nil || !strings.Contains(err.Error(), "no stack dev") {
		t.Errorf("without a dev stack: %v", err)
	}
}

// runEdit runs OverlayEdit on an overlay as the propose job does.
func runEdit(t *testing.T, overlay, tag string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kustomization.yaml")
	if err := os.WriteFile(path, []byte(overlay), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", OverlayEdit)
	cmd.Env = append(os.Environ(), "APP=payments-api", "TAG="+tag, "OVERLAY="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, out)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return string(got), err
}

// The edit sets the tag in the overlay `platform app new` writes, and nothing else; an
// overlay it does not recognise is refused, unchanged.
func TestOverlayEditSetsTheTag(t *testing.T) {
	app := App{Team: "payments", Name: "payments-api", Account: "111122223333", Port: 8080}
	files, err := app.Files(ciStacks())
	if err != nil {
		t.Fatal(err)
	}
	overlay := files["teams/payments/apps/payments-api/overlays/dev/kustomization.yaml"]
	const sha = "0123456789abcdef0123456789abcdef01234567"
	got, err := runEdit(t, overlay, sha)
	if err != nil {
		t.Fatal(err)
	}
	old := "newTag: " + ImageTag + "}"
	if want := strings.Replace(overlay, old, "newTag: "+sha+"}", 1); !strings.Contains(overlay, old) || got != want {
		t.Errorf("edited overlay:\n%s\nwant:\n%s", got, want)
	}
	if tag, err := ImageTagOf([]byte(got), "payments-api"); err != nil || tag != sha {
		t.Errorf("promote reads back %q, %v", tag, err)
	}
	// A SHA YAML would read as a number is written quoted, and read back as the string.
	const numeric = "1234567890123456789012345678901234567e89"
	if got, err := runEdit(t, overlay, numeric); err != nil || !strings.Contains(got, `newTag: "`+numeric+`"}`) {
		t.Errorf("numeric SHA: %v\n%s", err, got)
	} else if tag, err := ImageTagOf([]byte(got), "payments-api"); err != nil || tag != numeric {
		t.Errorf("numeric SHA read back as %q, %v", tag, err)
	}
	// Again with the same tag: no change (the next step then proposes nothing).
	if again, err := runEdit(t, got, sha); err != nil || again != got {
		t.Errorf("second edit: %v\n%s", err, again)
	}
	for name, bad := range map[string]string{
		"block style":   strings.Replace(overlay, "  - {name: payments-api, newName: ", "  - name: payments-api\n    newName: ", 1),
		"other image":   strings.Replace(overlay, "{name: payments-api,", "{name: ledger,", 1),
		"two entries":   strings.Replace(overlay, "images:\n", "images:\n  - {name: payments-api, newName: x/y, newTag: v1}\n", 1),
		"no tag at all": strings.Replace(overlay, ", newTag: "+ImageTag, "", 1),
	} {
		if bad == overlay {
			t.Fatalf("%s: the mutation changed nothing", name)
		}
		got, err := runEdit(t, bad, sha)
		if err == nil || got != bad {
			t.Errorf("%s: accepted (%v):\n%s", name, err, got)
		}
	}
}
