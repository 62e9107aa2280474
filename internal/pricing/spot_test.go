package pricing

import (
	"math"
	"testing"
)

// Every type the Advisor table lists is priced on demand in its region (nothing to discount
// from otherwise), and every savings figure is a plausible percentage.
func TestSpotAdvisorCoversPricedTypes(t *testing.T) {
	for region, types := range SpotAdvisor {
		for it, a := range types {
			if _, ok := Prices[region].EC2Hour[it]; !ok {
				t.Errorf("%s %s: in the Spot table, not in the on-demand table", region, it)
			}
			if a.SavingsPercent <= 0 || a.SavingsPercent >= 91 || a.InterruptBand < 0 || a.InterruptBand > 4 {
				t.Errorf("%s %s: %+v out of range (AWS: up to 90%% off; bands 0-4)", region, it, a)
			}
		}
	}
}

func TestSpotHour(t *testing.T) {
	q, err := SpotHour("eu-north-1", []string{"m6g.large", "m7g.large"})
	// m7g.large: 0.0867 at 69-10 = 59% off is 0.035547; m6g.large: 0.0816 at 60% off, 0.03264.
	if err != nil || q.InstanceType != "m7g.large" || q.DiscountPercent != 59 || math.Abs(q.Hour-0.035547) > 1e-9 {
		t.Errorf("SpotHour = %+v, %v", q, err)
	}
	// eu-north-1 has no m6a in the Advisor's data: priced on demand, an upper bound.
	if q, err := SpotHour("eu-north-1", []string{"m6a.large"}); err != nil || q.DiscountPercent != 0 || math.Abs(q.Hour-Prices["eu-north-1"].EC2Hour["m6a.large"]) > 1e-12 {
		t.Errorf("type without advice = %+v, %v", q, err)
	}
	if _, err := SpotHour("eu-north-1", []string{"m7g.large", "p5.48xlarge"}); err == nil {
		t.Error("an unpriced type was quoted")
	}
}
