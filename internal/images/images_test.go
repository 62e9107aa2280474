package images

import (
	"strings"
	"testing"
)

// Every image a chart lists has an entry with architectures and evidence; every entry is used.
func TestChartImagesAreInTable(t *testing.T) {
	used := map[string]bool{}
	for chart, imgs := range ChartImages {
		for _, img := range imgs {
			used[img] = true
			e, ok := Table[img]
			if !ok || len(e.Arches) == 0 || e.Evidence == "" {
				t.Errorf("%s: %s has no architectures with evidence", chart, img)
			}
		}
	}
	for img := range Table {
		if !used[img] {
			t.Errorf("%s is in the table but no chart runs it", img)
		}
	}
}

func TestLacking(t *testing.T) {
	if got := Lacking([]string{"tempo-2.2.4", "loki-18.11.0"}, "arm64"); len(got) != 0 {
		t.Errorf("arm64: %v", got)
	}
	if got := Lacking([]string{"tempo-9.9.9"}, "x86_64"); len(got) != 1 || !strings.Contains(got[0], "tempo-9.9.9") {
		t.Errorf("unknown chart: %v", got)
	}
	orig := Table["docker.io/grafana/tempo:2.10.8"]
	defer func() { Table["docker.io/grafana/tempo:2.10.8"] = orig }()
	Table["docker.io/grafana/tempo:2.10.8"] = Image{Arches: []string{"amd64"}, Evidence: "test"}
	if got := Lacking([]string{"tempo-2.2.4"}, "arm64"); len(got) != 1 {
		t.Errorf("amd64-only image: %v", got)
	}
	if Ref(`"quay.io/x/y:v1@sha256:abc"`) != "quay.io/x/y:v1" {
		t.Error("Ref keeps the digest")
	}
}
