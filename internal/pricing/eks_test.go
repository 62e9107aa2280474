package pricing

import (
	"reflect"
	"testing"
	"time"
)

func TestEKSSupport(t *testing.T) {
	day := func(s string) time.Time { return MustParseDate(s) }
	tests := []struct {
		version, day string
		want         Support
	}{
		{"1.33", "2026-07-28", Standard},
		{"1.33", "2026-07-29", Extended}, // billed as extended from the start of the day
		{"1.33", "2027-07-29", Ended},
		{"1.34", "2026-11-23", Standard},
		{"1.34", "2026-12-02", Extended},
		{"1.35", "2026-11-23", Standard},
		{"1.36", "2026-06-01", Unreleased},
		{"1.36", "2026-11-23", Standard},
		{"1.31", "2026-11-23", Extended},
		{"1.31", "2026-11-26", Ended},
		{"1.37", "2026-11-23", Unknown},
		{"1.30", "2026-11-23", Ended},
		{"1.28", "2026-11-23", Unknown},
	}
	for _, tt := range tests {
		if _, got := EKSSupport(tt.version, day(tt.day)); got != tt.want {
			t.Errorf("EKSSupport(%s, %s) = %s, want %s", tt.version, tt.day, got, tt.want)
		}
	}
	if got := EKSUsable(day("2026-11-23")); !reflect.DeepEqual(got, []string{"1.31", "1.32", "1.33", "1.34", "1.35", "1.36"}) {
		t.Errorf("usable on the calendar's date = %v", got)
	}
	if got := EKSUsable(day("2027-08-01")); !reflect.DeepEqual(got, []string{"1.34", "1.35", "1.36"}) {
		t.Errorf("usable on 2027-08-01 = %v", got)
	}
}

// The calendar keeps EKS's rules: versions in order, 14 months of standard support and 12 of
// extended support (AWS rounds to the day of the month, so months are compared, not days).
func TestEKSCalendarShape(t *testing.T) {
	months := func(a, b string) int {
		x, y := MustParseDate(a), MustParseDate(b)
		return (y.Year()-x.Year())*12 + int(y.Month()-x.Month())
	}
	for i, v := range EKSCalendar {
		if i > 0 {
			if d, ok := MinorDistance(EKSCalendar[i-1].Version, v.Version); !ok || d != 1 {
				t.Errorf("%s follows %s", v.Version, EKSCalendar[i-1].Version)
			}
		}
		if m := months(v.Released, v.EndOfStandard); m != 14 {
			t.Errorf("%s: %d months of standard support", v.Version, m)
		}
		if m := months(v.EndOfStandard, v.EndOfExtended); m != 12 {
			t.Errorf("%s: %d months of extended support", v.Version, m)
		}
	}
	if d, ok := MinorDistance("1.35", "1.37"); !ok || d != 2 {
		t.Errorf("MinorDistance(1.35, 1.37) = %d, %v", d, ok)
	}
	if _, ok := MinorDistance("1.35", "v1.36"); ok {
		t.Error("MinorDistance accepts v1.36")
	}
}

// Every date of the compiled-in tables parses: MustParseDate never panics on them.
func TestCalendarDatesParse(t *testing.T) {
	dates := []string{PriceTableDate, EKSCalendarDate, RDSCalendarDate}
	for _, v := range EKSCalendar {
		dates = append(dates, v.Released, v.EndOfStandard, v.EndOfExtended)
	}
	for _, v := range PostgresCalendar {
		dates = append(dates, v.Released, v.EndOfStandard, v.EndOfExtended)
	}
	for _, d := range dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			t.Errorf("date %q: %v", d, err)
		}
	}
}
