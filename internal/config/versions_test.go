package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/example/platform/internal/pricing"
)

// Versions are judged on the day config is decoded: refused once EKS no longer offers them,
// allowed with a warning (and the extra cost) in extended support.
func TestKubernetesVersionSupport(t *testing.T) {
	tests := []struct {
		version, day string
		wantErr      string
		wantWarning  string
	}{
		{"1.35", "2026-11-23", "", ""},
		{"1.36", "2026-11-23", "", ""},
		{"1.34", "2026-11-23", "", "1.34 leaves EKS standard support on 2026-12-02 (in 9 days)"},
		{"1.33", "2026-11-23", "", "1.33 is in EKS extended support since 2026-07-29, until 2027-07-29: the control plane costs 0.60 USD an hour (438 USD a month) instead of 0.10"},
		{"1.30", "2026-11-23", `"1.30" is past the end of EKS support: standard support ended 2025-07-23, extended support 2026-07-23`, ""},
		{"1.35", "2028-03-27", `"1.35" is past the end of EKS support`, ""},
		{"1.37", "2026-11-23", `"1.37" is not in the EKS version calendar of 2026-11-23; use one of 1.31, 1.32, 1.33, 1.34, 1.35, 1.36`, ""},
		{"1.36", "2026-05-01", `"1.36" is not released on EKS before 2026-06-02`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version+"@"+tt.day, func(t *testing.T) {
			v := minimal()
			v["platform:cluster"] = `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"],"kubernetesVersion":"` + tt.version + `"}`
			cfg, err := DecodeOn("platform", "live", v, nil, pricing.MustParseDate(tt.day))
			if tt.wantErr != "" {
				var errs Errors
				if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != "platform:cluster.kubernetesVersion" || !strings.Contains(errs[0].Msg, tt.wantErr) {
					t.Fatalf("err = %v, want platform:cluster.kubernetesVersion ... %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			warnings := cfg.versionWarnings()
			if tt.wantWarning == "" {
				if len(warnings) != 0 {
					t.Errorf("warnings = %v", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "platform:cluster.kubernetesVersion ") || !strings.Contains(warnings[0], tt.wantWarning) {
				t.Errorf("warnings = %v, want one containing %q", warnings, tt.wantWarning)
			}
		})
	}
}

// The default is in standard support on the calendar's date, with room to spare.
func TestDefaultKubernetesVersionIsInStandardSupport(t *testing.T) {
	v, support := pricing.EKSSupport(DefaultKubernetesVersion, pricing.MustParseDate(pricing.EKSCalendarDate))
	if support != pricing.Standard {
		t.Fatalf("default %s is %s on %s", DefaultKubernetesVersion, support, pricing.EKSCalendarDate)
	}
	if end := pricing.MustParseDate(v.EndOfStandard); end.Sub(pricing.MustParseDate(pricing.EKSCalendarDate)) < standardSupportNotice {
		t.Errorf("default %s leaves standard support on %s", DefaultKubernetesVersion, v.EndOfStandard)
	}
}
