package planner

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Answers are what the clouds answer offline: the ids, computed outputs and invoke results the
// plan's mocks give. The recording provider (internal/recorder) answers the real Pulumi engine
// with them, so there is one definition of "what AWS would answer", not two.
type Answers struct{ m *mocks }

// NewAnswers answers for one stack of a project, in region ("" is eu-north-1).
func NewAnswers(project, stack, region string) Answers {
	return Answers{newMocks(project, stack, region)}
}

// Resource answers the creation of a custom resource: its id and its state (the inputs with
// the provider-computed outputs added, secrets kept secret).
func (a Answers) Resource(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	return a.m.NewResource(pulumi.MockResourceArgs{TypeToken: typ, Name: name, Inputs: inputs, Custom: true})
}

// Invoke answers a provider function (getCallerIdentity, getAvailabilityZones, ...).
func (a Answers) Invoke(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	return a.m.Call(pulumi.MockCallArgs{Token: token, Args: args})
}

// EKSCluster is the pulumi-eks cluster component's outputs for a cluster name.
func (a Answers) EKSCluster(name string) (map[string]any, error) { return a.m.eksCluster(name) }
