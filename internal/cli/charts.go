package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/example/platform/internal/helmkit"
)

// chartsCmd is `platform charts mirror [--repository URL]`: the charts and versions a mirror
// (platform:helm.repository) must hold, and the Helm commands that copy each from upstream.
func chartsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "mirror" {
		fmt.Fprintln(stderr, "platform charts: use `platform charts mirror [--repository URL]`")
		return 2
	}
	fs := flag.NewFlagSet("charts mirror", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repo := fs.String("repository", "", "the mirror (the stack's platform:helm.repository): oci://<registry>/<path> or an http(s) Helm repository")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return 2
	}
	target := *repo
	if target == "" {
		target = "<platform:helm.repository>"
	}
	fmt.Fprintf(stdout, "Charts to copy into %s (internal/helmkit/charts.go; every stack takes all of them from there):\n", target)
	for _, c := range helmkit.All() {
		fmt.Fprintf(stdout, "  %-30s %-8s from %s\n", c.Name, c.Version, c.Repo)
	}
	fmt.Fprintln(stdout, "\nCommands:")
	oci := strings.HasPrefix(target, "oci://")
	for _, c := range helmkit.All() {
		pull := fmt.Sprintf("helm pull %s --repo %s --version %s", c.Name, c.Repo, c.Version)
		if oci {
			fmt.Fprintf(stdout, "  %s && helm push %s-%s.tgz %s\n", pull, c.Name, c.Version, strings.TrimSuffix(target, "/"))
		} else {
			fmt.Fprintf(stdout, "  %s\n", pull)
		}
	}
	if !oci {
		fmt.Fprintf(stdout, "  helm repo index . --url %s   # then serve this directory at that URL\n", target)
	}
	return 0
}
