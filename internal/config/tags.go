package config

import (
	"encoding/json"
	"fmt"

	"github.com/example/platform/internal/contract"
)

// DefaultTagsKey is the AWS provider's default tags, which every AWS resource it creates
// carries, pulumi-eks's own included.
const DefaultTagsKey = "aws:defaultTags"

// decodeDefaultTags reads aws:defaultTags ({"tags": {...}}, as Pulumi passes it).
func (c *Config) decodeDefaultTags(values map[string]string, errs *Errors) {
	raw, ok := values[DefaultTagsKey]
	if !ok {
		return
	}
	var v struct {
		Tags map[string]string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		errs.add(DefaultTagsKey, "is not an object with a tags map of strings: "+err.Error())
		c.defaultTagsInvalid = true // reported once
		return
	}
	c.DefaultTags = v.Tags
}

// validateDefaultTags requires the stack tag: the platform boundary and the CI role's policy
// let the platform change, delete and (for KMS keys) create only what carries the stack's
// cluster name in contract.StackTag, so without it the first `pulumi up` could create what
// no later one can change.
func (c *Config) validateDefaultTags(errs *Errors) {
	// An invalid cluster name is reported once, under its own key.
	if c.defaultTagsInvalid || len(c.Cluster.Name) > MaxClusterNameLength || !clusterPattern.MatchString(c.Cluster.Name) {
		return
	}
	got, ok := c.DefaultTags[contract.StackTag]
	want := c.Cluster.Name
	switch {
	case !ok:
		errs.add(DefaultTagsKey, fmt.Sprintf("lacks the tag %s: %s; the platform's roles change only AWS resources that carry it (README, \"Permissions boundaries\"); add it under aws:defaultTags.tags in the stack file", contract.StackTag, want))
	case got != want:
		errs.add(DefaultTagsKey+".tags."+contract.StackTag, fmt.Sprintf("is %q, but the cluster is %q (platform:cluster.name); set it to %q", got, want, want))
	}
}
