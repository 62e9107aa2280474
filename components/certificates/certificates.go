// Package certificates is the stack's ACM certificate for the domain and *.domain, validated
// through DNS records in the stack's zone.
package certificates

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
)

// Args configures the certificate.
type Args struct {
	// Zone is the stack's zone: its domain is the certificate's primary name (*.domain is
	// always added), and it holds the validation records. Required.
	Zone handle.Zone
	// AdditionalNames are further names inside the domain.
	AdditionalNames []string
	// AlarmTopicArn is notified when the certificate is about to expire (nil: no alarm).
	AlarmTopicArn pulumi.StringInput
	// Cluster names the alarm, "<cluster>-certificate-expiry".
	Cluster string
}

// Certificates is the component.
type Certificates struct {
	pulumi.ResourceState

	// CertificateArn resolves only once ACM has issued the certificate, so whatever uses it
	// (an ALB listener) never gets a pending one.
	CertificateArn pulumi.StringOutput `pulumi:"certificateArn"`
}

func (a *Args) validate() error {
	if a == nil || a.Zone.Domain == "" {
		return errors.New("certificates: Zone is required")
	}
	for _, n := range a.AdditionalNames {
		if ValidationName(n) != a.Zone.Domain && !strings.HasSuffix(ValidationName(n), "."+a.Zone.Domain) {
			return fmt.Errorf("certificates: %q is not inside %s", n, a.Zone.Domain)
		}
	}
	return nil
}

// RecordName is the logical name of the validation record for a name: keyed by the name it
// validates, so adding or reordering additional names never renames (and so replaces) the
// records of the others.
func RecordName(component, validationName string) string {
	return component + "-validation-" + validationName
}

// Names are the certificate's subject alternative names: *.domain, then the additional names,
// without duplicates.
func Names(domain string, additional []string) []string {
	seen := map[string]bool{domain: true}
	var out []string
	for _, n := range append([]string{"*." + domain}, additional...) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// ValidationName is the name whose DNS record validates n: ACM validates "*.x" and "x" with
// the same record.
func ValidationName(n string) string { return strings.TrimPrefix(n, "*.") }

// ValidationNames are the distinct names that need one validation record each, in order.
func ValidationNames(domain string, sans []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range append([]string{domain}, sans...) {
		v := ValidationName(n)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// New requests the certificate, writes its validation records and waits for issuance.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Certificates, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Certificates{}
	if err := ctx.RegisterComponentResource("platform:index:Certificates", name, c, opts...); err != nil {
		return nil, err
	}
	domain := args.Zone.Domain
	sans := Names(domain, args.AdditionalNames)
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:              pulumi.String(domain),
		SubjectAlternativeNames: pulumi.ToStringArray(sans),
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("RSA_2048"),
		Tags:                    pulumi.StringMap{"Name": pulumi.String(domain)},
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	var fqdns pulumi.StringArray
	for i, vn := range ValidationNames(domain, sans) {
		option := cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			for _, o := range opts {
				if o.DomainName != nil && ValidationName(*o.DomainName) == vn {
					return o, nil
				}
			}
			return acm.CertificateDomainValidationOption{}, fmt.Errorf("ACM returned no validation option for %s", vn)
		}).(acm.CertificateDomainValidationOptionOutput)
		rec, err := route53.NewRecord(ctx, RecordName(name, vn), &route53.RecordArgs{
			ZoneId:  args.Zone.ZoneID,
			Name:    option.ResourceRecordName().Elem(),
			Type:    option.ResourceRecordType().Elem(),
			Records: pulumi.StringArray{option.ResourceRecordValue().Elem()},
			Ttl:     pulumi.Int(60),
			// A re-created certificate for the same names reuses the same record names.
			AllowOverwrite: pulumi.Bool(true),
		}, pulumi.Parent(c),
			// Until this change the records were named by their position in the list; the
			// alias adopts them under the new name instead of replacing them.
			pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(fmt.Sprintf("%s-validation-%d", name, i))}}))
		if err != nil {
			return nil, err
		}
		fqdns = append(fqdns, rec.Fqdn)
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-validation", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: fqdns,
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.CertificateArn = validation.CertificateArn
	if a := args.AlarmTopicArn; a != nil {
		// ACM renews a DNS-validated certificate by itself, as long as its validation records
		// resolve. When renewal fails, the days to expiry fall below ACM's 60-day renewal
		// window and keep falling: at 30 someone must look.
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-expiry", &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(args.Cluster + "-certificate-expiry"),
			AlarmDescription:   pulumi.String("The stack's ACM certificate expires in less than 30 days: ACM could not renew it (check its validation records)"),
			Namespace:          pulumi.String("AWS/CertificateManager"),
			MetricName:         pulumi.String("DaysToExpiry"),
			Dimensions:         pulumi.StringMap{"CertificateArn": cert.Arn},
			Statistic:          pulumi.String("Minimum"),
			Period:             pulumi.Int(86400),
			EvaluationPeriods:  pulumi.Int(1),
			ComparisonOperator: pulumi.String("LessThanThreshold"),
			Threshold:          pulumi.Float64(30),
			AlarmActions:       pulumi.Array{a},
			OkActions:          pulumi.Array{a},
		}, pulumi.Parent(c)); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"certificateArn": c.CertificateArn}); err != nil {
		return nil, err
	}
	return c, nil
}

// Handle is what the components built on the certificate need of it.
func (c *Certificates) Handle() handle.Certificate { return handle.Certificate{Arn: c.CertificateArn} }
