package runner

import (
	"fmt"
	"slices"
	"strings"
)

// Protection is what Pulumi's protect flags do to a destroy of a stack. The engine deletes
// neither a protected resource nor anything it depends on, nor its parents: it deletes
// everything else and then fails. A protected resource that depends on other deployed
// resources (the cluster on its VPC; a Helm release on the cluster and its nodes) therefore
// stops a destroy halfway: the workloads around it are gone, the cluster still runs.
type Protection struct {
	// Protected are the protected resources' names, sorted.
	Protected []string
	// Kept are the URNs a destroy leaves: the protected resources with their dependencies and
	// parents, transitively.
	Kept []string
	// HeldUp maps a protected resource's name to the unprotected resources (names, sorted) it
	// keeps: each is a reason the destroy would stop halfway.
	HeldUp map[string][]string
	// urns are the protected resources' URNs by name, for the unprotect commands.
	urns map[string]string
}

// protection reads a stack's state.
func protection(state []StateResource) Protection {
	byURN := make(map[string]StateResource, len(state))
	for _, s := range state {
		byURN[s.URN] = s
	}
	p := Protection{HeldUp: map[string][]string{}, urns: map[string]string{}}
	kept := map[string]bool{}
	for _, s := range state {
		if !s.Protect {
			continue
		}
		p.Protected = append(p.Protected, s.Name())
		p.urns[s.Name()] = s.URN
		for urn := range closure(byURN, s.URN) {
			kept[urn] = true
			if k, ok := byURN[urn]; ok && urn != s.URN && k.Custom && !k.Protect && !isProvider(k.Type) {
				p.HeldUp[s.Name()] = append(p.HeldUp[s.Name()], k.Name())
			}
		}
	}
	slices.Sort(p.Protected)
	for urn := range kept {
		p.Kept = append(p.Kept, urn)
	}
	slices.Sort(p.Kept)
	for k := range p.HeldUp {
		slices.Sort(p.HeldUp[k])
	}
	return p
}

// closure is urn with everything it depends on and its parents, transitively.
func closure(byURN map[string]StateResource, urn string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(u string) {
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		s, ok := byURN[u]
		if !ok {
			return
		}
		visit(s.Parent)
		for _, d := range s.Dependencies {
			visit(d)
		}
	}
	visit(urn)
	return seen
}

func isProvider(typ string) bool { return strings.HasPrefix(typ, "pulumi:providers:") }

// halfway refuses a destroy that protected resources would stop halfway, saying which
// resources to unprotect and with which commands.
func (p Protection) halfway(stack string) error {
	if len(p.HeldUp) == 0 {
		return nil
	}
	var holders, keepOnly []string
	for _, name := range p.Protected {
		if _, ok := p.HeldUp[name]; ok {
			holders = append(holders, name)
		} else {
			keepOnly = append(keepOnly, name)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to destroy %s: Pulumi would delete everything around %d protected resource(s) and stop at them, "+
		"leaving the stack half destroyed (its workloads gone, the cluster still running):\n", stack, len(holders))
	for _, h := range holders {
		held := p.HeldUp[h]
		shown := held
		if len(shown) > 5 {
			shown = append(slices.Clone(shown[:5]), fmt.Sprintf("and %d more", len(held)-5))
		}
		fmt.Fprintf(&b, "  %s keeps %d resource(s): %s\n", h, len(held), strings.Join(shown, ", "))
	}
	fmt.Fprintf(&b, "To destroy the stack, unprotect them first:\n")
	for _, h := range holders {
		fmt.Fprintf(&b, "  pulumi state unprotect --stack %s --yes '%s'\n", stack, p.urns[h])
	}
	if len(keepOnly) > 0 {
		fmt.Fprintf(&b, "Protected resources that keep nothing else may stay protected; the destroy leaves them: %s", strings.Join(keepOnly, ", "))
	}
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}
