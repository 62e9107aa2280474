package dbplan

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/example/platform/internal/pricing"
)

var day = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func TestResolveAppliesTheEnvironment(t *testing.T) {
	dev := Resolve("platform-dev", "payments", []string{"payments", "payments-jobs"}, Database{Name: "ledger"}, DevSettings)
	if dev.InstanceClass != "db.t4g.micro" || dev.StorageGiB != 20 || dev.Version != DefaultVersion || dev.Namespace != "payments" ||
		dev.Env.MultiAZ || dev.Env.DeletionProtection || dev.Env.FinalSnapshot || dev.Env.BackupRetentionDays != 1 {
		t.Errorf("dev = %+v", dev)
	}
	prod := Resolve("platform-prod", "payments", []string{"payments"}, Database{Name: "ledger", InstanceClass: "db.m7g.large", StorageGiB: 100, Namespace: "payments"}, ProdSettings)
	if prod.InstanceClass != "db.m7g.large" || prod.StorageGiB != 100 || !prod.Env.MultiAZ || !prod.Env.DeletionProtection ||
		!prod.Env.FinalSnapshot || prod.Env.BackupRetentionDays != 14 || prod.Env.ApplyImmediately {
		t.Errorf("prod = %+v", prod)
	}
	if prod.Identifier() != "platform-prod-payments-ledger" || prod.FinalSnapshotIdentifier() != "platform-prod-payments-ledger-final" ||
		prod.Family() != "postgres17" || prod.SecretName() != "ledger-postgres" || prod.MaxAllocatedStorageGiB() != 200 {
		t.Errorf("names: %s %s %s %s %d", prod.Identifier(), prod.FinalSnapshotIdentifier(), prod.Family(), prod.SecretName(), prod.MaxAllocatedStorageGiB())
	}
	if got := Resolve("c", "t", nil, Database{Name: "order-items"}, DevSettings).DBName(); got != "order_items" {
		t.Errorf("DBName = %q: PostgreSQL identifiers take no '-'", got)
	}
	if got := Resolve("c", "t", nil, Database{Name: "x", StorageGiB: 40000}, DevSettings).MaxAllocatedStorageGiB(); got != MaxStorageGiB {
		t.Errorf("autoscaling limit %d past gp3's %d", got, MaxStorageGiB)
	}
	// TLS is required whatever the version's default (rds.force_ssl is 0 before PostgreSQL 15).
	if dev.Parameters()["rds.force_ssl"] != "1" {
		t.Errorf("parameters = %v", dev.Parameters())
	}
}

func TestValidate(t *testing.T) {
	ns := []string{"payments"}
	// 13 + 1 + 8 + 1 + name = 63 with a 40-character name: the longest RDS accepts.
	long := strings.Repeat("a", 63-len("platform-dev-payments-"))
	tests := []struct {
		name     string
		dbs      []Database
		path, in string
	}{
		{"no name", []Database{{}}, ".databases[0].name", "is required"},
		{"underscore", []Database{{Name: "my_db"}}, ".databases[0].name", "a DNS label starting with a letter"},
		{"digit first", []Database{{Name: "1db"}}, ".databases[0].name", "a DNS label starting with a letter"},
		{"double hyphen", []Database{{Name: "a--b"}}, ".databases[0].name", "which RDS refuses"},
		{"duplicate", []Database{{Name: "a"}, {Name: "a"}}, ".databases[1].name", "already the name of databases[0]"},
		{"identifier 64", []Database{{Name: long + "b"}}, ".databases[0].name", "64 characters; RDS allows 63"},
		{"class", []Database{{Name: "a", InstanceClass: "db.x2g.16xlarge"}}, ".databases[0].instanceClass", "use one of db.m7g.large, db.m7g.xlarge"},
		{"storage low", []Database{{Name: "a", StorageGiB: 19}}, ".databases[0].storageGiB", "20 to 65536"},
		{"storage high", []Database{{Name: "a", StorageGiB: 65537}}, ".databases[0].storageGiB", "20 to 65536"},
		{"unknown version", []Database{{Name: "a", Version: "10"}}, ".databases[0].version", "not a PostgreSQL major version RDS offers"},
		{"namespace", []Database{{Name: "a", Namespace: "search"}}, ".databases[0].namespace", "not one of the team's namespaces (payments)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate("platform-dev", "payments", ns, tt.dbs, day, map[string]string{})
			if len(got) != 1 || got[0].Path != tt.path || !strings.Contains(got[0].Msg, tt.in) {
				t.Errorf("problems = %+v, want one at %s containing %q", got, tt.path, tt.in)
			}
		})
	}
	if got := Validate("platform-dev", "payments", ns, []Database{{Name: long, StorageGiB: 20, Version: "16", InstanceClass: "db.r7g.large"}}, day, map[string]string{}); len(got) != 0 {
		t.Errorf("a 63-character identifier and valid settings: %+v", got)
	}
	// Identifiers are unique across teams: the map carries them from one team to the next.
	ids := map[string]string{}
	Validate("c", "a-b", []string{"a-b"}, []Database{{Name: "c"}}, day, ids)
	if got := Validate("c", "a", []string{"a"}, []Database{{Name: "b-c"}}, day, ids); len(got) != 1 || !strings.Contains(got[0].Msg, `team "a-b"'s database "c" already has`) {
		t.Errorf("cross-team collision: %+v", got)
	}
}

func TestVersionsByDay(t *testing.T) {
	tests := []struct {
		major string
		on    time.Time
		want  pricing.Support
	}{
		{"17", day, pricing.Standard},
		{"13", day, pricing.Extended},
		{"18", time.Date(2025, 11, 13, 0, 0, 0, 0, time.UTC), pricing.Unreleased},
		{"18", time.Date(2034, 2, 28, 0, 0, 0, 0, time.UTC), pricing.Ended},
		{"9.6", day, pricing.Unknown},
	}
	for _, tt := range tests {
		if _, got := pricing.PostgresSupport(tt.major, tt.on); got != tt.want {
			t.Errorf("PostgreSQL %s on %s: %v, want %v", tt.major, tt.on.Format(time.DateOnly), got, tt.want)
		}
	}
	// A major past RDS Extended Support is refused, naming the day it ended.
	got := Validate("c", "t", []string{"t"}, []Database{{Name: "a", Version: "12"}}, time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC), map[string]string{})
	if len(got) != 1 || !strings.Contains(got[0].Msg, "left RDS Extended Support on 2028-02-29") {
		t.Errorf("ended: %+v", got)
	}
	for c := range pricing.DBClasses {
		for region, p := range pricing.Prices {
			if p.RDSPostgresHour[c] <= 0 {
				t.Errorf("%s: no price for %s", region, c)
			}
		}
	}
}

func TestAlarms(t *testing.T) {
	i := Resolve("platform-dev", "payments", []string{"payments"}, Database{Name: "ledger"}, DevSettings)
	alarms := Alarms(i)
	if len(alarms) != 2 {
		t.Fatalf("alarms = %+v", alarms)
	}
	// 10% of 20 GiB, in bytes as CloudWatch reports FreeStorageSpace.
	if a := alarms[0]; a.Metric != "FreeStorageSpace" || a.Comparison != "LessThanThreshold" || a.Threshold != 2147483648 {
		t.Errorf("storage alarm = %+v", a)
	}
	// db.t4g.micro: LEAST(1 GiB/9531392, 5000) = 112 connections, 80% = 89.
	if MaxConnections("db.t4g.micro") != 112 || MaxConnections("db.r7g.xlarge") != 3604 {
		t.Errorf("max connections: %d %d", MaxConnections("db.t4g.micro"), MaxConnections("db.r7g.xlarge"))
	}
	if a := alarms[1]; a.Metric != "DatabaseConnections" || a.Comparison != "GreaterThanThreshold" || a.Threshold != 89 {
		t.Errorf("connections alarm = %+v", a)
	}
}

// The connection Secret's template is a Go template (External Secrets renders it with
// text/template and Sprig): rendered with an RDS secret's keys, DATABASE_URL is a URL libpq
// and drivers parse back to the same user and password, whatever characters RDS chose (any
// printable ASCII but '/', '"', '@' and space, RDS's master password rules; urlquery would
// write a space as '+', which userinfo does not decode).
func TestConnectionSecretRenders(t *testing.T) {
	i := Resolve("platform-dev", "payments", []string{"payments"}, Database{Name: "order-items"}, DevSettings)
	spec := ConnectionSecretSpec(i, "arn:aws:secretsmanager:eu-north-1:1:secret:rds!db-1-AbCdEf", "db.example.internal")
	tmpl := spec["target"].(map[string]any)["template"].(map[string]any)
	data := tmpl["data"].(map[string]any)
	secret := map[string]string{"username": "platform_admin", "password": `p#ss:w?rd&%+'x'[]{}=$!^~;,<>|` + "`"}
	render := func(s string) string {
		var b bytes.Buffer
		if err := template.Must(template.New("v").Parse(s)).Execute(&b, secret); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	u, err := url.Parse(render(data["DATABASE_URL"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.User.Username() != "platform_admin" || pw != secret["password"] || u.Host != "db.example.internal:5432" ||
		u.Path != "/order_items" || u.Query().Get("sslmode") != "require" {
		t.Errorf("DATABASE_URL = %s (user %q, password %q)", u, u.User.Username(), pw)
	}
	if render(data["PGPASSWORD"].(string)) != secret["password"] || data["PGDATABASE"] != "order_items" || tmpl["engineVersion"] != "v2" {
		t.Errorf("data = %v", data)
	}
	if ref := spec["dataFrom"].([]any)[0].(map[string]any)["extract"].(map[string]any)["key"]; ref != "arn:aws:secretsmanager:eu-north-1:1:secret:rds!db-1-AbCdEf" {
		t.Errorf("extract key = %v", ref)
	}
	if spec["secretStoreRef"].(map[string]any)["name"] != SecretsManagerStoreName {
		t.Errorf("store = %v", spec["secretStoreRef"])
	}
}
