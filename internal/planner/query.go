package planner

import (
	"encoding/json"
	"strings"
)

// Queries over a recorded plan, shared by the whole-program tests, the component tests and
// the tools.

// OfType are the plan's resources of one type.
func (p *Plan) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named finds the resource of a type with a logical name.
func (p *Plan) Named(typ, name string) (Resource, bool) {
	for _, r := range p.OfType(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ByURN finds a resource by URN.
func (p *Plan) ByURN(urn string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// ByID finds a resource of a type by its (offline) id.
func (p *Plan) ByID(typ, id string) (Resource, bool) {
	for _, r := range p.OfType(typ) {
		if r.ID == id {
			return r, true
		}
	}
	return Resource{}, false
}

// Counts are the number of resources per type.
func (p *Plan) Counts() map[string]int {
	out := map[string]int{}
	for _, r := range p.Resources {
		out[r.Type]++
	}
	return out
}

// Get reads a value from the resource's inputs by a dotted path ("metadataOptions.httpTokens",
// "routes.0.natGatewayId"); nil when the path does not exist.
func (r Resource) Get(path string) any {
	var cur any = r.Inputs
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[part]
		case []any:
			i := -1
			if err := json.Unmarshal([]byte(part), &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// GetString is Get for a string value ("" otherwise).
func (r Resource) GetString(path string) string {
	s, _ := r.Get(path).(string)
	return s
}
