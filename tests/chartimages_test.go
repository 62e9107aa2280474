package tests

import (
	"maps"
	"slices"
	"testing"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/images"
)

// Every image each pinned chart runs with the stacks' values is in internal/images, with its
// architectures and evidence: Helm renders every release of dev and prod with its pinned chart,
// and the images of its pods (and of the Prometheus Operator's resources and flags) must be
// exactly the chart's entry in images.ChartImages. A chart bump that brings a new image fails
// here until someone records where the image's architectures come from.
func TestChartImagesAreInTheArchitectureTable(t *testing.T) {
	rendered := map[string]map[string]bool{}
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		for _, rel := range p.ofType(typeRelease) {
			chart := getString(rel, "chart") + "-" + getString(rel, "version")
			if rendered[chart] == nil {
				rendered[chart] = map[string]bool{}
			}
			for _, o := range renderRelease(t, rel, "1.35.0") {
				for _, img := range podImages(o) {
					rendered[chart][images.Ref(img)] = true
				}
			}
		}
	}
	if len(rendered) < 9 {
		t.Fatalf("rendered %d charts, want every pinned one", len(rendered))
	}
	// The config's architecture check reads the table's charts: they are the pinned ones.
	var pinned []string
	for _, c := range helmkit.All() {
		pinned = append(pinned, c.Name+"-"+c.Version)
	}
	if tabled := slices.Sorted(maps.Keys(images.ChartImages)); !slices.Equal(tabled, slices.Sorted(slices.Values(pinned))) {
		t.Errorf("internal/images.ChartImages holds %q, the pinned charts are %q", tabled, pinned)
	}
	for _, chart := range slices.Sorted(maps.Keys(rendered)) {
		got := slices.Sorted(maps.Keys(rendered[chart]))
		want := slices.Sorted(slices.Values(images.ChartImages[chart]))
		if !slices.Equal(got, want) {
			t.Errorf("%s renders images %q; internal/images.ChartImages lists %q", chart, got, want)
		}
		for _, img := range got {
			e, ok := images.Table[img]
			if !ok || len(e.Arches) == 0 || e.Evidence == "" {
				t.Errorf("%s: image %s has no architectures with evidence in internal/images.Table", chart, img)
			}
		}
	}
}
