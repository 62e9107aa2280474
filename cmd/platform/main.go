// Command platform is the platform program's companion command; internal/cli implements it.
package main

import (
	"os"

	"github.com/example/platform/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
