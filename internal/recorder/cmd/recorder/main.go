// Command recorder is the recording provider (internal/recorder). Install it as
// pulumi-resource-<package> for each package the program uses; it serves the package its own
// name says.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/example/platform/internal/recorder"
)

func main() {
	pkg := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-resource-"), ".exe")
	err := pprovider.Main(pkg, func(host *pprovider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return recorder.New(pkg, host.EngineConn()), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
