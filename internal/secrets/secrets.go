// Package secrets writes and lists a team's secrets: SecureString parameters under the team's
// path (/<cluster>/teams/<team>/), encrypted with the cluster's secrets key, where the team's
// SecretStores read them (External Secrets). `platform secret set|list` runs it, normally as
// the team's secrets writer role, which may touch that path and nothing else. Values come in
// through a reader, never an argument, and are never printed, logged or returned.
package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/example/platform/internal/contract"
)

// Limits of SSM's standard tier, the tier the command writes (advanced parameters are billed
// per parameter and cannot go back to standard).
const (
	// MaxValueBytes is a standard parameter's largest value.
	MaxValueBytes = 4096
	// MaxNameLength is the longest fully qualified parameter name SSM accepts.
	MaxNameLength = 1011
	// MaxDepth is the most levels a parameter name's hierarchy may have.
	MaxDepth = 15
)

// KeyAlias is the alias of the cluster's secrets key (components/cluster creates it), which
// the parameters are encrypted with: the key the teams' secrets roles may decrypt with.
func KeyAlias(cluster string) string { return "alias/" + cluster + "-eks-secrets" }

var segment = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// ValidateName accepts a parameter name under a team's path: "/"-separated segments of
// letters, digits, '_', '.' and '-', such as an app's key "payments-api/DB_PASSWORD" (the
// scaffold's ExternalSecrets read <app>/<KEY>). No empty segment, no "..": SSM takes a name
// literally, so "../other/x" would not reach another team, but it would read as if it did.
func ValidateName(name string) error {
	const allowed = "segments of letters, digits, '_', '.' and '-' separated by '/', e.g. payments-api/DB_PASSWORD"
	switch {
	case name == "":
		return errors.New("is empty; use " + allowed)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return fmt.Errorf("%q has an empty segment (a leading, trailing or double '/'); it is relative to the team's path; use %s", name, allowed)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q contains \"..\"; use %s", name, allowed)
	}
	for _, s := range strings.Split(name, "/") {
		if s == "." || !segment.MatchString(s) {
			return fmt.Errorf("%q has the segment %q; use %s", name, s, allowed)
		}
	}
	return nil
}

// ParameterName is name's full parameter name on the team's path, checked against SSM's
// limits (its length, its depth).
func ParameterName(cluster, team, name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	full := contract.TeamParameterPath(cluster, team) + name
	if len(full) > MaxNameLength {
		return "", fmt.Errorf("%q is too long: %s is %d characters, SSM allows %d", name, full, len(full), MaxNameLength)
	}
	if depth := strings.Count(full, "/"); depth > MaxDepth {
		return "", fmt.Errorf("%q is too deep: %s has %d levels, SSM allows %d", name, full, depth, MaxDepth)
	}
	return full, nil
}

// ReadValue reads a secret's value until EOF: one trailing newline (as echo or a file ends
// with) is dropped; an empty value, or one longer than a standard parameter holds, is refused.
// An error never quotes the value.
func ReadValue(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxValueBytes+3))
	if err != nil {
		return "", fmt.Errorf("reading the value: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	switch {
	case len(b) == 0:
		return "", errors.New("the value is empty: pipe it on standard input, e.g. `printf %s \"$VALUE\" | platform secret set ...` or `< file`")
	case len(b) > MaxValueBytes:
		return "", fmt.Errorf("the value is longer than %d bytes, the most a standard parameter holds", MaxValueBytes)
	}
	return string(b), nil
}

// API is what the package asks of SSM.
type API interface {
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParametersByPath(context.Context, *ssm.GetParametersByPathInput, ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
}

// Secret is one secret to put.
type Secret struct {
	Cluster, Team, Name string
	Value               string
	// Overwrite replaces an existing parameter; without it an existing one is an error.
	Overwrite bool
}

// ErrExists is returned when the parameter exists and Overwrite is false.
var ErrExists = errors.New("exists")

// Put writes s as a SecureString encrypted with the cluster's secrets key and returns the
// parameter's full name and new version.
func Put(ctx context.Context, api API, s Secret) (string, int64, error) {
	name, err := ParameterName(s.Cluster, s.Team, s.Name)
	if err != nil {
		return "", 0, err
	}
	out, err := api.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(s.Value), Type: ssmtypes.ParameterTypeSecureString,
		KeyId: aws.String(KeyAlias(s.Cluster)), Overwrite: aws.Bool(s.Overwrite), Tier: ssmtypes.ParameterTierStandard,
		Description: aws.String("team " + s.Team + "'s secret, written with platform secret set"),
	})
	var exists *ssmtypes.ParameterAlreadyExists
	if errors.As(err, &exists) {
		return name, 0, fmt.Errorf("%s %w", name, ErrExists)
	}
	if err != nil {
		return name, 0, fmt.Errorf("putting %s: %w", name, err)
	}
	return name, out.Version, nil
}

// Entry is a listed parameter: never its value.
type Entry struct {
	// Name is relative to the team's path, as `secret set` takes it.
	Name         string
	Type         string
	Version      int64
	LastModified time.Time
}

// List returns the team's parameters, by name. It asks without decryption and keeps no value.
func List(ctx context.Context, api API, cluster, team string) ([]Entry, error) {
	path := contract.TeamParameterPath(cluster, team)
	var out []Entry
	var token *string
	for {
		page, err := api.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{
			Path: aws.String(path), Recursive: aws.Bool(true), WithDecryption: aws.Bool(false), NextToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", path, err)
		}
		for _, p := range page.Parameters {
			e := Entry{Name: strings.TrimPrefix(aws.ToString(p.Name), path), Type: string(p.Type), Version: p.Version}
			if p.LastModifiedDate != nil {
				e.LastModified = *p.LastModifiedDate
			}
			out = append(out, e)
		}
		if token = page.NextToken; token == nil || *token == "" {
			break
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
