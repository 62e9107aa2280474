package cost

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// Line is one billable item.
type Line struct {
	Resource  string  `json:"resource"`
	Type      string  `json:"type"`
	Item      string  `json:"item"`
	Quantity  float64 `json:"quantity"`
	Unit      string  `json:"unit"`
	UnitPrice float64 `json:"unitPrice"`
	Monthly   float64 `json:"monthly"`
	// Unpriced says why no price is known; such a line counts as unknown, not zero.
	Unpriced string `json:"unpriced,omitempty"`
}

// Report is a stack's monthly estimate.
type Report struct {
	Stack     string `json:"stack"`
	Region    string `json:"region"`
	PriceDate string `json:"priceDate"`
	// Date is the day the estimate is for (the EKS support phase depends on it).
	Date        string   `json:"date"`
	Source      string   `json:"source"`
	Lines       []Line   `json:"lines"`
	Total       float64  `json:"monthlyTotal"`
	Unpriced    int      `json:"unpricedLines"`
	Assumptions []string `json:"assumptions"`
	// Notes are facts about this stack worth a reader's attention (extended support).
	Notes []string `json:"notes,omitempty"`
}

// Estimate prices a plan as of the price table's date: what the README records and the tests
// pin. Unknown regions, instance types and resource types become unpriced lines.
func Estimate(p *planner.Plan) Report {
	return EstimateOn(p, pricing.MustParseDate(pricing.PriceTableDate))
}

// EstimateOn prices a plan on a day: the prices of the table, and the EKS support phase the
// cluster's Kubernetes version is in on that day (extended support costs more).
func EstimateOn(p *planner.Plan, day time.Time) Report {
	region, _ := p.Outputs["region"].Value.(string)
	r := Report{Stack: p.Stack, Region: region, PriceDate: pricing.PriceTableDate, Source: pricing.PriceTableSource,
		Date: day.UTC().Format(time.DateOnly),
		Assumptions: []string{
			fmt.Sprintf("%d hours a month; on-demand list prices of %s dated %s, USD, before tax", pricing.HoursPerMonth, region, pricing.PriceTableDate),
			fmt.Sprintf("EKS support phase of the cluster's Kubernetes version on %s (EKS calendar of %s); extended support costs %.2f USD an hour",
				day.UTC().Format(time.DateOnly), pricing.EKSCalendarDate, pricing.EKSExtendedSupportHour),
			"node groups at their desired size; an ON_DEMAND group priced at its first instance type, a SPOT group at the type of its list whose assumed Spot price is highest (an upper bound of the mix); autoscaling excluded",
			fmt.Sprintf("Spot: assumed discount over on demand = the savings AWS's Spot Instance Advisor published for the type and region, less %d points (an assumption, not observed prices; a type it lacks at on demand). Source: %s. Check current prices: %s",
				pricing.SpotMarginPoints, pricing.SpotAdvisorSource, pricing.SpotCheckCommand),
			fmt.Sprintf("CloudWatch Logs: %.0f GB ingested per log group a month, and %.0f KMS requests per encrypted group; storage excluded", pricing.LogsGBPerGroupMonth, pricing.KMSRequestsPerLogGroupMonth),
			fmt.Sprintf("S3: %.0f GB stored per bucket; requests excluded", pricing.S3GBPerBucket),
			fmt.Sprintf("one ALB per IngressGroup at %.0f LCU; an internet-facing ALB bills a public IPv4 address in each AZ it spans (the subnets tagged kubernetes.io/role/elb; since 2024-02 AWS bills every public IPv4, also an ALB's; under load an ALB may add nodes and addresses)", pricing.LCUsPerALB),
			fmt.Sprintf("RDS: backups beyond the free allowance (the provisioned storage) at %.0f%% of storage changed a day; storage autoscaling, I/O above gp3's baseline and Performance Insights beyond its free 7 days excluded", pricing.BackupChangePerDay*100),
			fmt.Sprintf("AWS Backup: the backed-up volumes and databases at their provisioned size, %.0f%% of it changed a day (incremental snapshots); a rule kept D days stores the full size and D-1 days of changes, each further monthly point a month of changes (at most the full size); copies store as much in the copy region, and carry a month of changes across regions", pricing.BackupChangePerDay*100),
			fmt.Sprintf("CodeBuild runners: %.0f build-minutes a month (about 30 deploys of 30 minutes) at the project's Linux x86_64 compute type's on-demand price; no idle cost", pricing.RunnerMinutesPerMonth),
			"data transfer (but AWS Backup's copies), NAT and VPC endpoint data processing, Route53 queries and support plans excluded",
		}}
	prices, known := pricing.Prices[region]
	byID := map[string]planner.Resource{}
	for _, res := range p.Resources {
		if res.ID != "" {
			byID[res.ID] = res
		}
	}
	add := func(res planner.Resource, item string, qty float64, unit string, price float64, ok bool, why string) {
		l := Line{Resource: res.Name, Type: res.Type, Item: item, Quantity: round(qty), Unit: unit}
		switch {
		case !known:
			l.Unpriced = "no prices for region " + strconv.Quote(region)
		case !ok:
			l.Unpriced = why
		default:
			l.UnitPrice = price
			l.Monthly = round(qty * price)
		}
		r.Lines = append(r.Lines, l)
	}
	groups := map[string]bool{}
	albAZs := 0
	for _, res := range p.Resources {
		in := res.Inputs
		switch res.Type {
		case "eks:index:Cluster":
			controlPlaneLine(&r, res, day, prices, add)
		case "aws:eks/nodeGroup:NodeGroup":
			nodeGroupLines(res, byID, region, prices, add)
		case "aws:ec2/subnet:Subnet":
			// The Load Balancer Controller puts internet-facing ALBs into these subnets.
			if tags, _ := in["tags"].(map[string]any); str(tags["kubernetes.io/role/elb"]) == "1" {
				albAZs++
			}
		case "aws:ec2/instance:Instance":
			instanceLines(res, prices, add)
		case "aws:ec2/natGateway:NatGateway":
			add(res, "NAT gateway", pricing.HoursPerMonth, "hour", prices.NATGatewayHour, true, "")
		case "aws:ec2/eip:Eip":
			add(res, "public IPv4 address", pricing.HoursPerMonth, "hour", prices.PublicIPv4Hour, true, "")
		case "aws:route53/zone:Zone":
			add(res, "hosted zone "+str(in["name"]), 1, "month", prices.Route53ZoneMonth, true, "")
		case "aws:ec2/vpcEndpoint:VpcEndpoint":
			// A gateway endpoint (S3) is free; an interface endpoint bills each AZ it is in.
			if str(in["vpcEndpointType"]) == "Interface" {
				subnets, _ := in["subnetIds"].([]any)
				add(res, "interface endpoint "+str(in["serviceName"])+" ("+strconv.Itoa(len(subnets))+" AZs)", float64(len(subnets))*pricing.HoursPerMonth, "AZ-hour", prices.EndpointAZHour, true, "")
			}
		case "aws:kms/key:Key":
			add(res, "KMS key", 1, "month", prices.KMSKeyMonth, true, "")
		case "aws:cloudwatch/logGroup:LogGroup":
			add(res, "log ingestion (assumed)", pricing.LogsGBPerGroupMonth, "GB", prices.LogsIngestGB, true, "")
			if _, encrypted := in["kmsKeyId"]; encrypted {
				add(res, "KMS requests of its encryption (assumed)", pricing.KMSRequestsPerLogGroupMonth/10000, "10k requests", pricing.KMSRequests10k, true, "")
			}
		case "aws:s3/bucketV2:BucketV2":
			add(res, "S3 Standard storage (assumed)", pricing.S3GBPerBucket, "GB-month", prices.S3StandardGB, true, "")
		case "aws:rds/instance:Instance":
			databaseLines(&r, res, day, prices, add)
		case "aws:backup/vault:Vault":
			backupLines(p, res, add)
		case "aws:cloudwatch/metricAlarm:MetricAlarm":
			add(res, "CloudWatch alarm", 1, "month", pricing.CloudWatchAlarmMonth, true, "")
		case "aws:codebuild/project:Project":
			runnerLines(res, add)
		case "aws:ecr/repository:Repository":
			add(res, "ECR storage (assumed)", pricing.ECRGBPerRepository, "GB-month", pricing.ECRStorageGBMonth, true, "")
		case "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams":
			// Every Ingress of the class joins its group: one ALB per class in use.
			if g, ok := groupName(res.Inputs); ok {
				groups[g] = true
			}
		case "kubernetes:helm.sh/v3:Release":
			for _, v := range ReleaseVolumes(res) {
				add(res, v.Name+" volume (gp3)", v.GB, "GB-month", prices.EBSgp3GBMonth, true, "")
			}
			for _, g := range IngressGroups(res) {
				groups[g] = true
			}
		default:
			if !isFree(res.Type) {
				add(res, res.Type, 1, "resource", 0, false, "no price rule for "+res.Type+" (add one to internal/cost)")
			}
		}
	}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		alb := planner.Resource{Name: "IngressGroup " + g, Type: "alb (created by the Load Balancer Controller)"}
		add(alb, "Application Load Balancer", pricing.HoursPerMonth, "hour", prices.ALBHour, true, "")
		add(alb, "ALB capacity (assumed)", pricing.HoursPerMonth*pricing.LCUsPerALB, "LCU-hour", prices.ALBLCUHour, true, "")
		if albAZs > 0 {
			add(alb, fmt.Sprintf("ALB public IPv4 addresses (%d AZs)", albAZs), float64(albAZs)*pricing.HoursPerMonth, "address-hour", prices.PublicIPv4Hour, true, "")
		}
	}
	sort.SliceStable(r.Lines, func(i, j int) bool {
		if r.Lines[i].Type != r.Lines[j].Type {
			return r.Lines[i].Type < r.Lines[j].Type
		}
		return r.Lines[i].Resource < r.Lines[j].Resource
	})
	for _, l := range r.Lines {
		if l.Unpriced != "" {
			r.Unpriced++
		}
		r.Total += l.Monthly
	}
	r.Total = round(r.Total)
	return r
}

type addFunc func(res planner.Resource, item string, qty float64, unit string, price float64, ok bool, why string)

// controlPlaneLine prices the cluster by the support phase of its Kubernetes version on day.
func controlPlaneLine(r *Report, res planner.Resource, day time.Time, prices pricing.RegionPrices, add addFunc) {
	version := str(res.Inputs["version"])
	v, support := pricing.EKSSupport(version, day)
	switch support {
	case pricing.Standard:
		add(res, "EKS control plane ("+version+")", pricing.HoursPerMonth, "hour", prices.EKSClusterHour, true, "")
	case pricing.Extended:
		add(res, "EKS control plane ("+version+", extended support)", pricing.HoursPerMonth, "hour", pricing.EKSExtendedSupportHour, true, "")
		r.Notes = append(r.Notes, fmt.Sprintf("Kubernetes %s is in EKS extended support since %s (until %s): its control plane costs %.2f USD an hour instead of %.2f",
			version, v.EndOfStandard, v.EndOfExtended, pricing.EKSExtendedSupportHour, prices.EKSClusterHour))
	default:
		add(res, "EKS control plane (Kubernetes "+version+")", pricing.HoursPerMonth, "hour", 0, false,
			fmt.Sprintf("Kubernetes %q is %s on %s in the EKS calendar of %s", version, support, day.UTC().Format(time.DateOnly), pricing.EKSCalendarDate))
	}
}

func nodeGroupLines(res planner.Resource, byID map[string]planner.Resource, region string, prices pricing.RegionPrices, add addFunc) {
	types, _ := res.Inputs["instanceTypes"].([]any)
	sc, _ := res.Inputs["scalingConfig"].(map[string]any)
	n, _ := sc["desiredSize"].(float64)
	it := ""
	if len(types) > 0 {
		it = str(types[0])
	}
	if str(res.Inputs["capacityType"]) == "SPOT" {
		spotLine(res, types, n, region, add)
	} else {
		price, ok := prices.EC2Hour[it]
		add(res, fmt.Sprintf("%s x %g nodes", it, n), n*pricing.HoursPerMonth, "instance-hour", price, ok, "no price for instance type "+strconv.Quote(it))
	}
	lt, _ := res.Inputs["launchTemplate"].(map[string]any)
	if tmpl, found := byID[str(lt["id"])]; found {
		if bdm, _ := tmpl.Inputs["blockDeviceMappings"].([]any); len(bdm) > 0 {
			ebs, _ := bdm[0].(map[string]any)["ebs"].(map[string]any)
			if gb, _ := ebs["volumeSize"].(float64); gb > 0 {
				add(res, fmt.Sprintf("root volumes %g GiB x %g (gp3)", gb, n), gb*n, "GB-month", prices.EBSgp3GBMonth, true, "")
			}
		}
	}
}

// spotLine prices a SPOT group at the assumed Spot price of its dearest type (pricing.SpotHour).
// The item names the type, the number of types and the discount, so a reader (and the tests)
// can recompute it from the tables.
func spotLine(res planner.Resource, types []any, n float64, region string, add addFunc) {
	names := make([]string, 0, len(types))
	for _, t := range types {
		names = append(names, str(t))
	}
	q, err := pricing.SpotHour(region, names)
	why := ""
	if err != nil {
		why = err.Error()
	}
	add(res, fmt.Sprintf("%s Spot x %g nodes (-%d%%, %d types)", q.InstanceType, n, q.DiscountPercent, len(names)),
		n*pricing.HoursPerMonth, "instance-hour", q.Hour, err == nil, why)
}

// instanceLines price an EC2 instance (the Session Manager access instance, dev's NAT instance)
// and its root volume; a NAT instance's Elastic IP is its own line (aws:ec2/eip:Eip).
func instanceLines(res planner.Resource, prices pricing.RegionPrices, add addFunc) {
	it := str(res.Inputs["instanceType"])
	price, ok := prices.EC2Hour[it]
	add(res, it+" instance", pricing.HoursPerMonth, "instance-hour", price, ok, "no price for instance type "+strconv.Quote(it))
	root, _ := res.Inputs["rootBlockDevice"].(map[string]any)
	if gb, _ := root["volumeSize"].(float64); gb > 0 {
		add(res, fmt.Sprintf("root volume %g GiB (gp3)", gb), gb, "GB-month", prices.EBSgp3GBMonth, true, "")
	}
}

// Volume is a persistent volume a chart's values ask for.
type Volume struct {
	Name string
	GB   float64
}

// ReleaseVolumes are the gp3 volumes the pinned charts create with the platform's values.
func ReleaseVolumes(res planner.Resource) []Volume {
	v, _ := res.Inputs["values"].(map[string]any)
	chart := str(res.Inputs["chart"])
	at := func(path string) any {
		var cur any = v
		for _, p := range strings.Split(path, ".") {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
		return cur
	}
	num := func(path string, def float64) float64 {
		if f, ok := at(path).(float64); ok {
			return f
		}
		return def
	}
	var out []Volume
	addVol := func(name string, size any, replicas float64) {
		if gb := gibibytes(str(size)); gb > 0 {
			out = append(out, Volume{Name: fmt.Sprintf("%s %g GiB x %g", name, gb, replicas), GB: gb * replicas})
		}
	}
	switch chart {
	case "kube-prometheus-stack":
		addVol("prometheus", at("prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage"), num("prometheus.prometheusSpec.replicas", 1))
		addVol("alertmanager", at("alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage"), num("alertmanager.alertmanagerSpec.replicas", 1))
		if at("grafana.persistence.enabled") == true {
			addVol("grafana", at("grafana.persistence.size"), 1)
		}
	case "loki":
		addVol("loki", at("singleBinary.persistence.size"), num("singleBinary.replicas", 1))
	case "tempo":
		if at("persistence.enabled") == true {
			addVol("tempo", at("persistence.size"), 1)
		}
	}
	return out
}

// IngressGroups are the ALB IngressGroups a release's values put Ingresses into.
func IngressGroups(res planner.Resource) []string {
	groups := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if g, ok := x["alb.ingress.kubernetes.io/group.name"].(string); ok {
				groups[g] = true
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(res.Inputs["values"])
	return slices.Sorted(maps.Keys(groups))
}

func gibibytes(q string) float64 {
	for suffix, f := range map[string]float64{"Gi": 1, "Ti": 1024, "G": 1, "T": 1000} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err == nil {
				return v * f
			}
		}
	}
	return 0
}

func isFree(typ string) bool {
	if _, ok := pricing.Free[typ]; ok {
		return true
	}
	for _, p := range pricing.FreePrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

func str(v any) string { s, _ := v.(string); return s }

func round(f float64) float64 { return math.Round(f*100) / 100 }

// groupName is the IngressGroup an IngressClassParams pins (spec.group.name).
func groupName(inputs map[string]any) (string, bool) {
	spec, _ := inputs["spec"].(map[string]any)
	group, _ := spec["group"].(map[string]any)
	name, ok := group["name"].(string)
	return name, ok && name != ""
}
