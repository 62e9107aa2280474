package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/iampolicy"
)

// A layer is one policy document that must hold on its own: an identity policy (no boundary)
// or a boundary (under an identity that allows everything). Its attacks must be denied and its
// capabilities allowed by the document alone, so that neither layer leans on the other
// unseen.
//
// Mutation testing then asks whether the probes constrain every statement: each mutant (a
// statement dropped, a condition key dropped, a statement's resources widened to "*") must
// change some verdict, an attack allowed or a capability denied. A mutant no probe tells apart
// from the real document is reported; it fails the test unless equivalent lists it with the
// reason no request can tell them apart.
type layer struct {
	name         string
	doc          iampolicy.Document
	principal    func(iampolicy.Document) iamPrincipal
	attacks      []probe
	capabilities []probe
	equivalent   map[string]string
}

type mutant struct {
	id  string
	doc iampolicy.Document
}

// mutants of d: per statement (by Sid, so that ids survive reordering), dropped, without each
// condition key, and on every resource.
func mutants(d iampolicy.Document) []mutant {
	var out []mutant
	with := func(i int, change func(*iampolicy.Statement)) iampolicy.Document {
		m := iampolicy.Document{Version: d.Version, Statement: slices.Clone(d.Statement)}
		s := m.Statement[i]
		s.Condition = cloneCondition(s.Condition)
		change(&s)
		m.Statement[i] = s
		return m
	}
	for i, s := range d.Statement {
		id := s.Sid
		if id == "" {
			id = fmt.Sprintf("statement %d", i+1)
		}
		out = append(out, mutant{id + ": dropped", iampolicy.Document{Version: d.Version, Statement: slices.Delete(slices.Clone(d.Statement), i, i+1)}})
		for op, keys := range s.Condition {
			for key := range keys {
				out = append(out, mutant{fmt.Sprintf("%s: without %s %s", id, op, key), with(i, func(s *iampolicy.Statement) {
					delete(s.Condition[op], key)
					if len(s.Condition[op]) == 0 {
						delete(s.Condition, op)
					}
					if len(s.Condition) == 0 {
						s.Condition = nil
					}
				})})
			}
		}
		if len(s.NotResource) > 0 || !slices.Equal(s.Resource, []string{"*"}) {
			out = append(out, mutant{id + ": on every resource", with(i, func(s *iampolicy.Statement) {
				s.Resource, s.NotResource = []string{"*"}, nil
			})})
		}
	}
	slices.SortFunc(out, func(a, b mutant) int { return strings.Compare(a.id, b.id) })
	return out
}

func cloneCondition(c map[string]map[string][]string) map[string]map[string][]string {
	if c == nil {
		return nil
	}
	out := map[string]map[string][]string{}
	for op, keys := range c {
		out[op] = map[string][]string{}
		for k, v := range keys {
			out[op][k] = slices.Clone(v)
		}
	}
	return out
}

// regionOnly is a mutant that only drops aws:RequestedRegion from a statement whose every
// resource names the region: the ARN already confines it, so no request tells them apart.
func regionOnly(d iampolicy.Document, id string) bool {
	sid, rest, _ := strings.Cut(id, ": ")
	if !strings.HasSuffix(rest, " aws:RequestedRegion") {
		return false
	}
	for _, s := range d.Statement {
		if s.Sid != sid {
			continue
		}
		for _, r := range s.Resource {
			if parts := strings.Split(r, ":"); len(parts) < 4 || parts[3] == "" || strings.Contains(parts[3], "*") {
				return false
			}
		}
		return len(s.Resource) > 0
	}
	return false
}

// proveLayer judges the layer and its mutants in one engine run, and reports.
func proveLayer(t *testing.T, l layer) {
	t.Helper()
	if len(l.attacks) == 0 || len(l.capabilities) == 0 {
		t.Fatalf("%s: a layer needs attacks and capabilities", l.name)
	}
	ms := append([]mutant{{"real", l.doc}}, mutants(l.doc)...)
	var asks []iamAsk
	for _, m := range ms {
		principal := l.principal(m.doc)
		for _, p := range l.attacks {
			asks = append(asks, p.ask(m.id+"|attack|", principal))
		}
		for _, p := range l.capabilities {
			asks = append(asks, p.ask(m.id+"|capability|", principal))
		}
	}
	verdicts := askIAM(t, asks)
	// caught returns the first probe whose verdict is wrong under the mutant.
	caught := func(id string) string {
		for _, p := range l.attacks {
			if v := verdicts[id+"|attack|"+p.name]; v.Allowed {
				return "attack " + p.name + " is allowed"
			}
		}
		for _, p := range l.capabilities {
			if v := verdicts[id+"|capability|"+p.name]; !v.Allowed {
				return "capability " + p.name + " is " + v.Result
			}
		}
		return ""
	}
	for _, p := range l.attacks {
		if v := verdicts["real|attack|"+p.name]; v.Allowed {
			t.Errorf("%s alone allows the attack %s", l.name, p.name)
		}
	}
	for _, p := range l.capabilities {
		if v := verdicts["real|capability|"+p.name]; !v.Allowed {
			t.Errorf("%s alone refuses the capability %s: %s", l.name, p.name, v.Result)
		}
	}
	var report []string
	survivors := 0
	for _, m := range ms[1:] {
		by := caught(m.id)
		why, listed := l.equivalent[m.id]
		switch {
		case by != "" && listed:
			t.Errorf("%s: mutant %q is listed as equivalent (%s) but is caught: %s", l.name, m.id, why, by)
		case by != "":
			report = append(report, fmt.Sprintf("  %-70s caught: %s", m.id, by))
		case listed:
			report = append(report, fmt.Sprintf("  %-70s equivalent: %s", m.id, why))
		case regionOnly(l.doc, m.id):
			report = append(report, fmt.Sprintf("  %-70s equivalent: the ARNs name the region", m.id))
		default:
			survivors++
			t.Errorf("%s: mutant %q survives: no attack or capability tells it from the real document", l.name, m.id)
		}
	}
	for id := range l.equivalent {
		if !slices.ContainsFunc(ms, func(m mutant) bool { return m.id == id }) {
			t.Errorf("%s: equivalent lists %q, which is no mutant of the document", l.name, id)
		}
	}
	t.Logf("%s: %d attacks, %d capabilities, %d mutants (%d surviving):\n%s", l.name, len(l.attacks), len(l.capabilities),
		len(ms)-1, survivors, strings.Join(report, "\n"))
}

// identityLayer is a principal whose only policy is the document; boundaryLayer one that may
// do anything but the document caps.
func identityLayer(arn string) func(iampolicy.Document) iamPrincipal {
	return func(d iampolicy.Document) iamPrincipal {
		return iamPrincipal{Arn: arn, IdentityPolicies: []json.RawMessage{doc(d)}}
	}
}

func boundaryLayer(arn string) func(iampolicy.Document) iamPrincipal {
	return func(d iampolicy.Document) iamPrincipal {
		return iamPrincipal{Arn: arn, IdentityPolicies: []json.RawMessage{doc(adminPolicy)}, Boundary: doc(d)}
	}
}
