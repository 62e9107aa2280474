package pricing

import (
	"fmt"
	"time"
)

// EKSCalendarDate is when the calendar below was last read.
const EKSCalendarDate = "2026-11-23"

// EKSVersion is one Kubernetes minor version's life on EKS: standard support for 14 months
// from its EKS release, then 12 months of extended support at EKSExtendedSupportHour, then an
// automatic upgrade by AWS.
type EKSVersion struct {
	Version       string
	Released      string // EKS release, YYYY-MM-DD (UTC)
	EndOfStandard string // first day billed as extended support
	EndOfExtended string // after it, AWS upgrades the control plane itself
}

// EKSCalendar is the EKS Kubernetes release calendar (docs.aws.amazon.com/eks/latest/userguide/
// kubernetes-versions.html, "Amazon EKS Kubernetes release calendar"; 1.35 and 1.36 as listed by
// endoflife.date/amazon-eks from the AWS announcements), read on EKSCalendarDate. Kubernetes
// 1.37 was released upstream on 2026-08-26; its EKS release was not announced in the sources
// read, so it is not listed and config refuses it until it is added here with its dates.
var EKSCalendar = []EKSVersion{
	{"1.29", "2024-01-23", "2025-03-23", "2026-03-23"},
	{"1.30", "2024-05-23", "2025-07-23", "2026-07-23"},
	{"1.31", "2024-09-26", "2025-11-26", "2026-11-26"},
	{"1.32", "2025-01-23", "2026-03-23", "2027-03-23"},
	{"1.33", "2025-05-29", "2026-07-29", "2027-07-29"},
	{"1.34", "2025-10-02", "2026-12-02", "2027-12-02"},
	{"1.35", "2026-01-27", "2027-03-27", "2028-03-27"},
	{"1.36", "2026-06-02", "2027-08-02", "2028-08-02"},
}

// Support is where a version stands on a day.
type Support int

const (
	// Unknown versions are not in the calendar.
	Unknown Support = iota
	// Unreleased versions are in the calendar but not yet on EKS.
	Unreleased
	Standard
	Extended
	// Ended versions are past the end of extended support: EKS no longer creates them.
	Ended
)

func (s Support) String() string {
	return [...]string{"unknown", "unreleased", "standard support", "extended support", "end of support"}[s]
}

// EKSSupport says where version stands on day (UTC dates; a support phase ends at the start of
// its end date, when billing changes).
func EKSSupport(version string, day time.Time) (EKSVersion, Support) {
	for _, v := range EKSCalendar {
		if v.Version != version {
			continue
		}
		d := day.UTC().Format(time.DateOnly)
		switch {
		case d < v.Released:
			return v, Unreleased
		case d < v.EndOfStandard:
			return v, Standard
		case d < v.EndOfExtended:
			return v, Extended
		}
		return v, Ended
	}
	return EKSVersion{}, Unknown
}

// EKSUsable are the versions a new or upgraded cluster may use on day: released and not past
// the end of extended support, oldest first.
func EKSUsable(day time.Time) []string {
	var out []string
	for _, v := range EKSCalendar {
		if _, s := EKSSupport(v.Version, day); s == Standard || s == Extended {
			out = append(out, v.Version)
		}
	}
	return out
}

// MustParseDate reads a date of the compiled-in tables (the calendars, PriceTableDate). A
// malformed one is a programming error, so it panics, as regexp.MustCompile does; the tables'
// tests parse every date they hold (TestCalendarDatesParse), so none reaches a preview.
func MustParseDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(fmt.Sprintf("pricing: bad date %q", s))
	}
	return t
}

// MinorDistance is how many minor versions apart a and b are ("1.35", "1.36" -> 1), and false
// when either is not a 1.x version.
func MinorDistance(a, b string) (int, bool) {
	var am, bm int
	if _, err := fmt.Sscanf(a, "1.%d", &am); err != nil || fmt.Sprintf("1.%d", am) != a {
		return 0, false
	}
	if _, err := fmt.Sscanf(b, "1.%d", &bm); err != nil || fmt.Sprintf("1.%d", bm) != b {
		return 0, false
	}
	return bm - am, true
}
