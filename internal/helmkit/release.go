package helmkit

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReleaseType is the Pulumi type of a Helm release.
const ReleaseType = "kubernetes:helm.sh/v3:Release"

// HelmRelease is a kubernetes:helm.sh/v3:Release, registered exactly as pulumi-kubernetes'
// helm/v3.NewRelease registers it (the same type, inputs, "compat" flag and plugin version
// option). That Go package is not imported: it also holds the deprecated helm/v3.Chart,
// which imports every Kubernetes API group of the SDK, and linking those costs about ten
// seconds per test binary that installs a chart (see README, "Tests"). The program reads no
// output of a release, so none is declared.
type HelmRelease struct {
	pulumi.CustomResourceState
	// Role is the release's Pod Identity role (nil without an identity).
	Role *iam.Role
}

func newHelmRelease(ctx *pulumi.Context, name string, args pulumi.Map, opts ...pulumi.ResourceOption) (*HelmRelease, error) {
	in := pulumi.Map{"compat": pulumi.String("true")}
	for k, v := range args {
		in[k] = v
	}
	var r HelmRelease
	if err := ctx.RegisterResource(ReleaseType, name, in, &r, utilities.PkgResourceDefaultOpts(opts)...); err != nil {
		return nil, err
	}
	return &r, nil
}
