package chartkeys

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestChartKeys(t *testing.T) {
	values := []byte(`
image: {repository: x, tag: ""}
resources: {}
extraArgs: []
podAnnotations:
nested:
  deeper: {a: 1}
`)
	keys, err := KeysOf(values, "sub")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := keys.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadChartKeys(strings.NewReader("# comment\n" + buf.String()))
	if err != nil || !reflect.DeepEqual(back, keys) {
		t.Fatalf("round trip: %v\n%s", err, buf.String())
	}
	for path, want := range map[string]KeyKind{
		`["sub"]`: KindMap, `["sub","image"]`: KindMap, `["sub","image","tag"]`: KindOpen, `["sub","resources"]`: KindOpen,
		`["sub","extraArgs"]`: KindList, `["sub","podAnnotations"]`: KindOpen, `["sub","nested","deeper","a"]`: KindOpen,
	} {
		if keys[path] != want {
			t.Errorf("%s: %q, want %q", path, keys[path], want)
		}
	}
	unread := keys.Unread(map[string]any{"sub": map[string]any{
		"image":     map[string]any{"repository": "y", "digest": "z"},
		"resources": map[string]any{"limits": map[string]any{"cpu": 1}},
		"nested":    map[string]any{"deeper": map[string]any{"b": 1}},
		"extraArgs": []any{"--x"},
	}, "other": 1})
	if strings.Join(unread, " ") != "other sub.image.digest sub.nested.deeper.b" {
		t.Errorf("unread %v", unread)
	}
	keys.Open("sub", "nested", "deeper")
	if u := keys.Unread(map[string]any{"sub": map[string]any{"nested": map[string]any{"deeper": map[string]any{"b": 1}}}}); len(u) != 0 {
		t.Errorf("opened, still unread: %v", u)
	}
	if _, err := ReadChartKeys(strings.NewReader("closed [\"a\"]\n")); err == nil {
		t.Error("an unknown kind is accepted")
	}
	if _, err := KeysOf([]byte("- a\n")); err == nil {
		t.Error("a values.yaml that is a list is accepted")
	}
}
