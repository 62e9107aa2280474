// Package dns is the stack's public Route53 zone, delegated from its parent zone when the
// parent is managed in the same account.
package dns

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
)

// ManualDelegationMessage is the delegation output when no parent zone is configured.
const ManualDelegationMessage = "manual: no platform:dns.parentZoneId is set, so create an NS record for the domain " +
	"in the parent zone with these name servers (see the nameServers output)"

// DelegationTTL is the NS record's TTL in the parent zone. Short, so that a recreated zone (new
// name servers) is reachable again within minutes rather than two days.
const DelegationTTL = 300

// Args configures the zone.
type Args struct {
	// Domain is the zone's name, e.g. dev.example.org. Required.
	Domain string
	// ParentZoneID, when set, gets the NS delegation record.
	ParentZoneID string
	// KeepDelegation leaves the NS record in the parent zone on destroy (prod), and lets a
	// rebuilt stack take the kept record over (allowOverwrite) instead of failing on it.
	KeepDelegation bool
	// ForceDestroy lets `pulumi destroy` delete a zone that still holds records ExternalDNS
	// created (dev). Off in prod, where such records mean something is still in use.
	ForceDestroy bool
	// Protect marks the zone protected, so that `pulumi destroy` refuses to delete it (prod).
	Protect bool
}

// DNS is the component.
type DNS struct {
	pulumi.ResourceState

	ZoneID      pulumi.StringOutput      `pulumi:"zoneId"`
	ZoneArn     pulumi.StringOutput      `pulumi:"zoneArn"`
	NameServers pulumi.StringArrayOutput `pulumi:"nameServers"`
	Domain      pulumi.StringOutput      `pulumi:"domain"`
	// Delegation says how the zone is delegated: "record in parent zone <id>" or the manual step.
	Delegation pulumi.StringOutput `pulumi:"delegation"`
	domain     string
}

// Handle is what the components built on the zone need of it.
func (d *DNS) Handle() handle.Zone { return handle.Zone{Domain: d.domain, ZoneID: d.ZoneID} }

func (a *Args) validate() error {
	if a == nil || a.Domain == "" {
		return errors.New("dns: Domain is required")
	}
	return nil
}

// New creates the zone and, with a parent zone, the delegation record.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*DNS, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	d := &DNS{domain: args.Domain}
	if err := ctx.RegisterComponentResource("platform:index:DNS", name, d, opts...); err != nil {
		return nil, err
	}
	zone, err := route53.NewZone(ctx, name+"-zone", &route53.ZoneArgs{
		Name:         pulumi.String(args.Domain),
		Comment:      pulumi.String("Managed by Pulumi (platform): " + name),
		ForceDestroy: pulumi.Bool(args.ForceDestroy),
	}, pulumi.Parent(d), pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	delegation := pulumi.String(ManualDelegationMessage).ToStringOutput()
	if args.ParentZoneID != "" {
		rec, err := route53.NewRecord(ctx, name+"-delegation", &route53.RecordArgs{
			ZoneId:  pulumi.String(args.ParentZoneID),
			Name:    pulumi.String(args.Domain),
			Type:    pulumi.String("NS"),
			Ttl:     pulumi.Int(DelegationTTL),
			Records: zone.NameServers,
			// A kept record of a destroyed stack is this stack's to take over.
			AllowOverwrite: pulumi.Bool(args.KeepDelegation),
		}, pulumi.Parent(d), pulumi.RetainOnDelete(args.KeepDelegation))
		if err != nil {
			return nil, err
		}
		delegation = rec.Fqdn.ApplyT(func(string) string {
			return "record in parent zone " + args.ParentZoneID
		}).(pulumi.StringOutput)
	}
	d.ZoneID = zone.ZoneId
	d.ZoneArn = zone.Arn
	d.NameServers = zone.NameServers
	d.Domain = zone.Name
	d.Delegation = delegation
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"zoneId":      d.ZoneID,
		"zoneArn":     d.ZoneArn,
		"nameServers": d.NameServers,
		"domain":      d.Domain,
		"delegation":  d.Delegation,
	}); err != nil {
		return nil, err
	}
	return d, nil
}
