package tests

import (
	"slices"
	"testing"

	"github.com/example/platform/internal/images"
)

// Bad node groups for Spot and Graviton (platform:cluster.nodeGroups): a Spot group of one
// pool, types of different sizes or architectures, a type whose size is unknown, an
// architecture the types do not run, and arm64 while a platform image is not published for
// arm64. Run by TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const ng = "platform:cluster.nodeGroups[0]"
	types := func(t ...any) mutation { return edit(kCluster, "nodeGroups.0.instanceTypes", t) }
	badConfigs = append(badConfigs, []badConfig{
		{"a Spot group with one instance type", "dev", []mutation{types("m7g.large")}, ng + ".instanceTypes", "a SPOT group needs at least 2 instance types"},
		{"a Spot group of two sizes", "dev", []mutation{types("m7g.large", "m7g.xlarge")}, ng + ".instanceTypes", "differ in size"},
		{"a Spot group with an unknown type", "dev", []mutation{types("m7g.large", "m7gd.large")}, ng + ".instanceTypes", `"m7gd.large" is not in the platform's instance table`},
		{"arm64 declared, x86 types listed", "dev", []mutation{types("m6i.large", "m7i.large")}, ng + ".architecture", "is arm64, but m6i.large, m7i.large run x86_64"},
		{"x86_64 declared, Graviton types listed", "dev", []mutation{edit(kCluster, "nodeGroups.0.architecture", "x86_64")}, ng + ".architecture", "is x86_64, but m7g.large, m6g.large run arm64"},
		{"an unknown architecture", "dev", []mutation{edit(kCluster, "nodeGroups.0.architecture", "aarch64")}, ng + ".architecture", `"aarch64" is not allowed; use x86_64 or arm64`},
		{"arm64 with a platform image built for amd64 only", "dev", []mutation{withoutArch("docker.io/grafana/tempo:2.10.8", "arm64")},
			ng + ".architecture", "docker.io/grafana/tempo:2.10.8 (chart tempo-2.2.4)"},
		{"prod's on-demand group on Graviton with an image lacking arm64", "prod", []mutation{
			edit(kCluster, "nodeGroups.0.instanceTypes", []any{"m7g.large"}), edit(kCluster, "nodeGroups.0.architecture", "arm64"),
			withoutArch("quay.io/argoproj/argocd:v3.4.4", "arm64")}, ng + ".architecture", "quay.io/argoproj/argocd:v3.4.4 (chart argo-cd-10.1.1)"},
	}...)
}

// withoutArch drops an architecture from an image's entry in the embedded table for one test
// (the badconfig tests run one after another), as if the image were not published for it.
func withoutArch(image, arch string) mutation {
	return func(t *testing.T, _ map[string]string) {
		orig, ok := images.Table[image]
		if !ok {
			t.Fatalf("%s is not in internal/images", image)
		}
		e := orig
		e.Arches = slices.DeleteFunc(slices.Clone(orig.Arches), func(a string) bool { return a == arch })
		images.Table[image] = e
		t.Cleanup(func() { images.Table[image] = orig })
	}
}
