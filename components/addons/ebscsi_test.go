package addons

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
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
		// A Retain class tags its volumes as kept, so that the runner's sweep never deletes one
		// after a destroy; a Delete class does not.
		for _, n := range []string{"addons-ebs-csi-gp3", "addons-ebs-csi-gp3-no-backup"} {
			c := plantest.Named(t, p, "kubernetes:storage.k8s.io/v1:StorageClass", n)
			keep := c.GetString("parameters.tagSpecification_2")
			if (keep == contract.KeepTag+"="+contract.KeepTagValue) != (want == "Retain") || (want != "Retain" && keep != "") {
				t.Errorf("%s with reclaimPolicy %s: keep tag parameter %q", n, want, keep)
			}
		}
	}
}

// The default class tags its volumes for the stack's backups (the driver's tagSpecification_N
// parameters); the opt-out class is the same volume without the tag, and not the default.
func TestBackupTagAndOptOutClass(t *testing.T) {
	p, err := build(t, everything(), true)
	if err != nil {
		t.Fatal(err)
	}
	gp3 := plantest.Named(t, p, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3")
	no := plantest.Named(t, p, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3-no-backup")
	if gp3.GetString("parameters.tagSpecification_1") != contract.BackupTag+"="+contract.BackupTagValue {
		t.Errorf("gp3 parameters %v", gp3.Get("parameters"))
	}
	params, _ := no.Get("parameters").(map[string]any)
	if no.GetString("metadata.name") != contract.NoBackupStorageClass || len(params) != 3 || params["tagSpecification_1"] != nil ||
		params["type"] != "gp3" || params["encrypted"] != "true" {
		t.Errorf("the opt-out class: %v", no.Inputs)
	}
	if a, _ := no.Get("metadata.annotations").(map[string]any); a["storageclass.kubernetes.io/is-default-class"] != nil {
		t.Error("the opt-out class is a default class")
	}
	if !strings.Contains(EBSCSIConfiguration("c1"), `"`+contract.StackTag+`":"c1"`) {
		t.Errorf("the driver does not tag volumes with the stack: %s", EBSCSIConfiguration("c1"))
	}
}
