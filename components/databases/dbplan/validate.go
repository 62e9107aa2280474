package dbplan

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/example/platform/internal/pricing"
)

// Problem is one thing wrong with one database, at Path relative to its team's entry
// (".databases[0].instanceClass").
type Problem struct{ Path, Msg string }

var (
	namePattern = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// identifierPattern is RDS's: a letter first, letters, digits and single hyphens, no
	// trailing hyphen, at most 63 characters.
	identifierPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// MaxIdentifierLength is RDS's limit on an instance identifier.
const MaxIdentifierLength = 63

// Validate judges one team's databases on day. identifiers holds the identifiers of the
// databases judged before (every team's), so two teams cannot collide in RDS either.
func Validate(cluster, team string, namespaces []string, dbs []Database, day time.Time, identifiers map[string]string) []Problem {
	var out []Problem
	add := func(path, format string, a ...any) { out = append(out, Problem{path, fmt.Sprintf(format, a...)}) }
	names := map[string]int{}
	for i, db := range dbs {
		p := fmt.Sprintf(".databases[%d]", i)
		switch {
		case db.Name == "":
			add(p+".name", "is required: a DNS label starting with a letter, e.g. orders")
		case !namePattern.MatchString(db.Name):
			add(p+".name", "%q is not allowed: a DNS label starting with a letter (lowercase letters, digits, '-')", db.Name)
		default:
			if j, dup := names[db.Name]; dup {
				add(p+".name", "%q is already the name of databases[%d]; a team's database names are unique", db.Name, j)
				break
			}
			names[db.Name] = i
			id := Instance{Team: team, Database: db, Cluster: cluster}.Identifier()
			switch {
			case len(id) > MaxIdentifierLength:
				add(p+".name", "%q makes the RDS identifier %q, %d characters; RDS allows %d: shorten the database's (or the team's) name",
					db.Name, id, len(id), MaxIdentifierLength)
			case !identifierPattern.MatchString(id):
				add(p+".name", "%q makes the RDS identifier %q, which RDS refuses (no '--', no trailing '-')", db.Name, id)
			case identifiers[id] != "":
				add(p+".name", "%q makes the RDS identifier %q, which %s already has; pick another name", db.Name, id, identifiers[id])
			default:
				identifiers[id] = fmt.Sprintf("team %q's database %q", team, db.Name)
			}
		}
		if db.InstanceClass != "" {
			if _, ok := pricing.DBClasses[db.InstanceClass]; !ok {
				add(p+".instanceClass", "%q is not an instance class a team's database may have; use one of %s", db.InstanceClass, strings.Join(Classes(), ", "))
			}
		}
		if db.StorageGiB != 0 && (db.StorageGiB < MinStorageGiB || db.StorageGiB > MaxStorageGiB) {
			add(p+".storageGiB", "%d is not allowed: gp3 storage on RDS is %d to %d GiB", db.StorageGiB, MinStorageGiB, MaxStorageGiB)
		}
		if db.Version != "" {
			v, support := pricing.PostgresSupport(db.Version, day)
			usable := strings.Join(pricing.PostgresUsable(day), ", ")
			switch support {
			case pricing.Unknown:
				add(p+".version", "%q is not a PostgreSQL major version RDS offers; use one of %s (a major version, e.g. \"%s\")", db.Version, usable, DefaultVersion)
			case pricing.Unreleased:
				add(p+".version", "PostgreSQL %s is not released on RDS until %s; use one of %s", db.Version, v.Released, usable)
			case pricing.Ended:
				add(p+".version", "PostgreSQL %s left RDS Extended Support on %s: RDS no longer runs it; use one of %s", db.Version, v.EndOfExtended, usable)
			}
		}
		if db.Namespace != "" && !slices.Contains(namespaces, db.Namespace) {
			add(p+".namespace", "%q is not one of the team's namespaces (%s)", db.Namespace, strings.Join(namespaces, ", "))
		}
	}
	return out
}

// Classes are the allowed instance classes, sorted.
func Classes() []string {
	out := make([]string, 0, len(pricing.DBClasses))
	for c := range pricing.DBClasses {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
