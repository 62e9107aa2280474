package certificates

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
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

func build(t *testing.T, additional ...string) *planner.Plan {
	t.Helper()
	return plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "certs", &Args{
			Zone:            handle.Zone{Domain: "prod.example.org", ZoneID: plantest.Output("ZSTACK")},
			AdditionalNames: additional,
		})
		return err
	})
}

// One validation record per distinct name, named after the name it validates (so adding a
// name renames none), each adopting its old position-based name through an alias; the ARN is
// handed out only through the validation, which waits for every record.
func TestValidationRecords(t *testing.T) {
	p := build(t, "*.apps.prod.example.org")
	cert := plantest.Named(t, p, "aws:acm/certificate:Certificate", "certs-cert")
	validation := plantest.Named(t, p, "aws:acm/certificateValidation:CertificateValidation", "certs-validation")
	var records []string
	for i, name := range []string{"prod.example.org", "apps.prod.example.org"} {
		rec := plantest.Named(t, p, "aws:route53/record:Record", RecordName("certs", name))
		records = append(records, rec.URN)
		oldURN := strings.Replace(rec.URN, "::"+rec.Name, fmt.Sprintf("::certs-validation-%d", i), 1)
		if !plantest.Contains(rec.Aliases, oldURN) {
			t.Errorf("%s: aliases %v, want %s", rec.Name, rec.Aliases, oldURN)
		}
		if rec.GetString("zoneId") != "ZSTACK" || !plantest.Contains(rec.Dependencies, cert.URN) {
			t.Errorf("%s = %v", rec.Name, rec.Inputs)
		}
	}
	if got := validation.PropertyDependencies["validationRecordFqdns"]; len(got) != 2 || !plantest.Contains(got, records[0]) || !plantest.Contains(got, records[1]) {
		t.Errorf("validation waits for %v, want %v", got, records)
	}
}

// A name added before the others keeps their records' names.
func TestAddingANameRenamesNoRecord(t *testing.T) {
	before := build(t, "*.apps.prod.example.org")
	after := build(t, "api.prod.example.org", "*.apps.prod.example.org")
	for _, r := range before.OfType("aws:route53/record:Record") {
		if _, ok := after.ByURN(r.URN); !ok {
			t.Errorf("%s is gone after adding a name", r.Name)
		}
	}
}

func TestRefusesNamesOutsideTheDomain(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "certs", &Args{Zone: handle.Zone{Domain: "prod.example.org", ZoneID: plantest.Output("Z")},
			AdditionalNames: []string{"api.example.com"}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `"api.example.com" is not inside prod.example.org`) || len(p.Resources) != 0 {
		t.Errorf("err = %v, %d resources", err, len(p.Resources))
	}
}
