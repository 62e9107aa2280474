package config

import (
	"fmt"
	"net/url"
	"strings"
)

// HelmConfig is platform:helm: where the charts come from.
type HelmConfig struct {
	// Repository is one chart repository every release takes its chart from instead of the
	// upstream ones: an HTTP(S) Helm repository (index.yaml), or an OCI registry path
	// (oci://<registry>/<path>, each chart at <path>/<name>), holding the pinned charts at their
	// pinned versions (`platform charts mirror` lists them). Default "": upstream.
	Repository string `json:"repository,omitempty"`
}

// validateHelm: a repository is an absolute http(s) or oci URL with a host, and nothing a
// chart reference could not carry (no query, fragment or credentials: those belong in the
// Helm registry login of the deploying identity).
func (c *Config) validateHelm(errs *Errors) {
	const k = Namespace + ":helm.repository"
	r := c.Helm.Repository
	if r == "" {
		return
	}
	u, err := url.Parse(r)
	switch {
	case err != nil:
		errs.add(k, fmt.Sprintf("%q is not a URL: %v; use e.g. https://charts.example.org/ or oci://123456789012.dkr.ecr.eu-north-1.amazonaws.com/helm", r, err))
	case u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "oci":
		errs.add(k, fmt.Sprintf("%q: the scheme must be https, http or oci (a Helm repository or an OCI registry), not %q", r, u.Scheme))
	case u.Host == "":
		errs.add(k, fmt.Sprintf("%q has no host; use e.g. https://charts.example.org/", r))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		errs.add(k, fmt.Sprintf("%q carries credentials, a query or a fragment: give the repository's plain URL (credentials go in the deploying identity's helm registry login)", r))
	case u.Scheme == "http" && c.Environment == EnvProd && !loopback(u.Hostname()):
		errs.add(k, fmt.Sprintf("%q is plain HTTP, which %s refuses: a chart fetched without TLS can be swapped on the way; use https or oci", r, c.env()))
	case u.Scheme == "oci" && strings.HasSuffix(u.Path, "/"):
		errs.add(k, fmt.Sprintf("%q ends with a /: give the registry path without it (charts are <path>/<name>)", r))
	}
}

func loopback(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }
