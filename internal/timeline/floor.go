package timeline

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/example/platform/internal/planner"
)

// Floor is the shortest a first `up` of a cluster can be whatever the program declares: the
// control plane (from when its own inputs, the network and the key, are ready), then the
// slowest node group (it needs the control plane), then the slowest single addon (a Helm
// release or an EKS managed addon: each needs running nodes, and none needs another addon to
// have finished for its data). Everything else runs beside that chain. The floor does not
// count a chain between addons the data would need (a chart using another's CRDs): a program
// at 1.0 x the floor has none left.
type Floor struct {
	ControlPlaneStart time.Duration `json:"controlPlaneStart"`
	ControlPlane      Step          `json:"controlPlane"`
	NodeGroup         Step          `json:"nodeGroup"`
	SlowestAddon      Step          `json:"slowestAddon"`
	Total             time.Duration `json:"total"`
	// Ratio is the modelled total over the floor.
	Ratio float64 `json:"ratio"`
}

// addonTypes are the resources that need running nodes to become ready.
var addonTypes = map[string]bool{
	"kubernetes:helm.sh/v3:Release": true,
	"kubernetes:helm.sh/v4:Chart":   true,
	"aws:eks/addon:Addon":           true,
}

// floorOf is the floor of a modelled first up (nil without an EKS cluster).
func floorOf(_ *planner.Plan, r *Result) *Floor {
	var f Floor
	found := false
	for _, s := range r.Steps {
		switch {
		case s.Type == "eks:index:Cluster" && (!found || s.End() > f.ControlPlane.End()):
			f.ControlPlane, found = s, true
		case s.Type == "aws:eks/nodeGroup:NodeGroup" && s.Duration > f.NodeGroup.Duration:
			f.NodeGroup = s
		case addonTypes[s.Type] && s.Duration > f.SlowestAddon.Duration:
			f.SlowestAddon = s
		}
	}
	if !found {
		return nil
	}
	f.ControlPlaneStart = f.ControlPlane.Start
	f.Total = f.ControlPlaneStart + f.ControlPlane.Duration + f.NodeGroup.Duration + f.SlowestAddon.Duration
	if f.Total > 0 {
		f.Ratio = float64(r.Total) / float64(f.Total)
	}
	return &f
}

// Text writes the timeline for a terminal: the total, the parallelism, the floor and the
// critical path step by step (start, duration, type, name, source).
func (r *Result) Text(w io.Writer, title string) error {
	var b strings.Builder
	par := fmt.Sprint(r.Parallelism)
	if r.Parallelism == 0 {
		par = "unbounded"
	}
	fmt.Fprintf(&b, "%s: %s (modelled; pulumi --parallel %s)\n", title, Clock(r.Total), par)
	if f := r.Floor; f != nil {
		fmt.Fprintf(&b, "Floor: %s = control plane from %s + %s, then node group %s %s, then slowest addon %s %s; modelled/floor = %.2f\n",
			Clock(f.Total), Clock(f.ControlPlaneStart), Clock(f.ControlPlane.Duration), f.NodeGroup.Name, Clock(f.NodeGroup.Duration),
			f.SlowestAddon.Name, Clock(f.SlowestAddon.Duration), f.Ratio)
	}
	fmt.Fprintf(&b, "\nCritical path (%d steps):\n", len(r.CriticalPath))
	fmt.Fprintf(&b, "  %8s  %8s  %-7s  %-50s  %s\n", "START", "TAKES", "OP", "RESOURCE", "SOURCE")
	for _, s := range r.CriticalPath {
		src := s.Source
		if len(src) > 110 {
			src = src[:107] + "..."
		}
		fmt.Fprintf(&b, "  %8s  %8s  %-7s  %-50s  %s\n", Clock(s.Start), Clock(s.Duration), s.Op, s.Name+" ("+short(s.Type)+")", src)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Clock is a duration as m:ss (h:mm:ss from an hour).
func Clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// short is a type token without its module path: aws:eks/nodeGroup:NodeGroup -> aws:NodeGroup.
func short(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) == 3 {
		return parts[0] + ":" + parts[2]
	}
	return typ
}

// Link is a dependency on the critical path and what the model saves without it.
type Link struct {
	From, To string // resource names: To waited for From
	Saves    time.Duration
}

// CriticalLinks are the dependencies on p's critical path (declared in To's Dependencies)
// with the time the first up would save without each, one at a time: where to look for a
// DependsOn the data does not need. A link the data needs saves nothing worth having.
func CriticalLinks(p *planner.Plan, o Options) ([]Link, error) {
	base, err := Model(p, o)
	if err != nil {
		return nil, err
	}
	var out []Link
	for k := 1; k < len(base.CriticalPath); k++ {
		from, to := base.CriticalPath[k-1], base.CriticalPath[k]
		if to.After != from.Name {
			continue // a slot, a parent or a provider: nothing the program could drop
		}
		q := *p
		q.Resources = append([]planner.Resource(nil), p.Resources...)
		dropped := false
		for i, r := range q.Resources {
			if r.URN == to.URN {
				var deps []string
				for _, d := range r.Dependencies {
					if d != from.URN {
						deps = append(deps, d)
					}
				}
				dropped = len(deps) < len(r.Dependencies)
				q.Resources[i].Dependencies = deps
			}
		}
		if !dropped {
			continue
		}
		without, err := Model(&q, o)
		if err != nil {
			return nil, err
		}
		out = append(out, Link{From: from.Name, To: to.Name, Saves: base.Total - without.Total})
	}
	return out, nil
}
