package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/images"
	"github.com/example/platform/internal/scaffold"
)

// nodePlatforms are the image platforms the example stacks' node groups run (dev: arm64
// Graviton; prod: x86_64), sorted.
func nodePlatforms(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, stack := range []string{"dev", "prod"} {
		for _, ng := range stackConfig(t, stack).Cluster.NodeGroups {
			if p := "linux/" + images.GoArch(ng.Architecture); !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// appWorkflowArchProblems are the ways an app workflow's image would miss one of platforms:
// PLATFORMS (the workflow's env) lists each; the build job registers QEMU for each but the
// runner's amd64 and creates a buildx builder before it builds --platform "$PLATFORMS" into
// image.tar; every push job copies every platform of that archive (skopeo --all), not the one
// image a docker push would.
func appWorkflowArchProblems(raw []byte, platforms []string) []string {
	var problems []string
	bad := func(format string, v ...any) { problems = append(problems, fmt.Sprintf(format, v...)) }
	type step struct {
		Uses string            `yaml:"uses"`
		With map[string]string `yaml:"with"`
		Run  string            `yaml:"run"`
	}
	var w struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &w); err != nil {
		return []string{err.Error()}
	}
	built := strings.Split(w.Env["PLATFORMS"], ",")
	for _, p := range platforms {
		if !slices.Contains(built, p) {
			bad("PLATFORMS %q lacks %s, which the stacks' nodes run", w.Env["PLATFORMS"], p)
		}
	}
	qemu, buildx, build := -1, -1, -1
	steps := w.Jobs["build"].Steps
	for i, s := range steps {
		switch {
		case strings.HasPrefix(s.Uses, "docker/setup-qemu-action@"):
			qemu = i
		case strings.HasPrefix(s.Uses, "docker/setup-buildx-action@"):
			buildx = i
		case strings.Contains(s.Run, `docker buildx build --platform "$PLATFORMS"`) && strings.Contains(s.Run, "type=oci,dest=image.tar"):
			build = i
		}
	}
	if qemu < 0 || buildx < qemu || build < buildx {
		bad("build job: QEMU at step %d, buildx at %d, the build --platform \"$PLATFORMS\" into image.tar at %d: want them in this order", qemu, buildx, build)
	}
	if qemu >= 0 {
		emulated := strings.Split(steps[qemu].With["platforms"], ",")
		for _, p := range platforms {
			if arch := strings.TrimPrefix(p, "linux/"); arch != "amd64" && !slices.Contains(emulated, arch) {
				bad("build job: QEMU emulates %v, not %s: the runner (amd64) cannot run its build steps", emulated, arch)
			}
		}
	}
	for name, j := range w.Jobs {
		if !strings.HasPrefix(name, "push-") {
			continue
		}
		all := false
		for _, s := range j.Steps {
			all = all || strings.Contains(s.Run, "skopeo copy --all --preserve-digests oci-archive:image.tar ")
			if strings.Contains(s.Run, "docker push") {
				bad("job %s: docker push pushes the runner's platform only", name)
			}
		}
		if !all {
			bad("job %s: no skopeo copy --all --preserve-digests of image.tar: every platform, the same digests in every stack", name)
		}
	}
	return problems
}

// The app image is built for every architecture the stacks' node groups run (from their
// config), pushed with all of them; each mutation that loses one is caught.
func TestAppWorkflowBuildsEveryNodeArchitecture(t *testing.T) {
	nodes := nodePlatforms(t)
	for _, p := range nodes {
		if !slices.Contains(scaffold.Platforms, p) {
			t.Errorf("the stacks' nodes run %s, scaffold.Platforms %v lacks it", p, scaffold.Platforms)
		}
	}
	_, raw := appWorkflow(t)
	if p := appWorkflowArchProblems(raw, nodes); len(p) > 0 {
		t.Fatalf("the generated workflow:\n%s", strings.Join(p, "\n"))
	}
	body := string(raw)
	qemu := "      - uses: " + scaffold.Actions["qemu"].Repo + "@" + scaffold.Actions["qemu"].SHA + " # " + scaffold.Actions["qemu"].Version + "\n        with:\n          platforms: arm64\n"
	buildx := "      - uses: " + scaffold.Actions["buildx"].Repo + "@" + scaffold.Actions["buildx"].SHA + " # " + scaffold.Actions["buildx"].Version + "\n"
	for name, m := range map[string][2]string{
		"arm64 dropped":         {"PLATFORMS: linux/amd64,linux/arm64\n", "PLATFORMS: linux/amd64\n"},
		"no QEMU":               {qemu, ""},
		"QEMU without arm64":    {"          platforms: arm64\n", "          platforms: riscv64\n"},
		"no buildx builder":     {buildx, ""},
		"a build of one":        {`docker buildx build --platform "$PLATFORMS" `, "docker buildx build "},
		"a push of one":         {"skopeo copy --all --preserve-digests", "skopeo copy --preserve-digests"},
		"a docker push instead": {"          skopeo copy --all", "          docker push \"$REGISTRY/$IMAGE_REPOSITORY:$GITHUB_SHA\"\n          skopeo copy --all"},
	} {
		mutated := strings.Replace(body, m[0], m[1], 1)
		if mutated == body {
			t.Errorf("%s: the mutation changed nothing", name)
			continue
		}
		if p := appWorkflowArchProblems([]byte(mutated), scaffold.Platforms); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		} else if testing.Verbose() {
			t.Logf("%s: %s", name, p[0])
		}
	}
}
