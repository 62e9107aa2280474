package pricing

import "time"

// RDSCalendarDate is when the RDS for PostgreSQL calendar below was last read.
const RDSCalendarDate = "2026-11-24"

// PostgresVersion is one PostgreSQL major version's life on RDS: standard support, then RDS
// Extended Support (billed per vCPU-hour, RDSExtendedSupportVCPUHour), then an upgrade RDS
// performs itself.
type PostgresVersion struct {
	Major         string
	Released      string // RDS release, YYYY-MM-DD
	EndOfStandard string // first day billed as extended support
	EndOfExtended string // after it, RDS upgrades the instance itself
}

// PostgresCalendar is RDS's PostgreSQL major-version calendar (docs.aws.amazon.com/AmazonRDS/
// latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html, as endoflife.date/amazon-rds-
// postgresql lists it), read on RDSCalendarDate. RDS still creates instances on a major in
// Extended Support (and bills it); config warns about them and refuses majors past it.
var PostgresCalendar = []PostgresVersion{
	{"11", "2019-03-13", "2024-02-29", "2027-03-31"},
	{"12", "2020-03-31", "2025-02-28", "2028-02-29"},
	{"13", "2021-02-24", "2026-02-28", "2029-02-28"},
	{"14", "2022-02-03", "2027-02-28", "2030-02-28"},
	{"15", "2023-02-27", "2028-02-29", "2031-02-28"},
	{"16", "2023-11-17", "2029-02-28", "2032-02-29"},
	{"17", "2024-11-14", "2030-02-28", "2033-02-28"},
	{"18", "2025-11-14", "2031-02-28", "2034-02-28"},
}

// PostgresSupport says where a PostgreSQL major version stands on RDS on day.
func PostgresSupport(major string, day time.Time) (PostgresVersion, Support) {
	d := day.UTC().Format(time.DateOnly)
	for _, v := range PostgresCalendar {
		if v.Major != major {
			continue
		}
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
	return PostgresVersion{}, Unknown
}

// PostgresUsable are the majors a database may run on day: released and not past the end of
// RDS Extended Support, oldest first.
func PostgresUsable(day time.Time) []string {
	var out []string
	for _, v := range PostgresCalendar {
		if _, s := PostgresSupport(v.Major, day); s == Standard || s == Extended {
			out = append(out, v.Major)
		}
	}
	return out
}

// DBClass is an RDS instance class's size.
type DBClass struct {
	VCPU      int
	MemoryGiB float64
}

// DBClasses are the RDS instance classes a team's database may have (Graviton, current
// generation; every one priced in every region of Prices).
var DBClasses = map[string]DBClass{
	"db.t4g.micro": {2, 1}, "db.t4g.small": {2, 2}, "db.t4g.medium": {2, 4}, "db.t4g.large": {2, 8},
	"db.m7g.large": {2, 8}, "db.m7g.xlarge": {4, 16}, "db.r7g.large": {2, 16}, "db.r7g.xlarge": {4, 32},
}
