package pricing

import "fmt"

// Spot prices move every few minutes and cannot be read here (no network at plan time), so
// the estimate prices Spot capacity with a stated assumption, not with observed market prices:
// the savings AWS's Spot Instance Advisor published for each instance type and region, less a
// safety margin. AWS's Spot pricing page says only "up to 90%" off on demand; the Advisor
// publishes, per type and region, the average savings over on demand of the last 30 days and
// the band of the interruption frequency. The numbers below are that data, copied from the
// Advisor's data file as one public snapshot dated it; they are old by the price table's date,
// hence the margin. Check the current prices before relying on them:
//
//	aws ec2 describe-spot-price-history --region eu-north-1 \
//	  --instance-types m6g.large m7g.large --product-descriptions Linux/UNIX \
//	  --start-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
const (
	SpotAdvisorDate   = "2025-06-28"
	SpotAdvisorSource = "AWS Spot Instance Advisor (aws.amazon.com/ec2/spot/instance-advisor), its data file " +
		"spot-advisor-data.json as snapshotted on " + SpotAdvisorDate + " in github.com/alexei-led/spotinfo " +
		"(internal/spot/data, commit 5eedf20): Linux, average savings over on demand of the previous 30 days"
	// SpotMarginPoints are the percentage points taken off the Advisor's savings: Spot prices
	// rose in several pools since the snapshot, and a 30-day average hides peaks.
	SpotMarginPoints = 10
	// SpotCheckCommand is how to read the real current prices (printed with the estimate).
	SpotCheckCommand = "aws ec2 describe-spot-price-history --region <region> --instance-types <types> " +
		"--product-descriptions Linux/UNIX --start-time <now>"
)

// SpotAdvice is one type's entry in the Advisor's data: the savings over on demand in percent
// and the interruption frequency band (0: <5%, 1: 5-10%, 2: 10-15%, 3: 15-20%, 4: >20%).
type SpotAdvice struct {
	SavingsPercent int
	InterruptBand  int
}

// SpotAdvisor holds the Advisor's savings for the instance types this table prices on demand
// (EC2Hour), Linux. A type missing here (the Advisor lists no m6a in eu-north-1) is priced at
// its on-demand price: an upper bound.
var SpotAdvisor = map[string]map[string]SpotAdvice{
	"us-east-1":  {"t3.medium": {56, 0}, "t3.large": {62, 1}, "t3.xlarge": {60, 2}, "t3a.large": {67, 4}, "m6i.large": {63, 2}, "m6i.xlarge": {55, 1}, "m6a.large": {59, 1}, "m6a.xlarge": {57, 4}, "m7i.large": {68, 3}, "m7g.large": {64, 2}, "c6i.large": {63, 1}, "r6i.large": {68, 4}, "t4g.nano": {56, 0}, "t4g.micro": {49, 4}, "t4g.large": {72, 4}, "m6g.large": {60, 2}},
	"eu-west-1":  {"t3.medium": {56, 0}, "t3.large": {56, 0}, "t3.xlarge": {55, 0}, "t3a.large": {53, 4}, "m6i.large": {54, 0}, "m6i.xlarge": {56, 1}, "m6a.large": {53, 0}, "m6a.xlarge": {54, 1}, "m7i.large": {54, 2}, "m7g.large": {53, 1}, "c6i.large": {54, 0}, "r6i.large": {55, 3}, "t4g.nano": {50, 2}, "t4g.micro": {55, 4}, "t4g.large": {56, 4}, "m6g.large": {53, 1}},
	"eu-north-1": {"t3.medium": {60, 0}, "t3.large": {67, 0}, "t3.xlarge": {64, 0}, "m6i.large": {69, 2}, "m6i.xlarge": {67, 4}, "m7i.large": {73, 0}, "m7g.large": {69, 0}, "c6i.large": {68, 3}, "r6i.large": {74, 2}, "t4g.nano": {78, 0}, "t4g.micro": {74, 2}, "t4g.large": {66, 1}, "m6g.large": {70, 1}},
}

// SpotDiscountPercent is the discount the estimate assumes for a type in a region: the
// Advisor's savings less SpotMarginPoints, never below zero; 0 for a type the Advisor lacks.
func SpotDiscountPercent(region, instanceType string) int {
	a, ok := SpotAdvisor[region][instanceType]
	if !ok || a.SavingsPercent <= SpotMarginPoints {
		return 0
	}
	return a.SavingsPercent - SpotMarginPoints
}

// SpotQuote is the assumed hourly price of a Spot node group: EKS launches whichever of its
// types the allocation strategy picks, so the group is priced at the type whose assumed Spot
// price is highest (an upper bound of the mix).
type SpotQuote struct {
	InstanceType    string  // the type the group is priced at
	DiscountPercent int     // its assumed discount
	Hour            float64 // its assumed Spot price per instance-hour
}

// SpotHour quotes a Spot group over instanceTypes in a region; an error names a type with no
// on-demand price (nothing to discount from).
func SpotHour(region string, instanceTypes []string) (SpotQuote, error) {
	prices, ok := Prices[region]
	if !ok {
		return SpotQuote{}, fmt.Errorf("no prices for region %q", region)
	}
	var q SpotQuote
	for _, it := range instanceTypes {
		od, ok := prices.EC2Hour[it]
		if !ok {
			return SpotQuote{}, fmt.Errorf("no price for instance type %q", it)
		}
		d := SpotDiscountPercent(region, it)
		if h := od * float64(100-d) / 100; h > q.Hour {
			q = SpotQuote{InstanceType: it, DiscountPercent: d, Hour: h}
		}
	}
	if q.InstanceType == "" {
		return SpotQuote{}, fmt.Errorf("no instance types")
	}
	return q, nil
}
