// Package chartkeys: Helm ignores a value its chart never reads, silently, so a misspelt or
// moved key is a setting that never happened. ChartKeys is what a pinned chart's values.yaml
// declares, so that a test can refuse values the chart does not know. The lists are generated
// from the pinned charts by ./internal/helmkit/chartkeys (see its doc) and kept in
// tests/testdata/charts. Pure: the generator links no Pulumi or Kubernetes SDK.
package chartkeys

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// KeyKind is what a chart's default value at a path is.
type KeyKind string

const (
	// KindMap has keys of its own: values below it must be among them.
	KindMap KeyKind = "map"
	// KindOpen is an empty map ({}), a null or a scalar the chart passes on as it is
	// (resources, annotations, a spec): anything below it is the user's.
	KindOpen KeyKind = "open"
	// KindList is a list: its items are the user's.
	KindList KeyKind = "list"
)

// ChartKeys maps a key path (JSON array of keys) to its kind.
type ChartKeys map[string]KeyKind

func pathKey(path []string) string {
	b, _ := json.Marshal(path) // a []string always marshals
	return string(b)
}

// KeysOf lists every key path of a values.yaml, below prefix (a subchart's alias).
func KeysOf(valuesYAML []byte, prefix ...string) (ChartKeys, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(valuesYAML, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("values.yaml is not a map")
	}
	out := ChartKeys{}
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch {
		case n.Kind == yaml.MappingNode && len(n.Content) > 0:
			out[pathKey(path)] = KindMap
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(append([]string{}, path...), n.Content[i].Value))
			}
		case n.Kind == yaml.SequenceNode:
			out[pathKey(path)] = KindList
		default:
			out[pathKey(path)] = KindOpen
		}
	}
	walk(doc.Content[0], append([]string{}, prefix...))
	if len(prefix) == 0 {
		delete(out, pathKey(nil))
	}
	return out, nil
}

// Open declares path as read, and everything below it as the user's (a map the chart's
// templates render whole, or a key its values.yaml has only in a comment).
func (k ChartKeys) Open(path ...string) { k[pathKey(path)] = KindOpen }

// Write writes the keys one per line, "<kind> <path>", sorted.
func (k ChartKeys) Write(w io.Writer) error {
	lines := make([]string, 0, len(k))
	for p, kind := range k {
		lines = append(lines, string(kind)+" "+p)
	}
	sort.Strings(lines)
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// ReadChartKeys reads what Write wrote; lines starting with # are comments.
func ReadChartKeys(r io.Reader) (ChartKeys, error) {
	out := ChartKeys{}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, path, ok := strings.Cut(line, " ")
		var p []string
		if !ok || json.Unmarshal([]byte(path), &p) != nil {
			return nil, fmt.Errorf("line %d: want \"<kind> <JSON path>\", got %q", n, line)
		}
		switch KeyKind(kind) {
		case KindMap, KindOpen, KindList:
			out[pathKey(p)] = KeyKind(kind)
		default:
			return nil, fmt.Errorf("line %d: kind %q is not map, open or list", n, kind)
		}
	}
	return out, s.Err()
}

// Unread lists the paths in values that the chart does not declare: below a declared map,
// a key it does not have. Below open values and lists anything goes.
func (k ChartKeys) Unread(values map[string]any) []string {
	var out []string
	var walk func(v map[string]any, path []string)
	walk = func(v map[string]any, path []string) {
		for key, val := range v {
			p := append(append([]string{}, path...), key)
			kind, ok := k[pathKey(p)]
			if !ok {
				out = append(out, strings.Join(p, "."))
				continue
			}
			if m, isMap := val.(map[string]any); isMap && kind == KindMap {
				walk(m, p)
			}
		}
	}
	walk(values, nil)
	sort.Strings(out)
	return out
}
