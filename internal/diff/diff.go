// Package diff compares two offline plans: what a pull request adds, removes, changes and
// replaces, and what it does to the monthly cost.
package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// Change is one resource present in both plans with different inputs.
type Change struct {
	URN  string   `json:"urn"`
	Type string   `json:"type"`
	Name string   `json:"name"`
	Keys []string `json:"changedKeys"`
	// Replace lists the changed keys that force AWS/Kubernetes to replace the resource.
	Replace []string `json:"replaceKeys,omitempty"`
}

// Rename is a resource the head plan registers under a new name with an alias for its name in
// the base: Pulumi adopts the existing resource instead of deleting and creating it.
type Rename struct {
	From string `json:"from"`
	To   string `json:"to"`
	Type string `json:"type"`
	// Keys and Replace are its changed inputs, as for a Change.
	Keys    []string `json:"changedKeys,omitempty"`
	Replace []string `json:"replaceKeys,omitempty"`
}

// Result is the difference between two plans.
type Result struct {
	Added   []planner.Resource `json:"added"`
	Removed []planner.Resource `json:"removed"`
	Changed []Change           `json:"changed"`
	Renamed []Rename           `json:"renamed,omitempty"`
	// Affected are unchanged resources that depend (transitively) on a replaced one: a new id
	// upstream usually replaces them too, which the plans cannot show.
	Affected []string `json:"affectedByReplacement,omitempty"`
	// Upgrade is the Kubernetes version change of the cluster ("1.35 -> 1.36"), if any.
	Upgrade string `json:"kubernetesUpgrade,omitempty"`
	// Refused says why the change cannot be applied as one update (EKS moves one minor version
	// at a time, and never down); the command exits non-zero.
	Refused   string  `json:"refused,omitempty"`
	BaseCost  float64 `json:"baseMonthly"`
	HeadCost  float64 `json:"headMonthly"`
	CostDelta float64 `json:"monthlyDelta"`
}

// ReplaceKeys are the inputs whose change replaces a resource (the providers' "forces new"
// properties for the types this program uses). A change to the cluster's name or the VPC's
// CIDR is a rebuild, and a reviewer must see that.
var ReplaceKeys = map[string][]string{
	"aws:ec2/vpc:Vpc":                         {"cidrBlock"},
	"aws:ec2/subnet:Subnet":                   {"cidrBlock", "availabilityZone", "vpcId"},
	"aws:ec2/natGateway:NatGateway":           {"subnetId", "allocationId"},
	"aws:ec2/internetGateway:InternetGateway": {},
	// The access and NAT instances: a new AMI, subnet or interface is a new instance (user data
	// changes stop and start it in place, as the provider does without user_data_replace_on_change).
	"aws:ec2/instance:Instance":                 {"ami", "subnetId", "networkInterfaces", "availabilityZone", "keyName", "tenancy"},
	"aws:ec2/networkInterface:NetworkInterface": {"subnetId"},
	"aws:ecr/repository:Repository":             {"name", "encryptionConfigurations"},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":   {"repository"},
	// pulumi-eks's EKS cluster (the recording provider's child of eks:index:Cluster).
	"aws:eks/cluster:Cluster":                                 {"name"},
	"eks:index:Cluster":                                       {"name", "vpcId", "privateSubnetIds", "encryptionConfigKeyArn"},
	"aws:eks/nodeGroup:NodeGroup":                             {"clusterName", "subnetIds", "instanceTypes", "amiType", "capacityType", "nodeRoleArn"},
	"aws:eks/addon:Addon":                                     {"clusterName", "addonName"},
	"aws:eks/podIdentityAssociation:PodIdentityAssociation":   {"clusterName", "namespace", "serviceAccount"},
	"aws:eks/accessEntry:AccessEntry":                         {"clusterName", "principalArn", "type"},
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {"clusterName", "principalArn", "policyArn"},
	"aws:route53/zone:Zone":                                   {"name"},
	"aws:route53/record:Record":                               {"name", "type", "zoneId"},
	"aws:acm/certificate:Certificate":                         {"domainName", "subjectAlternativeNames", "keyAlgorithm"},
	"aws:cloudwatch/logGroup:LogGroup":                        {"name", "namePrefix"},
	"aws:kms/alias:Alias":                                     {"name"},
	"aws:s3/bucketV2:BucketV2":                                {"bucket", "bucketPrefix"},
	"aws:ssm/parameter:Parameter":                             {"name"},
	"aws:iam/role:Role":                                       {"name", "namePrefix", "path"},
	"aws:iam/policy:Policy":                                   {"name", "namePrefix", "path"},
	"kubernetes:helm.sh/v3:Release":                           {"name", "namespace"},
	"github:index/repositoryDeployKey:RepositoryDeployKey":    {"key", "repository", "readOnly", "title"},
	"tls:index/privateKey:PrivateKey":                         {"algorithm"},
	"random:index/randomId:RandomId":                          {"keepers", "byteLength", "prefix"},
	// The teams' databases. RDS renames an instance in place (identifier), but a new key,
	// database name, master user or engine is a new instance: its data does not follow.
	"aws:rds/instance:Instance":                   {"engine", "dbName", "username", "kmsKeyId", "storageEncrypted", "availabilityZone", "characterSetName"},
	"aws:rds/subnetGroup:SubnetGroup":             {"name", "namePrefix"},
	"aws:rds/parameterGroup:ParameterGroup":       {"name", "namePrefix", "family", "description"},
	"aws:ec2/securityGroup:SecurityGroup":         {"name", "namePrefix", "description", "vpcId"},
	"aws:cloudwatch/metricAlarm:MetricAlarm":      {"name"},
	"aws:sns/topic:Topic":                         {"name", "namePrefix", "fifoTopic"},
	"aws:sns/topicSubscription:TopicSubscription": {"topic", "protocol", "endpoint"},
}

// k8sIdentityKeys force replacement of every Kubernetes object.
var k8sIdentityKeys = []string{"metadata.name", "metadata.namespace"}

// K8sReplaceKeys are what else the Kubernetes provider replaces an object on, by type: its
// forceNew table (pulumi-kubernetes provider/pkg/provider/diff.go, v4.0.0-20260115033456),
// for the kinds it lists, with the provider as the program configures it (ConfigMaps
// mutable, Secrets not). Patch resources (…Patch) replace on their identity only. The
// engine test on the real provider (tests/engine_realk8s_test.go) checks a change of each
// kind the program changes against the provider's own preview.
var K8sReplaceKeys = map[string][]string{
	"kubernetes:apps/v1:Deployment":                              {"spec.selector"},
	"kubernetes:apps/v1:DaemonSet":                               {"spec.selector"},
	"kubernetes:apps/v1:StatefulSet":                             {"spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"},
	"kubernetes:batch/v1:Job":                                    {"spec.completions", "spec.parallelism", "spec.selector", "spec.template"},
	"kubernetes:core/v1:PersistentVolumeClaim":                   {"spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"},
	"kubernetes:core/v1:ResourceQuota":                           {"spec.scopes"},
	"kubernetes:core/v1:Secret":                                  {"type", "stringData", "data"},
	"kubernetes:core/v1:Service":                                 {"spec.clusterIP"},
	"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding":        {"roleRef"},
	"kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": {"roleRef"},
	"kubernetes:storage.k8s.io/v1:StorageClass":                  {"parameters", "provisioner"},
}

// Plans compares base and head, with their costs as of the price table's date.
func Plans(base, head *planner.Plan) Result {
	return PlansOn(base, head, pricing.MustParseDate(pricing.PriceTableDate))
}

// PlansOn compares base and head, with their costs on day.
func PlansOn(base, head *planner.Plan, day time.Time) Result {
	b, h := index(base), index(head)
	var r Result
	// adopted are base resources a head resource claims through an alias.
	adopted := map[string]bool{}
	for _, urn := range slices.Sorted(maps.Keys(h)) {
		hr := h[urn]
		br, ok := b[urn]
		if !ok {
			if from, found := aliased(hr, b, h, adopted); found {
				adopted[stackless(from.URN)] = true
				keys := changedKeys(from.Inputs, hr.Inputs, "")
				r.Renamed = append(r.Renamed, Rename{From: from.Name, To: hr.Name, Type: hr.Type, Keys: keys, Replace: replaced(hr, keys)})
				continue
			}
			r.Added = append(r.Added, hr)
			continue
		}
		if keys := changedKeys(br.Inputs, hr.Inputs, ""); len(keys) > 0 {
			r.Changed = append(r.Changed, Change{URN: hr.URN, Type: hr.Type, Name: hr.Name, Keys: keys, Replace: replaced(hr, keys)})
		}
	}
	for _, urn := range slices.Sorted(maps.Keys(b)) {
		if _, ok := h[urn]; !ok && !adopted[urn] {
			r.Removed = append(r.Removed, b[urn])
		}
	}
	r.Affected = affected(h, r.Changed)
	r.Upgrade, r.Refused = kubernetesUpgrade(b, h)
	r.BaseCost = cost.EstimateOn(base, day).Total
	r.HeadCost = cost.EstimateOn(head, day).Total
	r.CostDelta = round2(r.HeadCost - r.BaseCost)
	return r
}

// kubernetesUpgrade checks a change of the cluster's Kubernetes version: EKS updates the
// control plane one minor version at a time and never downgrades it, so anything else is
// refused here rather than halfway through `pulumi up`.
func kubernetesUpgrade(base, head map[string]planner.Resource) (upgrade, refused string) {
	for urn, hr := range head {
		br, ok := base[urn]
		if hr.Type != "eks:index:Cluster" || !ok {
			continue
		}
		from, _ := br.Inputs["version"].(string)
		to, _ := hr.Inputs["version"].(string)
		if from == to {
			continue
		}
		upgrade = from + " -> " + to
		switch d, ok := pricing.MinorDistance(from, to); {
		case !ok:
			refused = fmt.Sprintf("cluster %s: Kubernetes %q -> %q is not a change between 1.x minor versions", hr.Name, from, to)
		case d < 0:
			refused = fmt.Sprintf("cluster %s: Kubernetes %s -> %s is a downgrade; EKS cannot downgrade a control plane", hr.Name, from, to)
		case d > 1:
			refused = fmt.Sprintf("cluster %s: Kubernetes %s -> %s skips %d minor versions; EKS upgrades one minor version at a time: apply each step with its own `pulumi up` (see README, \"Upgrading Kubernetes\")", hr.Name, from, to, d-1)
		}
	}
	return upgrade, refused
}

// aliased finds the base resource a new head resource takes over through one of its aliases,
// as the engine would: the alias must name a resource of the base that the head no longer
// has under that name and that no other resource took over first.
func aliased(hr planner.Resource, base, head map[string]planner.Resource, adopted map[string]bool) (planner.Resource, bool) {
	for _, a := range hr.Aliases {
		key := stackless(a)
		if br, ok := base[key]; ok && !adopted[key] {
			if _, stillThere := head[key]; !stillThere {
				return br, true
			}
		}
	}
	return planner.Resource{}, false
}

func affected(head map[string]planner.Resource, changed []Change) []string {
	hit := map[string]bool{}
	changedURN := map[string]bool{}
	for _, c := range changed {
		changedURN[stackless(c.URN)] = true
		if len(c.Replace) > 0 {
			hit[stackless(c.URN)] = true
		}
	}
	// Walk the dependents of each replaced resource once: linear in resources and edges.
	dependents := map[string][]string{}
	for urn, r := range head {
		for _, d := range r.Dependencies {
			dependents[stackless(d)] = append(dependents[stackless(d)], urn)
		}
	}
	queue := slices.Sorted(maps.Keys(hit))
	for len(queue) > 0 {
		urn := queue[0]
		queue = queue[1:]
		for _, dep := range dependents[urn] {
			if !hit[dep] {
				hit[dep] = true
				queue = append(queue, dep)
			}
		}
	}
	var out []string
	for _, urn := range slices.Sorted(maps.Keys(hit)) {
		if !changedURN[urn] {
			out = append(out, head[urn].Name)
		}
	}
	sort.Strings(out)
	return out
}

// index keys resources by URN without the stack, so that two stacks compare too (what would
// prod get that dev has?).
func index(p *planner.Plan) map[string]planner.Resource {
	out := map[string]planner.Resource{}
	for _, r := range p.Resources {
		out[stackless(r.URN)] = r
	}
	return out
}

func stackless(urn string) string {
	if _, rest, ok := strings.Cut(urn, "::"); ok {
		return rest
	}
	return urn
}

// changedKeys are the dotted paths (two levels deep, enough to name what changed without
// drowning the reader) whose values differ.
func changedKeys(a, b map[string]any, prefix string) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if reflect.DeepEqual(a[k], b[k]) {
			continue
		}
		am, aok := a[k].(map[string]any)
		bm, bok := b[k].(map[string]any)
		if aok && bok && prefix == "" {
			out = append(out, changedKeys(am, bm, k+".")...)
			continue
		}
		out = append(out, prefix+k)
	}
	return out
}

// replaced are the keys of a changed resource that replace it: its provider's, and those the
// program replaces it on (pulumi.ReplaceOnChanges).
func replaced(r planner.Resource, keys []string) []string {
	forces := ReplaceKeys[r.Type]
	if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Type, "kubernetes:helm.sh/") {
		forces = append(slices.Clone(k8sIdentityKeys), K8sReplaceKeys[r.Type]...)
	}
	forces = append(slices.Clone(forces), r.ReplaceOnChanges...)
	var out []string
	for _, k := range keys {
		for _, f := range forces {
			if k == f || strings.HasPrefix(k, f+".") {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// Markdown writes the result for a pull request comment.
func (r Result) Markdown(w io.Writer) error {
	var b strings.Builder
	replacements := 0
	for _, c := range r.Changed {
		if len(c.Replace) > 0 {
			replacements++
		}
	}
	for _, n := range r.Renamed {
		if len(n.Replace) > 0 {
			replacements++
		}
	}
	renamed := ""
	if len(r.Renamed) > 0 {
		renamed = fmt.Sprintf(", %d renamed", len(r.Renamed))
	}
	fmt.Fprintf(&b, "### Infrastructure diff: %d to add, %d to change (%d replaced), %d to delete%s\n\n",
		len(r.Added), len(r.Changed), replacements, len(r.Removed), renamed)
	fmt.Fprintf(&b, "Monthly cost: %.2f → %.2f USD (**%+.2f**)\n\n", r.BaseCost, r.HeadCost, r.CostDelta)
	if r.Refused != "" {
		fmt.Fprintf(&b, "> **Refused**: %s.\n\n", r.Refused)
	} else if r.Upgrade != "" {
		fmt.Fprintf(&b, "> **Kubernetes upgrade %s**: the control plane updates in place first, then each node group rolls one node at a time; the EKS managed addons and the Cluster Autoscaler image follow the new version.\n\n", r.Upgrade)
	}
	if replacements > 0 {
		b.WriteString("> **Replacements**: these resources are deleted and created again.\n\n")
	}
	section := func(title string, rows []string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&b, "#### %s\n\n| resource | type | details |\n|---|---|---|\n", title)
		for _, row := range rows {
			b.WriteString(row + "\n")
		}
		b.WriteString("\n")
	}
	var add, del, chg []string
	for _, a := range r.Added {
		add = append(add, fmt.Sprintf("| `%s` | `%s` | |", a.Name, a.Type))
	}
	for _, d := range r.Removed {
		del = append(del, fmt.Sprintf("| `%s` | `%s` | |", d.Name, d.Type))
	}
	for _, c := range r.Changed {
		details := "changed: " + strings.Join(c.Keys, ", ")
		if len(c.Replace) > 0 {
			details = "**replace** (" + strings.Join(c.Replace, ", ") + "); " + details
		}
		chg = append(chg, fmt.Sprintf("| `%s` | `%s` | %s |", c.Name, c.Type, details))
	}
	var ren []string
	for _, n := range r.Renamed {
		details := "alias: adopted, not replaced"
		if len(n.Keys) > 0 {
			details += "; changed: " + strings.Join(n.Keys, ", ")
		}
		if len(n.Replace) > 0 {
			details = "**replace** (" + strings.Join(n.Replace, ", ") + "); " + details
		}
		ren = append(ren, fmt.Sprintf("| `%s` → `%s` | `%s` | %s |", n.From, n.To, n.Type, details))
	}
	section("Added", add)
	section("Changed", chg)
	section("Renamed", ren)
	section("Deleted", del)
	if len(r.Affected) > 0 {
		fmt.Fprintf(&b, "#### Depend on a replaced resource (%d; likely replaced or updated too)\n\n", len(r.Affected))
		b.WriteString("`" + strings.Join(r.Affected, "`, `") + "`\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the result as indented JSON.
func (r Result) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
