package tests

import "testing"

// Checklist 13: the cluster's one default StorageClass is encrypted gp3 through the EBS CSI
// driver, bound where the pod lands (an EBS volume lives in one AZ), so a PVC that names no
// class gets an encrypted volume.
func TestDefaultStorageClassIsEncryptedGP3(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		var defaults int
		for _, sc := range p.ofType("kubernetes:storage.k8s.io/v1:StorageClass") {
			if annotation(sc, "storageclass.kubernetes.io/is-default-class") == "true" {
				defaults++
				if getString(sc, "provisioner") != "ebs.csi.aws.com" || getString(sc, "parameters.type") != "gp3" ||
					getString(sc, "parameters.encrypted") != "true" || getString(sc, "volumeBindingMode") != "WaitForFirstConsumer" {
					t.Errorf("%s: default class %s: %v", stack, getString(sc, "metadata.name"), sc.Inputs)
				}
			}
		}
		if defaults != 1 {
			t.Errorf("%s: %d default StorageClasses, want exactly 1", stack, defaults)
		}
	}
}

func annotation(r interface{ Get(string) any }, key string) string {
	m, _ := r.Get("metadata.annotations").(map[string]any)
	s, _ := m[key].(string)
	return s
}
