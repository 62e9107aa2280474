package dns

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func build(t *testing.T, a *Args) (*planner.Plan, *DNS) {
	t.Helper()
	var d *DNS
	p := plantest.MustRun(t, func(ctx *pulumi.Context) (err error) {
		d, err = New(ctx, "dns", a)
		return err
	})
	return p, d
}

// With a parent zone, the NS record there lists the new zone's name servers; the zone is
// protected and kept, or force-destroyable, as asked.
func TestDelegatedZone(t *testing.T) {
	p, d := build(t, &Args{Domain: "dev.example.org", ParentZoneID: "ZPARENT", Protect: true})
	zone := plantest.Named(t, p, "aws:route53/zone:Zone", "dns-zone")
	rec := plantest.Named(t, p, "aws:route53/record:Record", "dns-delegation")
	if zone.GetString("name") != "dev.example.org" || !zone.Protect || zone.Get("forceDestroy") != false {
		t.Errorf("zone = %v (protect %v)", zone.Inputs, zone.Protect)
	}
	if rec.GetString("zoneId") != "ZPARENT" || rec.GetString("type") != "NS" || rec.Get("ttl") != float64(DelegationTTL) ||
		!plantest.Contains(rec.PropertyDependencies["records"], zone.URN) {
		t.Errorf("delegation record = %v (deps %v)", rec.Inputs, rec.PropertyDependencies)
	}
	if len(p.Resources) != 3 {
		t.Errorf("%d resources, want the component, the zone and the record", len(p.Resources))
	}
	if h := d.Handle(); h.Domain != "dev.example.org" {
		t.Errorf("handle domain = %q", h.Domain)
	}
}

// Without a parent zone nothing is written outside the stack's zone, and the output says
// what to do by hand.
func TestManualDelegation(t *testing.T) {
	p, _ := build(t, &Args{Domain: "dev.example.org", ForceDestroy: true})
	if n := len(p.OfType("aws:route53/record:Record")); n != 0 {
		t.Errorf("%d records without a parent zone", n)
	}
	zone := plantest.Named(t, p, "aws:route53/zone:Zone", "dns-zone")
	if zone.Get("forceDestroy") != true || zone.Protect {
		t.Errorf("zone = %v (protect %v)", zone.Inputs, zone.Protect)
	}
}

func TestRefusesNoDomain(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "dns", &Args{})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Domain is required") || len(p.Resources) != 0 {
		t.Errorf("err = %v, %d resources", err, len(p.Resources))
	}
}
