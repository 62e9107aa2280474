package teamplan

import (
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/iampolicy"
)

// How a team's pods reach the AWS services their policies use. With internet egress, through
// the NAT (and S3 through its gateway endpoint); without it, only through the stack's VPC
// endpoints: an interface endpoint per service (platform:network.endpoints), and S3 at the
// addresses of its gateway endpoint's prefix list, which the team's policy admits.

// serviceEndpoints is the interface endpoint each service is reached through ("" for S3: its
// gateway endpoint; absent: no endpoint the platform offers, so the internet).
var serviceEndpoints = map[string]string{
	"s3": "", "ssm": "ssm", "secretsmanager": "secretsmanager", "logs": "logs", "cloudwatch": "monitoring",
	"ecr": "ecr.api", "kms": "kms", "sts": "sts",
	// IAM database login signs its token locally: no call, no endpoint.
	"rds-db": "",
}

// managedServices are the services each allowed managed policy's actions belong to (its
// document, as AWS publishes it: ../shared/fixtures/iam/aws-managed-policies.txt names them).
var managedServices = map[string][]string{
	"CloudWatchAgentServerPolicy":        {"cloudwatch", "logs", "ssm"},
	"AmazonEC2ContainerRegistryPullOnly": {"ecr"},
	"AmazonEC2ContainerRegistryReadOnly": {"ecr"},
	"AmazonRoute53ReadOnlyAccess":        {"route53"},
}

// AWSReach is what a team's pods need to reach the services of its policies.
type AWSReach struct {
	// Endpoints are the interface endpoints needed, each with the services that need it.
	Endpoints map[string][]string
	// S3 is whether the policies use S3.
	S3 bool
	// InternetOnly are services no endpoint of the platform serves.
	InternetOnly []string
}

// Reach reads the services of a team's policies (its document's actions and its managed
// policies). A document that does not parse reaches nothing: its own check says why.
func Reach(t Team) AWSReach {
	services := map[string]bool{}
	for _, arn := range t.Policies.ManagedPolicyArns {
		for _, s := range managedServices[arn[strings.LastIndex(arn, "/")+1:]] {
			services[s] = true
		}
	}
	if t.Policies.Document != "" {
		if doc, err := iampolicy.Parse([]byte(t.Policies.Document)); err == nil {
			for _, st := range doc.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, a := range st.Action {
					if s, _, ok := strings.Cut(strings.ToLower(a), ":"); ok {
						services[s] = true
					}
				}
			}
		}
	}
	r := AWSReach{Endpoints: map[string][]string{}}
	for _, s := range slices.Sorted(maps.Keys(services)) {
		e, known := serviceEndpoints[s]
		switch {
		case !known:
			r.InternetOnly = append(r.InternetOnly, s)
		case s == "s3":
			r.S3 = true
		case e != "":
			r.Endpoints[e] = append(r.Endpoints[e], s)
		}
	}
	return r
}
