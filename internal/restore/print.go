package restore

import (
	"fmt"
	"strings"
)

// DBText is what `platform restore db` prints: the entry to add, then the commands that do the
// rest. item is the entry as the stack file gets it; written says --write added it.
func (p DBPlan) DBText(item, stackFile string, written bool) string {
	r, e := p.Request, p.Entry
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	from := "snapshot " + r.Snapshot
	if pit := e.RestoreFrom.PointInTime; pit != nil && pit.Latest {
		from = p.SourceIdentifier + " at its latest restorable time"
	} else if pit != nil {
		from = p.SourceIdentifier + " as of " + pit.Time
	}
	w("Restore of team %s's database %s into a NEW database %s (RDS instance %s) from %s.", r.Team, r.Name, e.Name, p.Identifier, from)
	w("Nothing is run: the restore is the config change below, applied by `pulumi up`. %s stays as it is.", r.Name)
	w("")
	if written {
		w("Added to platform:teams[%d].databases in %s:", p.TeamIndex, stackFile)
	} else {
		w("1. Add to platform:teams[%d].databases (team %s) in %s (or run again with --write):", p.TeamIndex, r.Team, stackFile)
	}
	w("")
	b.WriteString(item)
	w("")
	w("   The stack's config with this entry is valid (checked as `platform plan` checks it).")
	if !p.SourceInConfig {
		w("   %s is not in the config any more: the entry has the environment's defaults. The snapshot's storage", r.Name)
		w("   and version must not exceed them (RDS cannot shrink storage or downgrade); check and raise storageGiB/version:")
		w("     aws rds describe-db-snapshots --region <region> --db-snapshot-identifier %s --query 'DBSnapshots[0].[AllocatedStorage,EngineVersion]'", r.Snapshot)
	} else if r.Snapshot != "" {
		w("   The snapshot's storage and version must not exceed %d GiB and PostgreSQL %s (RDS cannot shrink or downgrade):", e.StorageGiB, e.Version)
		w("     aws rds describe-db-snapshots --db-snapshot-identifier %s --query 'DBSnapshots[0].[AllocatedStorage,EngineVersion,KmsKeyId]'", r.Snapshot)
		w("   A snapshot encrypted with a key the stack no longer has cannot be restored: cancel the old key's deletion first")
		w("   (aws kms cancel-key-deletion --key-id <KmsKeyId>; aws kms enable-key --key-id <KmsKeyId>).")
	}
	w("")
	w("2. Review what is created (a new instance, its security group, parameter group, log groups, alarms and")
	w("   connection Secret; nothing else may change):")
	w("     platform diff --base-ref HEAD --stack %s", r.Stack)
	w("     pulumi preview --stack %s --diff", r.Stack)
	w("")
	w("3. Apply it through a pull request (deploy-dev.yml on main, release.yml for prod), or:")
	w("     pulumi up --stack %s", r.Stack)
	w("   RDS restores into %s (minutes to hours, by size), then applies the entry's settings, and", p.Identifier)
	w("   External Secrets writes Secret %s-postgres in namespace %s (PGDATABASE=%s).", e.Name, e.Namespace, e.DBName)
	w("")
	w("4. Check the data, then switch the app to the new database's Secret: in the GitOps repository,")
	w("     grep -rl '%s-postgres' teams/%s/apps/", r.Name, r.Team)
	w("   and change each secretKeyRef name %s-postgres to %s-postgres (the app's Deployment and its", r.Name, e.Name)
	w("   login Job); commit through a pull request, and Argo CD rolls the app onto %s.", e.Name)
	w("")
	w("5. Retire %s once the app runs on %s: in %s remove restoreFrom from %s (the instance stays:", r.Name, e.Name, stackFile, e.Name)
	w("   the program ignores how an instance was made once it exists; keep dbName) and remove %s's entry.", r.Name)
	if p.Protected {
		w("   In this stack the instance is protected and AWS refuses to delete it; first:")
		w("     pulumi state unprotect --stack %s \"$(pulumi stack --stack %s --show-urns | grep -o 'urn:pulumi:[^ ]*rds/instance:Instance::databases-%s-%s$')\"", r.Stack, r.Stack, r.Team, r.Name)
		w("     aws rds modify-db-instance --db-instance-identifier %s --no-deletion-protection --apply-immediately", p.SourceIdentifier)
		w("   then `pulumi up`: RDS keeps its final snapshot %s-final.", p.SourceIdentifier)
	} else {
		w("   then `pulumi up` deletes it (this stack takes no final snapshot: make one first if in doubt:")
		w("     aws rds create-db-snapshot --db-instance-identifier %s --db-snapshot-identifier %s-retired)", p.SourceIdentifier, p.SourceIdentifier)
	}
	return b.String()
}

// VolumeText is what `platform restore volume` prints: the restore job, the wait, the tags, and
// the PersistentVolume and claim to apply.
func (p VolumePlan) VolumeText() string {
	r := p.Request
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("Restore of recovery point %s into a NEW gp3 volume in %s, claimed as %s/%s.", r.RecoveryPoint, r.AZ, r.Namespace, r.Claim)
	w("Nothing is run: run these with credentials of stack %s's account (region %s).", r.Stack, p.Region)
	w("")
	w("1. Start the restore job (AWS Backup assumes role %s, which may restore the stack's recovery points):", p.RoleName)
	w("     ACCOUNT=$(aws sts get-caller-identity --query Account --output text)")
	w("     JOB=$(aws backup start-restore-job --region %s \\", p.Region)
	w("       --recovery-point-arn %s \\", r.RecoveryPoint)
	w("       --iam-role-arn \"arn:%s:iam::${ACCOUNT}:role/%s\" \\", p.Partition, p.RoleName)
	w("       --resource-type EBS --copy-source-tags-to-restored-resource \\")
	w("       --metadata '%s' \\", p.Metadata())
	w("       --query RestoreJobId --output text)")
	w("   (no kmsKeyId: the volume keeps the recovery point's key, the account's default EBS key the gp3 class uses)")
	w("")
	w("2. Wait for the job and the volume:")
	w("     aws backup describe-restore-job --region %s --restore-job-id \"$JOB\" --query '[Status,StatusMessage]'   # until COMPLETED", p.Region)
	w("     VOLUME_ID=$(aws backup describe-restore-job --region %s --restore-job-id \"$JOB\" --query CreatedResourceArn --output text | sed 's#.*/##')", p.Region)
	w("     aws ec2 wait volume-available --region %s --volume-ids \"$VOLUME_ID\"", p.Region)
	w("     SIZE_GIB=$(aws ec2 describe-volumes --region %s --volume-ids \"$VOLUME_ID\" --query 'Volumes[0].Size' --output text)", p.Region)
	w("")
	var tags []string
	for _, t := range p.VolumeTags() {
		tags = append(tags, "Key="+t[0]+",Value="+t[1])
	}
	w("3. Tag it so the EBS CSI driver may attach it (its policy acts only on volumes tagged")
	w("   ebs.csi.aws.com/cluster=true), a destroy's sweep finds it, and it is backed up again:")
	w("     aws ec2 create-tags --region %s --resources \"$VOLUME_ID\" --tags %s", p.Region, strings.Join(tags, " "))
	w("")
	w("4. Give it to the namespace: a PersistentVolume bound to the claim %s/%s. A claim of that name must", r.Namespace, r.Claim)
	w("   not exist: stop the workload (e.g. kubectl -n %s scale statefulset <name> --replicas 0) and delete", r.Namespace)
	w("   the old claim first, or pick a new --claim and point the workload at it.")
	if p.PlatformNamespace {
		w("   %s is the platform's: its workloads are Pulumi's (Helm releases); keep the claim's name so the release", r.Namespace)
		w("   finds it, or the next `pulumi up` claims a new empty volume.")
	}
	w("   (at the start of a line, so that the shell fills ${VOLUME_ID} and ${SIZE_GIB} and sees the EOF):")
	w("")
	w("kubectl apply -f - <<EOF")
	size := "${SIZE_GIB}"
	if r.SizeGiB > 0 {
		size = fmt.Sprint(r.SizeGiB)
	}
	b.WriteString(p.Manifests("${VOLUME_ID}", size))
	w("EOF")
	w("")
	w("     kubectl -n %s get pvc %s   # Bound to %s", r.Namespace, r.Claim, p.PVName)
	w("")
	w("5. Start the workload; its pod is scheduled in %s, where the volume is.", r.AZ)
	return b.String()
}
