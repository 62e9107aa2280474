package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/pricing"
)

// Every billable resource type the example stacks create has a price, so a new resource
// cannot silently be free.
func TestEveryResourceInThePlansIsPriced(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		r := cost.Estimate(stackPlan(t, stack).Plan)
		for _, l := range r.Lines {
			if l.Unpriced != "" {
				t.Errorf("%s: %s (%s) unpriced: %s", stack, l.Resource, l.Type, l.Unpriced)
			}
		}
		if r.Total <= 0 {
			t.Errorf("%s: total %v", stack, r.Total)
		}
	}
}

// The README records the example stacks' totals with the price table's date; this keeps it
// true when prices or the program change.
func TestREADMECostTotals(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(projectDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		r := cost.Estimate(stackPlan(t, stack).Plan)
		want := fmt.Sprintf("| `%s` | %s | %.2f USD |", stack, r.Region, r.Total)
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks the line %q", want)
		}
	}
	if !strings.Contains(string(readme), "price table of "+pricing.PriceTableDate) {
		t.Errorf("README does not name the price table date %s", pricing.PriceTableDate)
	}
}

// prod costs more than dev: three NAT gateways, more and larger nodes, larger volumes.
func TestProdCostsMoreThanDev(t *testing.T) {
	dev, prod := cost.Estimate(stackPlan(t, "dev").Plan), cost.Estimate(stackPlan(t, "prod").Plan)
	if prod.Total <= dev.Total {
		t.Errorf("prod %v <= dev %v", prod.Total, dev.Total)
	}
	nats := 0
	for _, l := range prod.Lines {
		if l.Item == "NAT gateway" {
			nats++
		}
	}
	if nats != 3 {
		t.Errorf("prod prices %d NAT gateways, want 3", nats)
	}
}
