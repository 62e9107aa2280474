package cost

import (
	"fmt"
	"io"
	"strings"
)

// Text writes the report as an aligned table.
func (r Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Estimated monthly cost of stack %s (%s), prices of %s\n\n", r.Stack, r.Region, r.PriceDate)
	fmt.Fprintf(&b, "%-40s %-46s %12s %-14s %10s %10s\n", "resource", "item", "quantity", "unit", "unit USD", "month USD")
	for _, l := range r.Lines {
		if l.Unpriced != "" {
			fmt.Fprintf(&b, "%-40s %-46s %12g %-14s %10s %10s  (%s)\n", clip(l.Resource, 40), clip(l.Item, 46), l.Quantity, l.Unit, "?", "unpriced", l.Unpriced)
			continue
		}
		fmt.Fprintf(&b, "%-40s %-46s %12g %-14s %10.4f %10.2f\n", clip(l.Resource, 40), clip(l.Item, 46), l.Quantity, l.Unit, l.UnitPrice, l.Monthly)
	}
	fmt.Fprintf(&b, "\nTotal: %.2f USD/month", r.Total)
	if r.Unpriced > 0 {
		fmt.Fprintf(&b, " plus %d unpriced line(s)", r.Unpriced)
	}
	for _, n := range r.Notes {
		b.WriteString("\nNote: " + n)
	}
	b.WriteString("\n\nAssumptions:\n")
	for _, a := range r.Assumptions {
		b.WriteString("  - " + a + "\n")
	}
	fmt.Fprintf(&b, "Prices: %s\n", r.Source)
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown writes the report for a pull request comment.
func (r Report) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Estimated monthly cost: `%s` (%s): **%.2f USD**", r.Stack, r.Region, r.Total)
	if r.Unpriced > 0 {
		fmt.Fprintf(&b, " + %d unpriced", r.Unpriced)
	}
	b.WriteString("\n\n| resource | item | quantity | unit | unit USD | month USD |\n|---|---|---:|---|---:|---:|\n")
	for _, l := range r.Lines {
		if l.Unpriced != "" {
			fmt.Fprintf(&b, "| %s | %s | %g | %s | ? | unpriced: %s |\n", l.Resource, l.Item, l.Quantity, l.Unit, l.Unpriced)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %g | %s | %.4f | %.2f |\n", l.Resource, l.Item, l.Quantity, l.Unit, l.UnitPrice, l.Monthly)
	}
	for _, n := range r.Notes {
		b.WriteString("\n> **Note**: " + n + "\n")
	}
	fmt.Fprintf(&b, "\n<details><summary>Assumptions (prices of %s)</summary>\n\n", r.PriceDate)
	for _, a := range r.Assumptions {
		b.WriteString("- " + a + "\n")
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "~"
	}
	return s
}
