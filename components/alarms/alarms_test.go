package alarms

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/planner/plantest"
)

func TestAlarms(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "alarms", &Args{Cluster: "c1", Email: "oncall@example.org"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	topic, ok := p.Named("aws:sns/topic:Topic", "alarms-topic")
	sub, subscribed := p.Named("aws:sns/topicSubscription:TopicSubscription", "alarms-email")
	if !ok || topic.GetString("name") != "c1-alarms" || !subscribed || sub.GetString("endpoint") != "oncall@example.org" || sub.GetString("protocol") != "email" {
		t.Errorf("topic %v, subscription %v", topic.Inputs, sub.Inputs)
	}
	p, err = plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "alarms", &Args{Cluster: "c1", Email: "on call"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "not an address") || p.Counts()["platform:index:Alarms"] != 0 {
		t.Errorf("bad email: %v", err)
	}
}
