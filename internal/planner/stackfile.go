package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
