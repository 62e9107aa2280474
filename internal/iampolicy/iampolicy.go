// Package iampolicy builds IAM policy documents as typed values, so that a policy is data a
// test can compare statement by statement, not a string assembled by hand. It is pure (no
// Pulumi or cloud SDK); internal/pulumix renders a document whose values are outputs.
package iampolicy

import (
	"encoding/json"
	"reflect"
	"sort"
)

// Version is the only current IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement. Action and Resource are lists even for one entry, so
// that two documents compare equal however upstream wrote them (see Equal). NotAction,
// NotResource and NotPrincipal are kept: dropping them would turn a narrow statement into a
// broad one.
type Statement struct {
	Sid          string                         `json:"Sid,omitempty"`
	Effect       string                         `json:"Effect"`
	Principal    map[string][]string            `json:"Principal,omitempty"`
	NotPrincipal map[string][]string            `json:"NotPrincipal,omitempty"`
	Action       []string                       `json:"Action,omitempty"`
	NotAction    []string                       `json:"NotAction,omitempty"`
	Resource     []string                       `json:"Resource,omitempty"`
	NotResource  []string                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string][]string `json:"Condition,omitempty"`
}

// Allow is a statement allowing actions on resources.
func Allow(actions []string, resources ...string) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resources}
}

// JSON renders the document. A Document holds only strings, so marshalling cannot fail.
func (d Document) JSON() string {
	b, _ := json.Marshal(d)
	return string(b)
}

// New is a document of the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// Parse reads a policy document as IAM accepts it (Statement as one object or a list; Action,
// Resource and condition values as a string or a list; Principal as "*" or a map) into the
// normalized form.
func Parse(data []byte) (Document, error) {
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Document{}, err
	}
	type rawStatement struct {
		Sid          string                           `json:"Sid"`
		Effect       string                           `json:"Effect"`
		Principal    json.RawMessage                  `json:"Principal"`
		NotPrincipal json.RawMessage                  `json:"NotPrincipal"`
		Action       stringList                       `json:"Action"`
		NotAction    stringList                       `json:"NotAction"`
		Resource     stringList                       `json:"Resource"`
		NotResource  stringList                       `json:"NotResource"`
		Condition    map[string]map[string]stringList `json:"Condition"`
	}
	var stmts []rawStatement
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one rawStatement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return Document{}, err
		}
		stmts = []rawStatement{one}
	} else if len(raw.Statement) > 0 {
		if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
			return Document{}, err
		}
	}
	d := Document{Version: raw.Version}
	for _, s := range stmts {
		st := Statement{Sid: s.Sid, Effect: s.Effect, Action: s.Action, NotAction: s.NotAction,
			Resource: s.Resource, NotResource: s.NotResource}
		var err error
		if st.Principal, err = principal(s.Principal); err != nil {
			return Document{}, err
		}
		if st.NotPrincipal, err = principal(s.NotPrincipal); err != nil {
			return Document{}, err
		}
		if len(s.Condition) > 0 {
			st.Condition = map[string]map[string][]string{}
			for op, kv := range s.Condition {
				st.Condition[op] = map[string][]string{}
				for k, v := range kv {
					st.Condition[op][k] = v
				}
			}
		}
		d.Statement = append(d.Statement, st)
	}
	return d, nil
}

// principal reads "*" or {"Service": "x" | ["x", ...], ...}.
func principal(raw json.RawMessage) (map[string][]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return map[string][]string{"*": {star}}, nil
	}
	var m map[string]stringList
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for k, v := range m {
		out[k] = v
	}
	return out, nil
}

// Equal reports whether two documents grant the same: the same statements, in any order, each
// with the same lists in any order (Sids aside, which name statements without changing them).
func Equal(a, b Document) bool {
	return a.Version == b.Version && reflect.DeepEqual(a.canonical(), b.canonical())
}

// canonical renders each statement with sorted lists (copies: the document is not touched),
// and sorts the statements.
func (d Document) canonical() []string {
	sorted := func(l []string) []string {
		c := append([]string(nil), l...)
		sort.Strings(c)
		return c
	}
	sortedMap := func(m map[string][]string) map[string][]string {
		if m == nil {
			return nil
		}
		c := map[string][]string{}
		for k, v := range m {
			c[k] = sorted(v)
		}
		return c
	}
	out := make([]string, 0, len(d.Statement))
	for _, s := range d.Statement {
		c := Statement{Effect: s.Effect, Action: sorted(s.Action), NotAction: sorted(s.NotAction),
			Resource: sorted(s.Resource), NotResource: sorted(s.NotResource),
			Principal: sortedMap(s.Principal), NotPrincipal: sortedMap(s.NotPrincipal)}
		if s.Condition != nil {
			c.Condition = map[string]map[string][]string{}
			for op, kv := range s.Condition {
				c.Condition[op] = sortedMap(kv)
			}
		}
		b, _ := json.Marshal(c)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// stringList accepts IAM's "one string or a list of strings".
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}
