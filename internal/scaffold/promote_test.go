package scaffold

import (
	"strings"
	"testing"
)

func TestSetImageTag(t *testing.T) {
	overlay := "# kept\nimages:\n  - {name: other, newName: r/other, newTag: v1}\n  - {name: api, newName: r/api, newTag: v0.1.0} # the app\npatches: []\n"
	block := "images:\n  - name: api\n    newName: r/api\n    newTag: 'v0.1.0'\n"
	for _, c := range []struct {
		name, in, tag, want string
	}{
		{"flow style", overlay, "abc123", strings.Replace(overlay, "newTag: v0.1.0}", "newTag: abc123}", 1)},
		{"block, quoted", block, "v2", strings.Replace(block, "'v0.1.0'", "v2", 1)},
		{"a tag YAML reads as a number", overlay, "1.10", strings.Replace(overlay, "newTag: v0.1.0}", `newTag: "1.10"}`, 1)},
	} {
		got, err := SetImageTag([]byte(c.in), "api", c.tag)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %q (%v), want %q", c.name, got, err, c.want)
		}
		if tag, err := ImageTagOf(got, "api"); err != nil || tag != c.tag {
			t.Errorf("%s: reads back %q (%v)", c.name, tag, err)
		}
	}
	for _, c := range []struct{ name, in, app, tag, err string }{
		{"no such image", overlay, "nope", "v2", "no image named nope"},
		{"bad tag", overlay, "api", "v2;rm", "is not an image tag"},
		{"bad tag starts with a dot", overlay, "api", ".v2", "is not an image tag"},
		{"no images", "resources: [../../base]\n", "api", "v2", "has no images"},
		{"no tag", "images:\n  - {name: api, newName: r/api}\n", "api", "v2", "has no newTag"},
		{"not YAML", "images: [\n", "api", "v2", "not a kustomization"},
	} {
		if _, err := SetImageTag([]byte(c.in), c.app, c.tag); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.err)
		}
	}
}
