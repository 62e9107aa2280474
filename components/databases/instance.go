package databases

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/contract"
)

type instanceOut struct {
	db                    *rds.Instance
	outputs               pulumi.Map
	secretArn, connectArn pulumi.StringOutput
}

// instance creates one database: its security group, parameter group, log groups, the RDS
// instance, its alarms and the ExternalSecret that delivers it.
func (b *builder) instance(i dbplan.Instance) (instanceOut, error) {
	a, prefix := b.args, b.name+"-"+i.Key()
	// Only the nodes' security group (pods share it) reaches PostgreSQL, and the Session
	// Manager access instance's where there is one. No egress rule: the database opens no
	// connection of its own.
	ingress := ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(dbplan.Port), ToPort: pulumi.Int(dbplan.Port),
		SecurityGroups: pulumi.StringArray{a.Cluster.NodeSecurityGroupID},
		Description:    pulumi.String("PostgreSQL from the cluster's nodes and pods"),
	}}
	if a.AccessSecurityGroupID != nil {
		ingress = append(ingress, ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(dbplan.Port), ToPort: pulumi.Int(dbplan.Port),
			SecurityGroups: pulumi.StringArray{a.AccessSecurityGroupID},
			Description:    pulumi.String("PostgreSQL from the Session Manager access instance (platform connect db)"),
		})
	}
	sg, err := ec2.NewSecurityGroup(b.ctx, prefix+"-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.Network.VpcID,
		Description: pulumi.String(fmt.Sprintf("PostgreSQL %s: from the cluster's nodes only", i.Identifier())),
		Ingress:     ingress,
		Tags:        pulumi.StringMap{"Name": pulumi.String(i.Identifier())},
	}, b.parent)
	if err != nil {
		return instanceOut{}, err
	}
	var params rds.ParameterGroupParameterArray
	for _, name := range sortedKeys(i.Parameters()) {
		params = append(params, rds.ParameterGroupParameterArgs{Name: pulumi.String(name), Value: pulumi.String(i.Parameters()[name])})
	}
	pg, err := rds.NewParameterGroup(b.ctx, prefix+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(i.Family()),
		Description: pulumi.String(fmt.Sprintf("%s: TLS required", i.Identifier())),
		Parameters:  params,
	}, b.parent)
	if err != nil {
		return instanceOut{}, err
	}
	// RDS creates the log groups it exports to with no retention; created first, they keep it.
	var logs []pulumi.Resource
	for _, log := range dbplan.LogExports {
		group, err := cloudwatch.NewLogGroup(b.ctx, prefix+"-log-"+log, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(i.LogGroup(log)),
			RetentionInDays: pulumi.Int(dbplan.LogRetentionDays),
			KmsKeyId:        b.args.LogsKeyArn,
		}, b.parent)
		if err != nil {
			return instanceOut{}, err
		}
		logs = append(logs, group)
	}
	args := &rds.InstanceArgs{
		Identifier:                   pulumi.String(i.Identifier()),
		Engine:                       pulumi.String("postgres"),
		EngineVersion:                pulumi.String(i.Version),
		AutoMinorVersionUpgrade:      pulumi.Bool(true),
		AllowMajorVersionUpgrade:     pulumi.Bool(true),
		InstanceClass:                pulumi.String(i.InstanceClass),
		AllocatedStorage:             pulumi.Int(i.StorageGiB),
		MaxAllocatedStorage:          pulumi.Int(i.MaxAllocatedStorageGiB()),
		StorageType:                  pulumi.String("gp3"),
		StorageEncrypted:             pulumi.Bool(true),
		KmsKeyId:                     b.key.Arn,
		DbName:                       pulumi.String(i.DBName()),
		Username:                     pulumi.String(dbplan.MasterUsername),
		ManageMasterUserPassword:     pulumi.Bool(true),
		MasterUserSecretKmsKeyId:     b.key.Arn,
		DbSubnetGroupName:            a.Network.DatabaseSubnetGroups[i.Team],
		VpcSecurityGroupIds:          pulumi.StringArray{sg.ID()},
		PubliclyAccessible:           pulumi.Bool(false),
		ParameterGroupName:           pg.Name,
		MultiAz:                      pulumi.Bool(i.Env.MultiAZ),
		BackupRetentionPeriod:        pulumi.Int(i.Env.BackupRetentionDays),
		BackupWindow:                 pulumi.String(dbplan.BackupWindow),
		MaintenanceWindow:            pulumi.String(dbplan.MaintenanceWindow),
		CopyTagsToSnapshot:           pulumi.Bool(true),
		DeletionProtection:           pulumi.Bool(i.Env.DeletionProtection),
		SkipFinalSnapshot:            pulumi.Bool(!i.Env.FinalSnapshot),
		ApplyImmediately:             pulumi.Bool(i.Env.ApplyImmediately),
		EnabledCloudwatchLogsExports: pulumi.ToStringArray(dbplan.LogExports),
		PerformanceInsightsEnabled:   pulumi.Bool(true),
		PerformanceInsightsKmsKeyId:  b.key.Arn,
		// 7 days is Performance Insights' free retention.
		PerformanceInsightsRetentionPeriod: pulumi.Int(dbplan.PerformanceInsightsRetentionDays),
		IamDatabaseAuthenticationEnabled:   pulumi.Bool(i.IAMAuthentication),
		// The backup tag and the stack's select the database for the stack's AWS Backup plan
		// (contract.BackupTag); CopyTagsToSnapshot puts the stack's on its snapshots, which is
		// how the backup role reaches them. Explicit as well as in aws:defaultTags.
		Tags: pulumi.StringMap{"platform.example.org/team": pulumi.String(i.Team),
			contract.BackupTag: pulumi.String(contract.BackupTagValue), contract.StackTag: pulumi.String(a.Cluster.Name)},
	}
	if i.Env.FinalSnapshot {
		args.FinalSnapshotIdentifier = pulumi.String(i.FinalSnapshotIdentifier())
	}
	restoreArgs(args, i)
	// dbplan.RestoreIgnoredInputs says why: how an instance was made is read once.
	db, err := rds.NewInstance(b.ctx, prefix, args, b.parent, pulumi.Protect(a.Protect), pulumi.DependsOn(logs),
		pulumi.IgnoreChanges(dbplan.RestoreIgnoredInputs))
	if err != nil {
		return instanceOut{}, err
	}
	for _, alarm := range dbplan.Alarms(i) {
		if _, err := cloudwatch.NewMetricAlarm(b.ctx, prefix+"-alarm-"+alarm.Suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(i.Identifier() + "-" + alarm.Suffix),
			AlarmDescription:   pulumi.String(alarm.Description),
			Namespace:          pulumi.String("AWS/RDS"),
			MetricName:         pulumi.String(alarm.Metric),
			Dimensions:         pulumi.StringMap{"DBInstanceIdentifier": db.Identifier},
			Statistic:          pulumi.String("Average"),
			Period:             pulumi.Int(300),
			EvaluationPeriods:  pulumi.Int(alarm.Periods),
			DatapointsToAlarm:  pulumi.Int(alarm.Periods),
			ComparisonOperator: pulumi.String(alarm.Comparison),
			Threshold:          pulumi.Float64(alarm.Threshold),
			AlarmActions:       pulumi.Array{a.AlarmTopicArn},
			OkActions:          pulumi.Array{a.AlarmTopicArn},
		}, b.parent); err != nil {
			return instanceOut{}, err
		}
	}
	out := instanceOut{
		db:        db,
		secretArn: db.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem(),
		outputs: pulumi.Map{
			"identifier": db.Identifier, "address": db.Address, "port": db.Port,
			"namespace": pulumi.String(i.Namespace), "secret": pulumi.String(i.SecretName()),
		},
	}
	if i.IAMAuthentication {
		out.connectArn = db.ResourceId.ApplyT(func(id string) string {
			return dbplan.ConnectArn(a.Account.Partition, a.Account.Region, a.Account.ID, id, i.Team)
		}).(pulumi.StringOutput)
	}
	return out, nil
}

// restoreArgs makes args a restore when the database is one. RDS restores the source's
// databases, master user, engine and encryption: the provider sends no database name or master
// user for PostgreSQL and RDS takes no KMS key (the snapshot's or source's stays), so they are
// left out rather than planned as values the instance will not have. The rest (class, storage,
// version, Multi-AZ, backups, subnets, security group, parameters, the managed password, with
// a new secret in Secrets Manager) the provider applies at or right after the restore.
func restoreArgs(args *rds.InstanceArgs, i dbplan.Instance) {
	r := i.RestoreFrom
	if r == nil {
		return
	}
	switch {
	case r.Snapshot != "":
		args.SnapshotIdentifier = pulumi.String(r.Snapshot)
	case r.PointInTime != nil:
		pit := rds.InstanceRestoreToPointInTimeArgs{SourceDbInstanceIdentifier: pulumi.String(i.SourceIdentifier)}
		if r.PointInTime.Latest {
			pit.UseLatestRestorableTime = pulumi.Bool(true)
		} else {
			pit.RestoreTime = pulumi.String(r.PointInTime.RestoreTime())
		}
		args.RestoreToPointInTime = pit
	}
	args.DbName, args.Username, args.KmsKeyId, args.StorageEncrypted = nil, nil, nil, nil
}

// connection is the ExternalSecret that delivers the database to its namespace. It waits for
// the team's policy on the secret: before it, External Secrets would be refused and back off.
func (b *builder) connection(i dbplan.Instance, out instanceOut) error {
	store, err := b.store(i.Team, i.Namespace)
	if err != nil {
		return err
	}
	spec := pulumi.All(out.secretArn, out.db.Address).ApplyT(func(v []any) map[string]any {
		return dbplan.ConnectionSecretSpec(i, v[0].(string), v[1].(string))
	})
	_, err = apiextensions.NewCustomResource(b.ctx, b.name+"-"+i.Key()+"-connection", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("external-secrets.io/v1"),
		Kind:        pulumi.String("ExternalSecret"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(i.SecretName()), Namespace: pulumi.String(i.Namespace)},
		OtherFields: map[string]any{"spec": spec},
	}, b.parent, pulumi.DependsOn(append([]pulumi.Resource{store}, b.policies...)))
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
