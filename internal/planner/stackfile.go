package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// LoadStack reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml with Pulumi's own loaders and
// returns the config the Pulumi CLI would pass to the program. Secure values are not
// decrypted (no passphrase or cloud KMS is needed): they read "[secret]".
func LoadStack(dir, stack string) (Input, error) {
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return Input{}, fmt.Errorf("reading Pulumi.yaml: %w", err)
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); err != nil {
		files, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
		var stacks []string
		for _, f := range files {
			stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
		}
		return Input{}, fmt.Errorf("no stack %q: there is no %s; the stacks here are: %s",
			stack, filepath.Base(path), strings.Join(stacks, ", "))
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, project, path)
	if err != nil {
		return Input{}, fmt.Errorf("reading %s: %w", path, err)
	}
	values, err := ps.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return Input{}, fmt.Errorf("reading %s: %w", path, err)
	}
	in := Input{Project: project.Name.String(), Stack: stack, Config: map[string]string{}}
	for k, v := range values {
		in.Config[k.String()] = v
		if ps.Config[k].Secure() {
			in.SecretKeys = append(in.SecretKeys, k.String())
		}
	}
	if err := validateStackConfig(project, stack, in); err != nil {
		return Input{}, err
	}
	// Project-level defaults apply to keys the stack does not set, as the CLI does.
	for k, t := range project.Config {
		key := k
		if !strings.Contains(k, ":") {
			key = project.Name.String() + ":" + k
		}
		if _, set := in.Config[key]; set || t.Default == nil {
			continue
		}
		if s, ok := t.Default.(string); ok {
			in.Config[key] = s
			continue
		}
		b, err := json.Marshal(t.Default)
		if err != nil {
			return Input{}, fmt.Errorf("Pulumi.yaml config %s default: %w", k, err)
		}
		in.Config[key] = string(b)
	}
	sort.Strings(in.SecretKeys)
	return in, nil
}

// validateStackConfig refuses what the Pulumi CLI refuses before the program runs (its
// ValidateStackConfigAndApplyProjectConfig): a key of the project's namespace that Pulumi.yaml
// declares without a default and the stack does not set, a value that is not of its declared
// type, and a value in plain text that Pulumi.yaml declares secret.
func validateStackConfig(project *workspace.Project, stack string, in Input) error {
	name := project.Name.String()
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(project.Config)) {
		t := project.Config[k]
		key := k
		if !strings.Contains(k, ":") {
			key = name + ":" + k
		}
		raw, set := in.Config[key]
		if !strings.HasPrefix(key, name+":") {
			continue
		}
		if !set {
			if t.Default == nil && t.Value == nil {
				missing = append(missing, key)
			}
			continue
		}
		if t.Secret && !slices.Contains(in.SecretKeys, key) {
			return fmt.Errorf("Stack '%s' with configuration key '%s' must be encrypted as it's secret", stack, key)
		}
		if !t.IsExplicitlyTyped() {
			continue
		}
		var value any = raw
		if t.TypeName() == "array" || t.TypeName() == "object" {
			if err := json.Unmarshal([]byte(raw), &value); err != nil {
				value = raw
			}
		}
		if !workspace.ValidateConfigValue(t.TypeName(), t.Items, value) {
			return fmt.Errorf("Stack '%s' with configuration key '%s' must be of type '%s'", stack, key, workspace.InferFullTypeName(t.TypeName(), t.Items))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("Stack '%s' is missing configuration values %s: the Pulumi CLI refuses to run until they are set (or Pulumi.yaml gives them a default)",
			stack, strings.Join(missing, ", "))
	}
	return nil
}

// Substitute stands in for secrets a stack file does not hold yet, so that the offline plan
// runs before they are set: each missing key gets "[secret]" as a secret value and is listed
// in in.Substituted (the plan says how to set it before `pulumi up`).
func Substitute(in *Input, keys ...string) {
	for _, k := range keys {
		if v, ok := in.Config[k]; ok && v != "" {
			continue
		}
		in.Config[k] = Secret
		in.SecretKeys = append(in.SecretKeys, k)
		in.Substituted = append(in.Substituted, k)
	}
	sort.Strings(in.SecretKeys)
}
