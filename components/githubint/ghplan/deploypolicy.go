package ghplan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// Scope is what the deploy policy narrows its statements to: the stack's account, region,
// cluster name (which prefixes its buckets, parameters, log groups, roles, and is the value of
// its resources' contract.StackTag) and zones.
type Scope struct {
	Account contract.Account
	Cluster string
	// ZoneArns are the hosted zones it may change: the stack's own and its parent's.
	ZoneArns []string
	// CIRoleArn is the role this policy is attached to.
	CIRoleArn string
	// VpcArn is the stack's VPC: its default security group, which AWS creates untagged, may be
	// tagged and stripped of its rules (empty: no such statement).
	VpcArn string
	// CopyRegion is platform:backup.copyRegion (empty: none): the one other region where the
	// policy allows anything, and there only the copy vault and its key (copyRegionStatements).
	CopyRegion string
}

// regional services are limited to the stack's region by condition; IAM and Route53 are
// global.
var regional = map[string]bool{"ec2": true, "eks": true, "kms": true, "acm": true, "ssm": true, "logs": true, "ecr": true,
	"rds": true, "sns": true, "cloudwatch": true, "secretsmanager": true, "codebuild": true}

// DeployPolicy is the CI role's policy: DeployPermissions' actions grouped by service and
// narrowed where AWS allows it. IAM, EC2 and KMS, whose writes could reach outside the stack,
// are built by their own functions (iamStatements, ec2Statements, kmsStatements); the
// other services are scoped by the stack's names. The platform boundary the CI role carries
// caps all of it again (components/boundary).
func DeployPolicy(s Scope) iampolicy.Document {
	a := s.Account
	arn := func(service, region, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, region, a.ID, resource)
	}
	byService := map[string][]string{}
	for _, actions := range DeployPermissions {
		for _, action := range actions {
			svc, _, _ := strings.Cut(action, ":")
			byService[svc] = append(byService[svc], action)
		}
	}
	resources := map[string][]string{
		"eks": {arn("eks", a.Region, "cluster/"+s.Cluster), arn("eks", a.Region, "nodegroup/"+s.Cluster+"/*"),
			arn("eks", a.Region, "addon/"+s.Cluster+"/*"), arn("eks", a.Region, "access-entry/"+s.Cluster+"/*"),
			arn("eks", a.Region, "podidentityassociation/"+s.Cluster+"/*")},
		// The stack's parameters, and its Session documents (<cluster>.kube, <cluster>.<team>.<db>).
		"ssm": {arn("ssm", a.Region, "parameter"+contract.ParameterPath(s.Cluster)+"*"), arn("ssm", a.Region, "document/"+s.Cluster+".*")},
		"ecr": {arn("ecr", a.Region, "repository/"+s.Cluster+"/*")},
		// Databases are named <cluster>-<team>-<name>; their groups are named by Pulumi.
		"rds": {arn("rds", a.Region, "db:"+s.Cluster+"-*"), arn("rds", a.Region, "snapshot:"+s.Cluster+"-*"),
			arn("rds", a.Region, "subgrp:*"), arn("rds", a.Region, "pg:*")},
		// RDS names the master secrets it manages rds!db-<uuid>.
		"secretsmanager": {arn("secretsmanager", a.Region, "secret:rds!*")},
		"cloudwatch":     {arn("cloudwatch", a.Region, "alarm:"+s.Cluster+"-*")},
		"sns":            {arn("sns", a.Region, s.Cluster+"-*")},
		"s3":             {fmt.Sprintf("arn:%s:s3:::%s-*", a.Partition, s.Cluster)},
		"logs": {arn("logs", a.Region, "log-group:/aws/eks/"+s.Cluster+"/*"), arn("logs", a.Region, "log-group:/platform/*"),
			arn("logs", a.Region, "log-group:/aws/rds/instance/"+s.Cluster+"-*")},
		"route53": append([]string{fmt.Sprintf("arn:%s:route53:::change/*", a.Partition)}, s.ZoneArns...),
	}
	var stmts []iampolicy.Statement
	for _, svc := range slices.Sorted(maps.Keys(byService)) {
		actions := sortedUnique(byService[svc])
		switch svc {
		case "iam":
			stmts = append(stmts, iamStatements(s, actions)...)
			continue
		case "ec2":
			stmts = append(stmts, ec2Statements(s, actions)...)
			continue
		case "kms":
			stmts = append(stmts, kmsStatements(s, actions)...)
			stmts = append(stmts, copyRegionKMSStatements(s, actions)...)
			continue
		case "backup", "backup-storage":
			stmts = append(stmts, backupStatements(s, svc, actions)...)
			continue
		case "codebuild":
			stmts = append(stmts, codebuildStatements(s, actions)...)
			continue
		}
		var scoped, open []string
		for _, action := range actions {
			if len(resources[svc]) > 0 && !unscoped(action) {
				scoped = append(scoped, action)
			} else {
				open = append(open, action)
			}
		}
		// Sids name the service, so that a statement keeps its name as others come and go.
		sid := strings.ToUpper(svc[:1]) + strings.ReplaceAll(svc[1:], "-", "")
		if len(scoped) > 0 {
			st := iampolicy.Allow(scoped, resources[svc]...)
			st.Sid = sid + "OfTheStack"
			stmts = append(stmts, withRegion(st, svc, a.Region))
		}
		if len(open) > 0 {
			st := iampolicy.Allow(open, "*")
			st.Sid = sid + "Unscoped"
			stmts = append(stmts, withRegion(st, svc, a.Region))
		}
	}
	return iampolicy.New(stmts...)
}

// unscoped are the actions left on "*": listing and describing (several services authorize
// their Describe calls against "*" whatever the reference says), creating a hosted zone or a
// cluster (eks:CreateCluster authorizes against "*"), asking who the caller is. They read, or
// create what the rest then scopes. S3's listings are the exception: they list a bucket's
// objects, and S3 authorizes them against the bucket.
func unscoped(action string) bool {
	_, verb, _ := strings.Cut(action, ":")
	if strings.HasPrefix(action, "s3:") {
		return false
	}
	return strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "List") ||
		action == "sts:GetCallerIdentity" || action == "route53:CreateHostedZone" || action == "eks:CreateCluster"
}

// withRegion limits a statement of a regional service to the stack's region, adding to the
// conditions it has.
func withRegion(st iampolicy.Statement, service, region string) iampolicy.Statement {
	if !regional[service] {
		return st
	}
	if st.Condition == nil {
		st.Condition = map[string]map[string][]string{}
	}
	if st.Condition["StringEquals"] == nil {
		st.Condition["StringEquals"] = map[string][]string{}
	}
	st.Condition["StringEquals"]["aws:RequestedRegion"] = []string{region}
	return st
}

// condition is one operator's condition on one key, the common case.
func condition(op, key string, values ...string) map[string]map[string][]string {
	return map[string]map[string][]string{op: {key: values}}
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
