// Package alarms is the stack's alarm topic: the SNS topic every CloudWatch alarm of the
// platform notifies (the certificate's expiry, the teams' databases), and the on-call
// address subscribed to it. Alerts from inside the cluster go through Alertmanager instead.
package alarms

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
)

// Args configure the topic.
type Args struct {
	// Cluster names the topic, "<cluster>-alarms" (the CI role may manage <cluster>-* topics).
	Cluster string
	// Email is subscribed to the topic ("" = nobody: config warns on every preview).
	Email string
}

// Alarms is the component.
type Alarms struct {
	pulumi.ResourceState

	// TopicArn is what alarms notify.
	TopicArn pulumi.StringOutput `pulumi:"topicArn"`
}

// TopicName is the stack's alarm topic.
func TopicName(cluster string) string { return cluster + "-alarms" }

// New creates the topic and its subscription.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alarms, error) {
	if args == nil || args.Cluster == "" {
		return nil, errors.New("alarms: Cluster is required")
	}
	if args.Email != "" {
		if !contract.IsEmailAddress(args.Email) {
			return nil, errors.New("alarms: Email is not an address")
		}
	}
	c := &Alarms{}
	if err := ctx.RegisterComponentResource("platform:index:Alarms", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		Name:        pulumi.String(TopicName(args.Cluster)),
		DisplayName: pulumi.String(args.Cluster + " alarms"),
	}, parent)
	if err != nil {
		return nil, err
	}
	if args.Email != "" {
		// AWS mails a confirmation link; the subscription delivers once it is clicked.
		if _, err := sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(args.Email),
		}, parent); err != nil {
			return nil, err
		}
	}
	c.TopicArn = topic.Arn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"topicArn": c.TopicArn}); err != nil {
		return nil, err
	}
	return c, nil
}
