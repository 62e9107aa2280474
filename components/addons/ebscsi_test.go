package addons

import (
	"slices"
	"testing"

	"github.com/example/platform/internal/planner/plantest"
)

// The gp3 class takes its reclaim policy from config, and is replaced, deleting first (its
// name is fixed), when a field Kubernetes cannot update changes; its generation, kept by those
// fields, is what lets the real provider preview that replacement (ebscsi.go).
func TestGP3ReplacedOnFieldsKubernetesCannotUpdate(t *testing.T) {
	for _, policy := range []string{"", "Retain"} {
		cfg := everything()
		cfg.EBSCSI.ReclaimPolicy = policy
		p, err := build(t, cfg, true)
		if err != nil {
			t.Fatal(err)
		}
		sc := plantest.Named(t, p, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3")
		gen := plantest.Named(t, p, "random:index/randomId:RandomId", "addons-ebs-csi-gp3-generation")
		want := policy
		if want == "" {
			want = "Delete"
		}
		if got := sc.GetString("reclaimPolicy"); got != want {
			t.Errorf("reclaimPolicy %q with config %q, want %s", got, policy, want)
		}
		if !slices.Equal(sc.ReplaceOnChanges, []string{"reclaimPolicy", "volumeBindingMode"}) {
			t.Errorf("replaceOnChanges %v", sc.ReplaceOnChanges)
		}
		if gen.GetString("keepers.reclaimPolicy") != want || gen.GetString("keepers.volumeBindingMode") != sc.GetString("volumeBindingMode") {
			t.Errorf("the generation's keepers %v are not the class's fields", gen.Inputs["keepers"])
		}
		annotations, _ := sc.Get("metadata.annotations").(map[string]any)
		if !plantest.Contains(sc.Dependencies, gen.URN) || annotations[StorageClassGenerationAnnotation] == nil {
			t.Errorf("the class does not carry its generation: %v", annotations)
		}
		if !sc.DeleteBeforeReplace {
			t.Error("the class is not deleted before its replacement: the new one would take the old one's name")
		}
	}
}
