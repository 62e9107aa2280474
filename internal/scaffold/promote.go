package scaffold

import (
	"bytes"
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Promotion moves an app's image tag between its overlays: the tag is all an overlay says
// about which build runs, so copying dev's tag into prod's overlay promotes that build, and
// only that app. The edit changes the tag's characters in place, so the commit's diff is one
// line and everything else in the file (comments, the team's own patches) is left as it was.

// OverlayPath is an app's overlay of a stack in the GitOps repository.
func OverlayPath(team, app, stack string) string {
	return "teams/" + team + "/apps/" + app + "/overlays/" + stack + "/kustomization.yaml"
}

// imageTag is Docker's tag grammar.
var imageTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// ValidTag says whether tag is an image tag.
func ValidTag(tag string) bool { return imageTag.MatchString(tag) }

// ImageTagOf is the newTag of the overlay's image named app (the scaffold names the image
// after the app, and CI's tag bump keeps that name).
func ImageTagOf(overlay []byte, app string) (string, error) {
	n, err := tagNode(overlay, app)
	if err != nil {
		return "", err
	}
	return n.Value, nil
}

// SetImageTag returns the overlay with the image's newTag set to tag, and nothing else changed.
func SetImageTag(overlay []byte, app, tag string) ([]byte, error) {
	if !ValidTag(tag) {
		return nil, fmt.Errorf("%q is not an image tag (A-Z, a-z, 0-9, _, . and -, at most 128, not starting with . or -)", tag)
	}
	n, err := tagNode(overlay, app)
	if err != nil {
		return nil, err
	}
	start, end, err := tokenSpan(overlay, n)
	if err != nil {
		return nil, err
	}
	out := append(append(append([]byte{}, overlay[:start]...), scalar(tag)...), overlay[end:]...)
	if got, err := ImageTagOf(out, app); err != nil || got != tag {
		return nil, fmt.Errorf("setting the tag would not leave a readable overlay (read back %q: %v); edit it by hand", got, err)
	}
	return out, nil
}

// tagNode finds images[name == app].newTag.
func tagNode(overlay []byte, app string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(overlay, &doc); err != nil {
		return nil, fmt.Errorf("not a kustomization: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a kustomization: no mapping")
	}
	images := value(doc.Content[0], "images")
	if images == nil || images.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("has no images: list; the promotion moves the image tag of %s", app)
	}
	for _, img := range images.Content {
		if name := value(img, "name"); name != nil && name.Value == app {
			tag := value(img, "newTag")
			if tag == nil || tag.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("its image %s has no newTag", app)
			}
			return tag, nil
		}
	}
	return nil, fmt.Errorf("has no image named %s under images:", app)
}

func value(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// tokenSpan is the byte range of the scalar's token in the source: plain, single- or
// double-quoted on one line (a tag never needs more).
func tokenSpan(src []byte, n *yaml.Node) (int, int, error) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if n.Line < 1 || n.Line > len(lines) {
		return 0, 0, fmt.Errorf("newTag's position is outside the file")
	}
	off := 0
	for _, l := range lines[:n.Line-1] {
		off += len(l)
	}
	line := lines[n.Line-1]
	start := n.Column - 1
	if start < 0 || start >= len(line) {
		return 0, 0, fmt.Errorf("newTag's position is outside its line")
	}
	rest := line[start:]
	var length int
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := rest[0]
		end := bytes.IndexByte(rest[1:], q)
		if end < 0 {
			return 0, 0, fmt.Errorf("newTag's quoted value spans lines; edit it by hand")
		}
		length = end + 2
	default:
		if !bytes.HasPrefix(rest, []byte(n.Value)) {
			return 0, 0, fmt.Errorf("newTag's value is not where the parser put it; edit it by hand")
		}
		length = len(n.Value)
	}
	return off + start, off + start + length, nil
}

// scalar writes a tag plain unless YAML would read it as something else than a string
// (1.10 as a number, true as a boolean): kustomize needs a string.
func scalar(tag string) string {
	var v any
	if err := yaml.Unmarshal([]byte(tag), &v); err == nil {
		if s, ok := v.(string); ok && s == tag {
			return tag
		}
	}
	return `"` + tag + `"`
}

// ValidAppName says whether name is an application's name (App.Validate's rule for --name).
func ValidAppName(name string) bool { return dnsLabel.MatchString(name) && len(name) <= 40 }
