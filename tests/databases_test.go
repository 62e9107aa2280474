package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// databasePlan is the stack's plan with payments' database "ledger" (dev has it already; prod
// gets the same entry), so both environments' settings are read from the real program.
func databasePlan(t *testing.T, stack string) *plan {
	t.Helper()
	if stack == "dev" {
		return stackPlan(t, "dev")
	}
	in := stackInput(t, stack)
	edit(kTeams, "0.databases", []any{map[string]any{"name": "ledger", "storageGiB": 100}})(t, in.Config)
	edit(kTeams, "0.databaseSlot", 0)(t, in.Config)
	p, err := runNoPanic(t, in)
	if err != nil {
		t.Fatal(err)
	}
	return &plan{Plan: p}
}

func TestDatabasesPerEnvironment(t *testing.T) {
	for _, tt := range []struct {
		stack                               string
		class                               string
		storage, backups                    float64
		multiAZ, protected, deletionProtect bool
	}{
		{"dev", "db.t4g.micro", 20, 1, false, false, false},
		{"prod", "db.t4g.medium", 100, 14, true, true, true},
	} {
		t.Run(tt.stack, func(t *testing.T) {
			p := databasePlan(t, tt.stack)
			cluster := "platform-" + tt.stack
			db := p.named(t, "aws:rds/instance:Instance", "databases-payments-ledger")
			in := db.Inputs
			if in["identifier"] != cluster+"-payments-ledger" || in["instanceClass"] != tt.class || in["allocatedStorage"] != tt.storage ||
				in["maxAllocatedStorage"] != 2*tt.storage || in["multiAz"] != tt.multiAZ || in["backupRetentionPeriod"] != tt.backups ||
				in["deletionProtection"] != tt.deletionProtect || db.Protect != tt.protected || in["skipFinalSnapshot"] != !tt.deletionProtect {
				t.Errorf("instance inputs = %v, protect %v", in, db.Protect)
			}
			if tt.stack == "prod" && in["finalSnapshotIdentifier"] != cluster+"-payments-ledger-final" {
				t.Errorf("final snapshot = %v", in["finalSnapshotIdentifier"])
			}
			// No password in the program or its state: RDS manages it, encrypted with the
			// databases' key, which also encrypts storage and Performance Insights.
			key := p.named(t, typeKey, "databases-key")
			keyArn := "arn:aws:kms:eu-north-1:" + planner.MockAccountID + ":key/" + key.ID
			if in["password"] != nil || in["manageMasterUserPassword"] != true || in["masterUserSecretKmsKeyId"] != keyArn ||
				in["kmsKeyId"] != keyArn || in["storageEncrypted"] != true || in["performanceInsightsKmsKeyId"] != keyArn ||
				in["performanceInsightsEnabled"] != true || in["publiclyAccessible"] != false || in["storageType"] != "gp3" {
				t.Errorf("instance secrets and encryption = %v", in)
			}
			if key.Protect != tt.protected {
				t.Errorf("databases key protect = %v", key.Protect)
			}
			if got := strings.Join(getStrings(db, "enabledCloudwatchLogsExports"), ","); got != "postgresql,upgrade" {
				t.Errorf("log exports = %s", got)
			}
			for _, log := range dbplan.LogExports {
				g := p.named(t, "aws:cloudwatch/logGroup:LogGroup", "databases-payments-ledger-log-"+log)
				if g.Inputs["name"] != "/aws/rds/instance/"+cluster+"-payments-ledger/"+log || !depends(db, g) {
					t.Errorf("log group %s = %v (the instance must wait for it)", log, g.Inputs)
				}
			}
			// TLS required by the parameter group the instance uses.
			pg := p.named(t, "aws:rds/parameterGroup:ParameterGroup", "databases-payments-ledger-params")
			if pg.Inputs["family"] != "postgres17" || !strings.Contains(marshal(t, pg.Inputs["parameters"]), `"name":"rds.force_ssl","value":"1"`) ||
				in["parameterGroupName"] != pg.Outputs["name"] {
				t.Errorf("parameter group = %v, instance uses %v", pg.Inputs, in["parameterGroupName"])
			}
			// In the team's own database subnets' group, behind a group admitting only the
			// nodes on 5432.
			group := p.named(t, "aws:rds/subnetGroup:SubnetGroup", "network-database-payments")
			if in["dbSubnetGroupName"] != group.Outputs["name"] {
				t.Errorf("subnet group = %v", in["dbSubnetGroupName"])
			}
			var ids []string
			for _, s := range p.ofType(typeSubnet) {
				if strings.HasPrefix(s.Name, "network-database-payments-") {
					ids = append(ids, s.ID)
				}
			}
			if got := getStrings(group, "subnetIds"); len(got) != len(ids) || len(ids) < 2 || strings.Join(sorted(got), ",") != strings.Join(sorted(ids), ",") {
				t.Errorf("subnet group subnets %v, database subnets %v", got, ids)
			}
			rt := p.named(t, typeRouteTable, "network-database-rt")
			if routes, _ := get(rt, "routes").([]any); len(routes) != 0 {
				t.Errorf("database subnets route out of the VPC: %v", routes)
			}
			sg := p.named(t, "aws:ec2/securityGroup:SecurityGroup", "databases-payments-ledger-sg")
			eks := p.named(t, typeEKS, "cluster-eks")
			ingress := marshal(t, sg.Inputs["ingress"])
			if !strings.Contains(ingress, `"fromPort":5432`) || !strings.Contains(ingress, `"toPort":5432`) ||
				!strings.Contains(ingress, `"securityGroups":["`+eks.Outputs["clusterSecurityGroupId"].(string)+`"]`) ||
				strings.Contains(ingress, "cidrBlocks") || sg.Inputs["egress"] != nil {
				t.Errorf("security group ingress %s egress %v", ingress, sg.Inputs["egress"])
			}
			// The team's pods may reach PostgreSQL in the database subnets, nothing more.
			np := p.named(t, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "teams-payments-payments-platform-allow-database")
			egress := marshal(t, get(np, "spec.egress"))
			if !strings.Contains(egress, `"port":5432`) || strings.Count(egress, "ipBlock") != len(ids) {
				t.Errorf("database egress policy = %s", egress)
			}
			// The alarms reach the topic.
			topic := p.named(t, "aws:sns/topic:Topic", "alarms-topic")
			for _, a := range []string{"storage", "connections"} {
				alarm := p.named(t, "aws:cloudwatch/metricAlarm:MetricAlarm", "databases-payments-ledger-alarm-"+a)
				if getStrings(alarm, "alarmActions")[0] != topic.Outputs["arn"] || get(alarm, "dimensions.DBInstanceIdentifier") != in["identifier"] {
					t.Errorf("alarm %s = %v", a, alarm.Inputs)
				}
			}
			// Cost: instance and storage twice with Multi-AZ, backups beyond the free
			// allowance, the managed secret.
			lines := map[string]cost.Line{}
			for _, l := range cost.Estimate(p.Plan).Lines {
				if l.Resource == "databases-payments-ledger" {
					lines[strings.SplitN(l.Item, " (", 2)[0]] = l
				}
			}
			copies := 1.0
			if tt.multiAZ {
				copies = 2
			}
			prices := pricing.Prices["eu-north-1"]
			if l := lines["RDS PostgreSQL "+tt.class]; l.Quantity != 730*copies || l.UnitPrice != prices.RDSPostgresHour[tt.class] {
				t.Errorf("instance line = %+v", l)
			}
			if l := lines["RDS gp3 storage"]; l.Quantity != tt.storage*copies {
				t.Errorf("storage line = %+v", l)
			}
			backup, billed := lines["backups beyond the free allowance"]
			if want := tt.storage * pricing.BackupChangePerDay * (tt.backups - 1); billed != (want > 0) || (billed && backup.Quantity != want) {
				t.Errorf("backup line = %+v, want %.2f GB", backup, want)
			}
			if l := lines["Secrets Manager secret"]; l.Monthly != pricing.SecretsManagerSecretMonth {
				t.Errorf("secret line = %+v", l)
			}
		})
	}
}

func depends(r, on planner.Resource) bool {
	for _, d := range r.Dependencies {
		if d == on.URN {
			return true
		}
	}
	return false
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
