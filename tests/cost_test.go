package tests

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
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

// The README records the example stacks' totals with the price table's date. The test does not
// take the estimator's word for them: it prices every line again from the price table (the unit
// price its item names, times its quantity), requires the estimator's total to be the sum of
// its lines, and the README to show that sum.
func TestREADMECostTotals(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(projectDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		r := cost.Estimate(stackPlan(t, stack).Plan)
		prices, ok := pricing.Prices[r.Region]
		if !ok || len(r.Lines) == 0 {
			t.Fatalf("%s: no prices for %q or no lines", stack, r.Region)
		}
		var sum, linesSum float64
		for _, l := range r.Lines {
			want := math.Round(l.Quantity*unitPrice(t, prices, l)*100) / 100
			if l.Monthly != want {
				t.Errorf("%s: %s %s = %.2f, the price table gives %.2f", stack, l.Resource, l.Item, l.Monthly, want)
			}
			sum += want
			linesSum += l.Monthly
		}
		sum = math.Round(sum*100) / 100
		if math.Abs(r.Total-math.Round(linesSum*100)/100) > 0.001 {
			t.Errorf("%s: total %.2f is not the sum of its lines %.2f", stack, r.Total, linesSum)
		}
		want := fmt.Sprintf("| `%s` | %s | %.2f USD |", stack, r.Region, sum)
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks the line %q", want)
		}
	}
	if !strings.Contains(string(readme), "price table of "+pricing.PriceTableDate) {
		t.Errorf("README does not name the price table date %s", pricing.PriceTableDate)
	}
}

var (
	nodesItem = regexp.MustCompile(`^(\S+) x ([0-9]+) nodes$`)
	spotItem  = regexp.MustCompile(`^(\S+) Spot x [0-9]+ nodes \(-([0-9]+)%, [0-9]+ types\)$`)
)

// regionOf finds the region whose price table p is (unitPrice takes the table, not its name).
func regionOf(p pricing.RegionPrices) string {
	for r, rp := range pricing.Prices {
		if reflect.DeepEqual(rp, p) {
			return r
		}
	}
	return ""
}

// backupItem is a vault's snapshot storage line: "AWS Backup <EBS|RDS> snapshots[ in <region>] of <n> GB (assumed)";
// instanceItem an EC2 instance's (the access instance): "<type> instance".
var (
	backupItem   = regexp.MustCompile(`^AWS Backup (EBS|RDS) snapshots(?: in (\S+))? of [0-9.]+ GB \(assumed\)$`)
	instanceItem = regexp.MustCompile(`^([a-z0-9]+\.[a-z0-9]+) instance$`)
)

// unitPrice is the price table's unit price for a cost line's item.
// dbItem is an RDS instance line: "RDS PostgreSQL <class>[ (Multi-AZ...)]".
var dbItem = regexp.MustCompile(`^RDS PostgreSQL (db\.[a-z0-9]+\.[a-z0-9]+)( \(Multi-AZ|$)`)

func unitPrice(t *testing.T, p pricing.RegionPrices, l cost.Line) float64 {
	t.Helper()
	switch item := l.Item; {
	case strings.HasPrefix(item, "CodeBuild runner build-minutes (assumed) "):
		return pricing.CodeBuildLinuxMinute[strings.TrimPrefix(item, "CodeBuild runner build-minutes (assumed) ")]
	case item == "NAT gateway":
		return p.NATGatewayHour
	case item == "public IPv4 address":
		return p.PublicIPv4Hour
	case strings.HasPrefix(item, "hosted zone "):
		return p.Route53ZoneMonth
	case item == "KMS key":
		return p.KMSKeyMonth
	case item == "log ingestion (assumed)":
		return p.LogsIngestGB
	case strings.HasPrefix(item, "interface endpoint "):
		return p.EndpointAZHour
	case item == "KMS requests of its encryption (assumed)":
		return pricing.KMSRequests10k
	case item == "S3 Standard storage (assumed)":
		return p.S3StandardGB
	case item == "Application Load Balancer":
		return p.ALBHour
	case item == "ALB capacity (assumed)":
		return p.ALBLCUHour
	case strings.HasPrefix(item, "EKS control plane") && strings.Contains(item, "extended support"):
		return pricing.EKSExtendedSupportHour
	case strings.HasPrefix(item, "EKS control plane"):
		return p.EKSClusterHour
	case strings.HasSuffix(item, "(gp3)"):
		return p.EBSgp3GBMonth
	case item == "ECR storage (assumed)":
		return pricing.ECRStorageGBMonth
	case item == "CloudWatch alarm":
		return pricing.CloudWatchAlarmMonth
	case strings.HasPrefix(item, "Secrets Manager secret"):
		return pricing.SecretsManagerSecretMonth
	case strings.HasPrefix(item, "RDS gp3 storage"):
		return p.RDSgp3GBMonth
	case strings.HasPrefix(item, "backups beyond the free allowance"):
		return p.RDSBackupGBMonth
	case strings.HasPrefix(item, "RDS Extended Support"):
		return pricing.RDSExtendedSupportVCPUHour
	case dbItem.MatchString(item):
		price, ok := p.RDSPostgresHour[dbItem.FindStringSubmatch(item)[1]]
		if !ok {
			t.Errorf("no price for %s", item)
		}
		return price
	case backupItem.MatchString(item):
		// A copy vault's snapshots are priced in its own region.
		m := backupItem.FindStringSubmatch(item)
		rp := p
		if m[2] != "" {
			rp = pricing.Prices[m[2]]
		}
		if m[1] == "EBS" {
			return rp.BackupEBSGBMonth
		}
		return rp.BackupRDSGBMonth
	case strings.HasPrefix(item, "AWS Backup copies to "):
		return p.InterRegionGB
	case instanceItem.MatchString(item):
		price, ok := p.EC2Hour[instanceItem.FindStringSubmatch(item)[1]]
		if !ok {
			t.Errorf("no price for %s", item)
		}
		return price
	case spotItem.MatchString(item):
		// A Spot group: its dearest type's on-demand price less the stated discount, which
		// must be the Advisor's savings less the margin (pricing.SpotAdvisor).
		m := spotItem.FindStringSubmatch(item)
		pct, _ := strconv.Atoi(m[2])
		if want := pricing.SpotDiscountPercent(regionOf(p), m[1]); pct != want {
			t.Errorf("%s: discount %d%%, the Spot table gives %d%%", item, pct, want)
		}
		return p.EC2Hour[m[1]] * float64(100-pct) / 100
	case strings.HasPrefix(item, "ALB public IPv4 addresses"):
		return p.PublicIPv4Hour
	case nodesItem.MatchString(item):
		price, ok := p.EC2Hour[nodesItem.FindStringSubmatch(item)[1]]
		if !ok {
			t.Errorf("no price for %s", item)
		}
		return price
	}
	t.Errorf("cost line %q (%s) has no price rule in this test", l.Item, l.Type)
	return 0
}

// prod's lines that matter most, from the plan's own resources: a NAT gateway and a public
// IPv4 address per AZ, and each node group at its desired size and first instance type.
func TestProdCostLines(t *testing.T) {
	p := stackPlan(t, "prod")
	r := cost.Estimate(p.Plan)
	prices := pricing.Prices[r.Region]
	lines := map[string][]cost.Line{}
	for _, l := range r.Lines {
		lines[l.Item] = append(lines[l.Item], l)
	}
	month := float64(pricing.HoursPerMonth)
	for item, price := range map[string]float64{"NAT gateway": prices.NATGatewayHour, "public IPv4 address": prices.PublicIPv4Hour} {
		got := lines[item]
		if len(got) != 3 {
			t.Fatalf("prod prices %d %s lines, want 3 (one per AZ)", len(got), item)
		}
		for _, l := range got {
			if l.Quantity != month || l.Monthly != math.Round(month*price*100)/100 {
				t.Errorf("%s %s: %v x %v = %v", l.Resource, item, l.Quantity, l.UnitPrice, l.Monthly)
			}
		}
	}
	groups := p.ofType("aws:eks/nodeGroup:NodeGroup")
	if len(groups) == 0 {
		t.Fatal("no node groups in prod")
	}
	for _, ng := range groups {
		typ := ng.Get("instanceTypes").([]any)[0].(string)
		desired := ng.Get("scalingConfig.desiredSize").(float64)
		item := fmt.Sprintf("%s x %d nodes", typ, int(desired))
		got := lines[item]
		want := math.Round(desired*month*prices.EC2Hour[typ]*100) / 100
		if len(got) != 1 || got[0].Resource != ng.Name || got[0].Monthly != want {
			t.Errorf("node group %s: lines %+v, want one %q at %.2f", ng.Name, got, item, want)
		}
	}
	if _, ok := lines["m6i.large x 3 nodes"]; !ok {
		t.Errorf("prod's general node group (Pulumi.prod.yaml: m6i.large, desired 3) is not priced: %v", r.Lines)
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

// The Session Manager access instance (platform:access) is priced from the table: its instance
// type by the hour and its root volume as gp3, in both stacks.
func TestAccessInstanceCostLines(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		r := cost.Estimate(p.Plan)
		prices := pricing.Prices[r.Region]
		// The access instance; dev's NAT instance is TestDevNATInstanceCost's.
		in := p.named(t, "aws:ec2/instance:Instance", "access-instance")
		typ := getString(in, "instanceType")
		gb, _ := get(in, "rootBlockDevice.volumeSize").(float64)
		want := map[string]float64{
			typ + " instance": math.Round(float64(pricing.HoursPerMonth)*prices.EC2Hour[typ]*100) / 100,
			fmt.Sprintf("root volume %g GiB (gp3)", gb): math.Round(gb*prices.EBSgp3GBMonth*100) / 100,
		}
		got := map[string]float64{}
		for _, l := range r.Lines {
			if l.Resource == in.Name {
				if l.Unpriced != "" {
					t.Errorf("%s: %s is unpriced: %s", stack, l.Item, l.Unpriced)
				}
				got[l.Item] = l.Monthly
			}
		}
		if gb == 0 || prices.EC2Hour[typ] == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: access instance lines %v, want %v", stack, got, want)
		}
	}
}
