// Package teamconfig adds a team to platform:teams in a Pulumi.<stack>.yaml without touching the
// rest of the file: `platform team add` edits files people wrote and commented by hand. It is
// pure (bytes in, bytes out); the command validates the result and writes it.
package teamconfig

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Entry is a new team as it goes into the stack file: only what was given, in the order people
// read a team (every other key takes teamplan.DefaultTeam's value). The YAML names are
// teamplan.Team's JSON names (a test keeps them in step).
type Entry struct {
	Name           string   `yaml:"name"`
	GitHubTeam     string   `yaml:"githubTeam,omitempty"`
	Namespaces     []string `yaml:"namespaces,omitempty"`
	AccessRoleArns []string `yaml:"accessRoleArns,omitempty"`
	Repos          []string `yaml:"repos,omitempty"`
	Images         []string `yaml:"images,omitempty"`
	Ingress        string   `yaml:"ingress,omitempty"`
}

// ExistsError is a team of that name already in the list: Add never replaces one.
type ExistsError struct {
	Key, Team string
	Index     int
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("team %q is already in %s (entry [%d]): an existing team is never replaced (edit it by hand)", e.Team, e.Key, e.Index)
}

// Add appends e to the list at key (e.g. "platform:teams") under the file's config, creating
// the key if the stack sets none, and returns the new file and the entry's index. The rest of
// the file is kept byte for byte when the list is a block sequence (or absent) in a block
// mapping: the entry's lines are spliced in where the list ends. Otherwise (a flow list such
// as `[]`, an empty value) the file is edited as yaml.v3 nodes and re-encoded, which keeps
// comments and order but may change quoting and spacing.
func Add(src []byte, key string, e Entry) ([]byte, int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, 0, fmt.Errorf("not YAML: %w", err)
	}
	if doc.Kind == 0 { // an empty file
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, 0, fmt.Errorf("is not a YAML mapping (a stack file has `config:` at the top)")
	}
	var entry yaml.Node
	if err := entry.Encode(e); err != nil {
		return nil, 0, err
	}
	cfgKey, cfg := lookup(root, "config")
	if cfg == nil {
		cfgKey, cfg = scalar("config"), &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, cfgKey, cfg)
	}
	if cfg.Kind == yaml.ScalarNode && cfg.Tag == "!!null" {
		*cfg = yaml.Node{Kind: yaml.MappingNode, Line: cfg.Line, Column: cfg.Column}
	}
	if cfg.Kind != yaml.MappingNode {
		return nil, 0, fmt.Errorf("config is not a mapping")
	}
	listKey, list := lookup(cfg, key)
	index := 0
	var splice []byte
	switch {
	case list == nil:
		splice = spliceNewKey(src, root, cfgKey, cfg, key, &entry)
		listKey, list = scalar(key), &yaml.Node{Kind: yaml.SequenceNode}
		cfg.Content = append(cfg.Content, listKey, list)
	case list.Kind == yaml.ScalarNode && list.Tag == "!!null":
		*list = yaml.Node{Kind: yaml.SequenceNode, Line: list.Line, Column: list.Column}
	case list.Kind != yaml.SequenceNode:
		return nil, 0, fmt.Errorf("%s is not a list (line %d): each team is one entry of it", key, list.Line)
	default:
		for i, item := range list.Content {
			if _, name := lookup(item, "name"); name != nil && name.Kind == yaml.ScalarNode && name.Value == e.Name {
				return nil, 0, &ExistsError{Key: key, Team: e.Name, Index: i}
			}
		}
		index = len(list.Content)
		splice = spliceAppend(src, root, cfgKey, cfg, listKey, list, &entry)
	}
	list.Content = append(list.Content, &entry)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, 0, err
	}
	if err := enc.Close(); err != nil {
		return nil, 0, err
	}
	// The splice is taken only when it means exactly what the node edit means.
	if splice != nil && sameValue(splice, b.Bytes()) {
		return splice, index, nil
	}
	return b.Bytes(), index, nil
}

// spliceAppend inserts the entry's lines after the last line of a block list, indented as
// its first item is; nil when the list is not laid out that way.
func spliceAppend(src []byte, root, cfgKey, cfg, listKey, list, entry *yaml.Node) []byte {
	if list.Style&yaml.FlowStyle != 0 || cfg.Style&yaml.FlowStyle != 0 || root.Style&yaml.FlowStyle != 0 || len(list.Content) == 0 {
		return nil
	}
	lines := splitLines(src)
	first := list.Content[0]
	if first.Line < 1 || first.Line > len(lines) {
		return nil
	}
	text := lines[first.Line-1]
	dash := len(text) - len(strings.TrimLeft(text, " "))
	if !strings.HasPrefix(text[dash:], "- ") {
		return nil
	}
	end := listEnd(lines, root, cfgKey, cfg, listKey)
	return insert(lines, end, render(entry, dash))
}

// spliceNewKey adds "key:" and the entry at the end of the config mapping, at the column of
// its keys; nil when the mapping is not laid out in blocks.
func spliceNewKey(src []byte, root, cfgKey, cfg *yaml.Node, key string, entry *yaml.Node) []byte {
	if cfg.Style&yaml.FlowStyle != 0 || root.Style&yaml.FlowStyle != 0 || len(cfg.Content) == 0 {
		return nil
	}
	lines := splitLines(src)
	col := cfg.Content[0].Column - 1
	last := cfg.Content[len(cfg.Content)-2]
	end := listEnd(lines, root, cfgKey, cfg, last)
	return insert(lines, end, strings.Repeat(" ", col)+key+":\n"+render(entry, col+2))
}

// listEnd is the index of the line after the value of key (a key of cfg): the line of the next
// key of cfg or of the document, less the blank lines and the comments at or left of that
// key's column before it (they belong to it).
func listEnd(lines []string, root, cfgKey, cfg, key *yaml.Node) int {
	next, limit := followingKey(cfg, key), len(lines)
	if next == nil {
		next = followingKey(root, cfgKey)
	}
	col := 0
	if next != nil {
		limit, col = next.Line-1, next.Column-1
	}
	for limit > 0 {
		t := lines[limit-1]
		trimmed := strings.TrimSpace(t)
		indent := len(t) - len(strings.TrimLeft(t, " "))
		if trimmed == "" || (strings.HasPrefix(trimmed, "#") && indent <= col) {
			limit--
			continue
		}
		break
	}
	return limit
}

// followingKey is the key after key in mapping m, or nil.
func followingKey(m, key *yaml.Node) *yaml.Node {
	for i := 0; i+2 < len(m.Content); i += 2 {
		if m.Content[i] == key {
			return m.Content[i+2]
		}
	}
	return nil
}

// render is the entry as a block list item whose dash is at column dash.
func render(entry *yaml.Node, dash int) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if enc.Encode(entry) != nil || enc.Close() != nil {
		return "" // an entry that does not encode fails the node edit too, which then decides
	}
	var out strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		prefix := strings.Repeat(" ", dash+2)
		if i == 0 {
			prefix = strings.Repeat(" ", dash) + "- "
		}
		out.WriteString(prefix + l + "\n")
	}
	return out.String()
}

// splitLines splits after each newline; a last line without one is kept as is.
func splitLines(src []byte) []string {
	lines := strings.SplitAfter(string(src), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func insert(lines []string, at int, text string) []byte {
	var b strings.Builder
	for _, l := range lines[:at] {
		b.WriteString(l)
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		b.WriteString("\n")
	}
	b.WriteString(text)
	for _, l := range lines[at:] {
		b.WriteString(l)
	}
	return []byte(b.String())
}

func lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// sameValue says whether two YAML documents hold the same data.
func sameValue(a, b []byte) bool {
	var va, vb any
	if yaml.Unmarshal(a, &va) != nil || yaml.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
