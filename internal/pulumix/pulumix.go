// Package pulumix holds the small output helpers the components share.
package pulumix

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
)

// Policy renders an IAM policy document whose values depend on an output (an ARN, a zone id):
// build runs once the value is known, and the policy depends on exactly that output.
func Policy[T any](in pulumi.Output, build func(T) iampolicy.Document) pulumi.StringOutput {
	return in.ApplyT(func(v T) string { return build(v).JSON() }).(pulumi.StringOutput)
}
