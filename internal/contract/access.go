package contract

import "fmt"

// Private access through Session Manager (components/access): the names the access component
// creates, the team boundary allows and `platform connect` asks for, stated once.

// AccessTag tags the stack's access instance with its cluster's name: the team boundary lets a
// team's connect role start a session only on an instance that carries it (its own policy
// names the one instance).
const AccessTag = "platform-access"

// KubeDocumentName is the Session document that forwards a local port to the cluster's private
// API endpoint: "<cluster>.kube". SSM document names allow letters, digits, '_', '-' and '.':
// the dots separate the cluster, the team and the database, which are DNS labels and never
// hold one, so no team's prefix is another team's.
func KubeDocumentName(cluster string) string { return cluster + ".kube" }

// DatabaseDocumentName is the Session document that forwards a local port to one team
// database: "<cluster>.<team>.<database>".
func DatabaseDocumentName(cluster, team, database string) string {
	return TeamDocumentPrefix(cluster, team) + database
}

// TeamDocumentPrefix starts every Session document of a team's databases: "<cluster>.<team>.".
// The team boundary allows sessions with these documents only, for the role's team.
func TeamDocumentPrefix(cluster, team string) string { return cluster + "." + team + "." }

// DocumentArn is the ARN of a document of the stack's account and region.
func (a Account) DocumentArn(name string) string {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", a.Partition, a.Region, a.ID, name)
}

// InstanceArn is the ARN of an EC2 instance of the stack's account and region.
func (a Account) InstanceArn(id string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:instance/%s", a.Partition, a.Region, a.ID, id)
}
