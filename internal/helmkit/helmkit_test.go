package helmkit

import (
	"reflect"
	"testing"

	"github.com/example/platform/internal/contract"
)

func TestPodIdentityTrust(t *testing.T) {
	doc := PodIdentityTrust(contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}, "platform-dev")
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	s := doc.Statement[0]
	if !reflect.DeepEqual(s.Principal, map[string][]string{"Service": {"pods.eks.amazonaws.com"}}) ||
		!reflect.DeepEqual(s.Action, []string{"sts:AssumeRole", "sts:TagSession"}) ||
		!reflect.DeepEqual(s.Condition["StringEquals"]["aws:SourceAccount"], []string{"111122223333"}) ||
		!reflect.DeepEqual(s.Condition["ArnEquals"]["aws:SourceArn"], []string{"arn:aws:eks:eu-north-1:111122223333:cluster/platform-dev"}) {
		t.Errorf("trust = %s", doc.JSON())
	}
}

func TestMergeValues(t *testing.T) {
	base := map[string]any{"a": 1, "nested": map[string]any{"keep": true, "change": "old"}, "list": []any{1}}
	extra := map[string]any{"nested": map[string]any{"change": "new", "add": 2}, "list": []any{2, 3}, "b": "x"}
	got := MergeValues(base, extra)
	want := map[string]any{"a": 1, "b": "x", "list": []any{2, 3},
		"nested": map[string]any{"keep": true, "change": "new", "add": 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MergeValues = %v, want %v", got, want)
	}
	if base["nested"].(map[string]any)["change"] != "old" {
		t.Error("MergeValues changed its input")
	}
}
