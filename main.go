// Command platform-program is the Pulumi program (Pulumi.yaml runs this package): it loads the
// stack's typed config and composes the platform's components for it.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/stacks"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := stacks.Program(ctx)
		return err
	})
}
