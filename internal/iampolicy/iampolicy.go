// Package iampolicy builds IAM policy documents as typed values, so that a policy is data a
// test can compare statement by statement, not a string assembled by hand. It is pure (no
// Pulumi or cloud SDK); internal/pulumix renders a document whose values are outputs.
package iampolicy

import (
	"encoding/json"
)

// Version is the only current IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement. Action and Resource are lists even for one entry, so
// that two documents compare equal however upstream wrote them (see Normalize).
type Statement struct {
	Sid       string                         `json:"Sid,omitempty"`
	Effect    string                         `json:"Effect"`
	Principal map[string][]string            `json:"Principal,omitempty"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource,omitempty"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
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

// Parse reads a policy document as IAM accepts it (Action, Resource and condition values as a
// string or a list; Principal as "*" or a map) into the normalized form.
func Parse(data []byte) (Document, error) {
	var raw struct {
		Version   string `json:"Version"`
		Statement []struct {
			Sid       string                           `json:"Sid"`
			Effect    string                           `json:"Effect"`
			Principal json.RawMessage                  `json:"Principal"`
			Action    stringList                       `json:"Action"`
			Resource  stringList                       `json:"Resource"`
			Condition map[string]map[string]stringList `json:"Condition"`
		} `json:"Statement"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Document{}, err
	}
	d := Document{Version: raw.Version}
	for _, s := range raw.Statement {
		st := Statement{Sid: s.Sid, Effect: s.Effect, Action: s.Action, Resource: s.Resource}
		if len(s.Principal) > 0 {
			st.Principal = map[string][]string{}
			var star string
			if json.Unmarshal(s.Principal, &star) == nil {
				st.Principal["*"] = []string{star}
			} else {
				var m map[string]stringList
				if err := json.Unmarshal(s.Principal, &m); err != nil {
					return Document{}, err
				}
				for k, v := range m {
					st.Principal[k] = v
				}
			}
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
