package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// previousTeamData reads the teams' data the stack's last deployment exported, through a stack
// reference to the stack itself (a read: nothing is created). It is awaited before any other
// resource is registered, so a refused removal creates nothing. A stack never deployed, or
// deployed before the output existed, has none: nil.
func previousTeamData(ctx *pulumi.Context) (map[string]config.TeamData, error) {
	self := fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), ctx.Stack())
	ref, err := pulumi.NewStackReference(ctx, "last-deployment", &pulumi.StackReferenceArgs{Name: pulumi.String(self)})
	if err != nil {
		return nil, fmt.Errorf("reading the last deployment's outputs (stack reference %s): %w", self, err)
	}
	d, err := ref.GetOutputDetails(contract.OutputTeamData)
	if err != nil {
		return nil, fmt.Errorf("reading the last deployment's %s output (stack reference %s): %w", contract.OutputTeamData, self, err)
	}
	if d.Value == nil {
		return nil, nil
	}
	raw, err := json.Marshal(d.Value)
	if err != nil {
		return nil, err
	}
	var out map[string]config.TeamData
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("the last deployment's %s output is not what this program exports (%v): %s", contract.OutputTeamData, err, raw)
	}
	return out, nil
}

// teamDataOutput is the stack output the next deployment's previousTeamData reads.
func teamDataOutput(cfg *config.Config) pulumi.Map {
	out := pulumi.Map{}
	for name, d := range cfg.TeamData() {
		t := pulumi.Map{"namespaces": pulumi.ToStringArray(d.Namespaces)}
		if len(d.Databases) > 0 {
			t["databases"] = pulumi.ToStringArray(d.Databases)
		}
		if d.StorageQuota != "" {
			t["storageQuota"] = pulumi.String(d.StorageQuota)
		}
		out[name] = t
	}
	return out
}
