package timeline

import (
	"slices"
	"strings"
	"time"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
)

// ModelChange schedules the `up` that takes base to head: creates, in-place updates,
// replacements (create before delete unless the resource says otherwise) and deletes, each
// with its own duration (UpdateDuration, DeleteDuration). Unchanged resources take no time.
// Deletes run after every create and update, as the engine runs them once the program has
// registered everything, a resource after the deletes of those that depended on it.
func ModelChange(base, head *planner.Plan, o Options) (*Result, error) {
	d := diff.Plans(base, head)
	baseBy := map[string]planner.Resource{}
	for _, r := range base.Resources {
		baseBy[stackless(r.URN)] = r
	}
	type change struct {
		op   string
		keys []string
		from planner.Resource
	}
	changes := map[string]change{}
	for _, a := range d.Added {
		changes[a.URN] = change{op: "create"}
	}
	for _, c := range d.Changed {
		op := "update"
		if len(c.Replace) > 0 {
			op = "replace"
		}
		changes[c.URN] = change{op: op, keys: c.Keys, from: baseBy[stackless(c.URN)]}
	}
	for _, n := range d.Renamed {
		if len(n.Keys) == 0 {
			continue
		}
		for _, r := range head.Resources {
			if r.Type == n.Type && r.Name == n.To {
				op := "update"
				if len(n.Replace) > 0 {
					op = "replace"
				}
				changes[r.URN] = change{op: op, keys: n.Keys}
			}
		}
	}

	var jobs []*job
	g := newGraph(head.Resources)
	for _, r := range head.Resources {
		c, ok := changes[r.URN]
		j := &job{r: r, op: "same", deps: g.deps(r)}
		switch {
		case !ok:
			j.est = Estimate{Source: "unchanged"}
		case c.op == "create":
			j.est, j.step = CreateDuration(r), r.Custom || r.Type == "eks:index:Cluster"
		case c.op == "update":
			j.est, j.step = UpdateDuration(c.from, r, c.keys), true
		default:
			j.est, j.step = CreateDuration(r), true
			if r.DeleteBeforeReplace {
				del := DeleteDuration(c.from)
				j.est = Estimate{Duration: del.Duration + j.est.Duration, Source: "delete, then create: " + del.Source + "; " + j.est.Source}
			}
		}
		if ok {
			j.op = c.op
		}
		jobs = append(jobs, j)
	}

	// The deletes: removed resources, and the old half of a create-before-delete replacement.
	barrier := len(jobs)
	all := make([]int, barrier)
	for i := range all {
		all[i] = i
	}
	jobs = append(jobs, &job{r: planner.Resource{Name: "(every create and update)"}, op: "same", deps: all})
	var doomed []planner.Resource
	doomed = append(doomed, d.Removed...)
	for _, r := range head.Resources {
		if c, ok := changes[r.URN]; ok && c.op == "replace" && !r.DeleteBeforeReplace {
			doomed = append(doomed, c.from)
		}
	}
	first := len(jobs)
	at := map[string]int{}
	for k, r := range doomed {
		at[stackless(r.URN)] = first + k
		jobs = append(jobs, &job{r: r, op: "delete", est: DeleteDuration(r), step: r.Custom || r.Type == "eks:index:Cluster"})
	}
	for k, r := range doomed {
		// r goes after the deletes of the doomed resources that depended on it.
		j := jobs[first+k]
		j.deps = []int{barrier}
		for _, other := range doomed {
			if slices.Contains(other.Dependencies, r.URN) || other.Parent == r.URN {
				j.deps = append(j.deps, at[stackless(other.URN)])
			}
		}
	}
	res, err := schedule(jobs, o.Parallelism)
	if err != nil {
		return nil, err
	}
	var steps []Step
	for _, s := range res.Steps {
		if s.Op != "same" {
			steps = append(steps, s)
		}
	}
	res.Steps = steps
	return res, nil
}

func stackless(urn string) string {
	if _, rest, ok := strings.Cut(urn, "::"); ok {
		return rest
	}
	return urn
}

func changed(keys []string, prefixes ...string) bool {
	for _, k := range keys {
		for _, p := range prefixes {
			if k == p || strings.HasPrefix(k, p+".") {
				return true
			}
		}
	}
	return false
}

// UpdateDuration is the modelled in-place update of head (from base) on the changed keys.
func UpdateDuration(base, head planner.Resource, keys []string) Estimate {
	switch head.Type {
	case "eks:index:Cluster":
		if changed(keys, "version") {
			return Estimate{30 * time.Minute, "estimate: an EKS control plane version update, reported from ~10 to over 45 min " +
				"(aws/containers-roadmap#1227); Terraform's update timeout is 60 min", false}
		}
		return Estimate{8 * time.Minute, "estimate: UpdateClusterConfig (endpoint access, logging) runs several minutes", false}
	case "aws:eks/nodeGroup:NodeGroup":
		if changed(keys, "version", "releaseVersion", "launchTemplate", "amiType", "instanceTypes") {
			n, batch := desiredSize(head), 1
			if v, ok := head.Get("updateConfig.maxUnavailable").(float64); ok && v > 1 {
				batch = int(v)
			}
			rounds := max(1, (n+batch-1)/batch)
			return Estimate{4*time.Minute + time.Duration(rounds)*3*time.Minute,
				"estimate: EKS's managed node group update launches new nodes (~4 min, as a create) then drains and terminates the old ones " +
					"maxUnavailable at a time (~3 min each: eviction, termination)", false}
		}
		return Estimate{time.Minute, "estimate: scaling or labels: one UpdateNodegroupConfig", false}
	case "aws:eks/addon:Addon":
		return Estimate{90 * time.Second, "estimate: the addon's pods roll on running nodes", false}
	case "kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart":
		e := helmRelease(head)
		e.Source = "upgrade with wait, as long as an install: " + e.Source
		return e
	case "aws:rds/instance:Instance":
		if changed(keys, "instanceClass", "multiAz", "allocatedStorage", "engineVersion", "storageType") {
			return Estimate{15 * time.Minute, "estimate: an RDS modification that restarts or converts the instance", false}
		}
		return Estimate{30 * time.Second, "estimate: an RDS setting applied without a restart", false}
	}
	c := CreateDuration(head)
	d := min(c.Duration, 10*time.Second)
	if !head.Custom {
		d = 0
	}
	return Estimate{d, "estimate: an in-place update is an API call or two (at most the create's " + Clock(c.Duration) + ")", c.Default}
}

// DeleteDuration is the modelled delete of r.
func DeleteDuration(r planner.Resource) Estimate {
	switch r.Type {
	case "eks:index:Cluster":
		return Estimate{8 * time.Minute, "estimate: DeleteCluster until the control plane is gone", false}
	case "aws:eks/nodeGroup:NodeGroup":
		return Estimate{6 * time.Minute, "estimate: the node group drains and terminates its nodes", false}
	case "aws:ec2/natGateway:NatGateway":
		return Estimate{time.Minute, "estimate: the provider waits for the NAT gateway to be deleted", false}
	case "aws:rds/instance:Instance":
		return Estimate{6 * time.Minute, "estimate: RDS deletes the instance (and its final snapshot)", false}
	case "aws:route53/record:Record", "aws:route53/zone:Zone":
		return Estimate{time.Minute, srcRoute53, false}
	case "kubernetes:core/v1:Namespace":
		return Estimate{30 * time.Second, "estimate: the namespace's finalizers delete its objects", false}
	case "kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart":
		return Estimate{30 * time.Second, "estimate: helm uninstall with wait", false}
	}
	c := CreateDuration(r)
	return Estimate{min(c.Duration, 5*time.Second), "estimate: a delete is an API call (at most the create's " + Clock(c.Duration) + ")", c.Default}
}
