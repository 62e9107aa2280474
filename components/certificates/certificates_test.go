package certificates

import (
	"reflect"
	"testing"
)

func TestNames(t *testing.T) {
	tests := []struct {
		domain     string
		additional []string
		wantSANs   []string
		wantValid  []string
	}{
		{"dev.example.org", nil, []string{"*.dev.example.org"}, []string{"dev.example.org"}},
		{"prod.example.org", []string{"*.apps.prod.example.org"},
			[]string{"*.prod.example.org", "*.apps.prod.example.org"},
			[]string{"prod.example.org", "apps.prod.example.org"}},
		// duplicates of the domain or the wildcard add nothing
		{"x.example.org", []string{"*.x.example.org", "x.example.org", "a.x.example.org"},
			[]string{"*.x.example.org", "a.x.example.org"},
			[]string{"x.example.org", "a.x.example.org"}},
	}
	for _, tt := range tests {
		sans := Names(tt.domain, tt.additional)
		if !reflect.DeepEqual(sans, tt.wantSANs) {
			t.Errorf("Names(%s, %v) = %v, want %v", tt.domain, tt.additional, sans, tt.wantSANs)
		}
		if got := ValidationNames(tt.domain, sans); !reflect.DeepEqual(got, tt.wantValid) {
			t.Errorf("ValidationNames(%s) = %v, want %v", tt.domain, got, tt.wantValid)
		}
	}
}
