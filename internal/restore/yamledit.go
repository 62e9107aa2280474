package restore

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrNotSpliceable is a stack file whose team's databases are not a block list the entry's
// lines can be added to as they are (a flow list, no databases key): the entry is then added
// by hand, from the printed YAML.
var ErrNotSpliceable = errors.New("the team's databases are not a block list to add lines to")

// Item is e as a YAML list item whose dash is at column dash.
func Item(e Entry, dash int) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(e); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	var out strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		prefix := strings.Repeat(" ", dash+2)
		if i == 0 {
			prefix = strings.Repeat(" ", dash) + "- "
		}
		out.WriteString(prefix + l + "\n")
	}
	return out.String(), nil
}

// InsertDatabase adds e at the end of key's (e.g. "platform:teams") entry team's databases
// in a stack file, inserting its lines after the list's last line and keeping every other byte.
// The result is checked to mean exactly the file plus the entry.
func InsertDatabase(src []byte, key string, team int, e Entry) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, ErrNotSpliceable
	}
	cfg := lookup(doc.Content[0], "config")
	teams := lookup(cfg, key)
	if teams == nil || teams.Kind != yaml.SequenceNode || team >= len(teams.Content) {
		return nil, fmt.Errorf("%s has no entry [%d]", key, team)
	}
	list := lookup(teams.Content[team], "databases")
	if list == nil || list.Kind != yaml.SequenceNode || list.Style&yaml.FlowStyle != 0 || len(list.Content) == 0 {
		return nil, ErrNotSpliceable
	}
	lines := strings.SplitAfter(string(src), "\n")
	first := list.Content[0]
	if first.Line < 1 || first.Line > len(lines) {
		return nil, ErrNotSpliceable
	}
	text := lines[first.Line-1]
	dash := len(text) - len(strings.TrimLeft(text, " "))
	if !strings.HasPrefix(text[dash:], "- ") {
		return nil, ErrNotSpliceable
	}
	item, err := Item(e, dash)
	if err != nil {
		return nil, err
	}
	end := lastLine(list)
	var b strings.Builder
	for _, l := range lines[:end] {
		b.WriteString(l)
	}
	if !strings.HasSuffix(lines[end-1], "\n") {
		b.WriteString("\n")
	}
	b.WriteString(item)
	for _, l := range lines[end:] {
		b.WriteString(l)
	}
	out := []byte(b.String())
	if !meansPlusEntry(src, out, key, team, e) {
		return nil, ErrNotSpliceable
	}
	return out, nil
}

// lastLine is the last line any node of n is on (1-based).
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// meansPlusEntry: out holds what src holds, with e appended to the team's databases.
func meansPlusEntry(src, out []byte, key string, team int, e Entry) bool {
	var want, got map[string]any
	var entry any
	raw, err := yaml.Marshal(e)
	if err != nil || yaml.Unmarshal(src, &want) != nil || yaml.Unmarshal(out, &got) != nil || yaml.Unmarshal(raw, &entry) != nil {
		return false
	}
	cfg, _ := want["config"].(map[string]any)
	teams, _ := cfg[key].([]any)
	if team >= len(teams) {
		return false
	}
	t, _ := teams[team].(map[string]any)
	dbs, _ := t["databases"].([]any)
	t["databases"] = append(dbs, entry)
	return reflect.DeepEqual(want, got)
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// AppendDatabase is the stack file with e added to the team's databases, re-encoded from
// YAML nodes (quoting and spacing may change): what the config with the entry means, for a
// file InsertDatabase cannot edit line by line. It is judged, never written.
func AppendDatabase(src []byte, key string, team int, e Entry) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	var teams *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		teams = lookup(lookup(doc.Content[0], "config"), key)
	}
	if teams == nil || teams.Kind != yaml.SequenceNode || team >= len(teams.Content) || teams.Content[team].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s has no entry [%d]", key, team)
	}
	var entry yaml.Node
	if err := entry.Encode(e); err != nil {
		return nil, err
	}
	t := teams.Content[team]
	list := lookup(t, "databases")
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		t.Content = append(t.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "databases"}, list)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s[%d].databases is not a list", key, team)
	}
	list.Content = append(list.Content, &entry)
	return yaml.Marshal(&doc)
}
