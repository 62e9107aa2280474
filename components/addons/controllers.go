package addons

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
)

// Service accounts the charts are told to create; Pod Identity binds exactly these.
const (
	LBCServiceAccount             = "aws-load-balancer-controller"
	ExternalDNSServiceAccount     = "external-dns"
	ExternalSecretsServiceAccount = "external-secrets"
	AutoscalerServiceAccount      = "cluster-autoscaler"
	EBSCSIServiceAccount          = "ebs-csi-controller-sa"
)

// GP3StorageClass is the default StorageClass: encrypted gp3 through the EBS CSI driver.
const GP3StorageClass = "gp3"

func (c *Addons) ebsCSI(ctx *pulumi.Context) error {
	name := c.name + "-ebs-csi"
	role, _, err := newIdentity(ctx, c.args.Account, identityArgs{
		name: name, cluster: c.args.ClusterName, clusterName: c.args.ClusterNameOutput,
		namespace: "kube-system", serviceAccount: EBSCSIServiceAccount,
		// V2 acts only on volumes the driver tagged as its own (AWS, April 2026).
		managed: []string{"service-role/AmazonEBSCSIDriverPolicyV2"},
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	// The managed addon binds its own service account to the role.
	addon, err := eks.NewAddon(ctx, name, &eks.AddonArgs{
		ClusterName:              c.args.ClusterNameOutput,
		AddonName:                pulumi.String("aws-ebs-csi-driver"),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		PodIdentityAssociations: eks.AddonPodIdentityAssociationArray{eks.AddonPodIdentityAssociationArgs{
			RoleArn:        role.Arn,
			ServiceAccount: pulumi.String(EBSCSIServiceAccount),
		}},
	}, pulumi.Parent(c), pulumi.DependsOn(append(c.base(), c.args.Nodes...)))
	if err != nil {
		return err
	}
	c.storage, err = storagev1.NewStorageClass(ctx, name+"-gp3", &storagev1.StorageClassArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name: pulumi.String(GP3StorageClass),
			Annotations: pulumi.StringMap{
				"storageclass.kubernetes.io/is-default-class": pulumi.String("true"),
			},
		},
		Provisioner: pulumi.String("ebs.csi.aws.com"),
		Parameters: pulumi.StringMap{
			"type":                      pulumi.String("gp3"),
			"encrypted":                 pulumi.String("true"),
			"csi.storage.k8s.io/fstype": pulumi.String("ext4"),
		},
		// Bind where the pod lands: an EBS volume lives in one AZ.
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, pulumi.Parent(c), pulumi.Provider(c.args.Provider), pulumi.DependsOn([]pulumi.Resource{addon}))
	return err
}

func (c *Addons) loadBalancerController(ctx *pulumi.Context) error {
	doc, err := LoadBalancerControllerPolicy()
	if err != nil {
		return err
	}
	cfg := c.args.Config.LoadBalancerController
	release, err := c.install(ctx, helmAddon{
		key: "aws-load-balancer-controller", namespace: "kube-system",
		chart: Charts.LoadBalancerController, serviceAccount: LBCServiceAccount,
		policy: pulumi.String(doc.JSON()),
		values: LoadBalancerControllerValues(c.args.ClusterName, c.args.Account.Region, c.args.VpcID, cfg.ReplicasFor(c.args.Prod)),
		extra:  cfg.ExtraValues, dependsOn: c.base(),
	})
	c.lbc = release
	return err
}

func (c *Addons) externalDNS(ctx *pulumi.Context) error {
	cfg := c.args.Config.ExternalDNS
	policy := c.args.ZoneID.ToStringOutput().ApplyT(func(zone string) string {
		return ExternalDNSPolicy(c.args.Account.Partition, zone).JSON()
	}).(pulumi.StringOutput)
	_, err := c.install(ctx, helmAddon{
		key: "external-dns", namespace: "external-dns",
		chart: Charts.ExternalDNS, serviceAccount: ExternalDNSServiceAccount, policy: policy,
		values: ExternalDNSValues(c.args.ClusterName, c.args.Account.Region, c.args.Domain, c.args.ZoneID,
			c.externalDNSPolicy()),
		extra: cfg.ExtraValues, dependsOn: c.withLBC(c.base()),
	})
	return err
}

func (c *Addons) externalDNSPolicy() string {
	if p := c.args.Config.ExternalDNS.Policy; p != "" {
		return p
	}
	if c.args.Prod {
		return "upsert-only"
	}
	return "sync"
}

func (c *Addons) externalSecrets(ctx *pulumi.Context) error {
	cfg := c.args.Config.ExternalSecrets
	policy := iampolicy.Output(c.args.PlatformKeyArn.ToStringOutput(), func(key string) iampolicy.Document {
		return ExternalSecretsPolicy(c.args.Account, c.args.ClusterName, key, cfg.SecretsManager)
	})
	release, err := c.install(ctx, helmAddon{
		key: "external-secrets", namespace: "external-secrets",
		chart: Charts.ExternalSecrets, serviceAccount: ExternalSecretsServiceAccount, policy: policy,
		values: ExternalSecretsValues(cfg.ReplicasFor(c.args.Prod)),
		extra:  cfg.ExtraValues, dependsOn: c.withLBC(c.base()),
		// Its CRDs are chart templates: deleting the release deletes every team's
		// ExternalSecret with them.
		protect: c.args.Prod,
	})
	if err != nil {
		return err
	}
	// The stores are custom resources of CRDs the release installs: they wait for it.
	services := []string{"ParameterStore"}
	if cfg.SecretsManager {
		services = append(services, "SecretsManager")
	}
	for _, svc := range services {
		store, err := apiextensions.NewCustomResource(ctx, c.name+"-store-"+StoreName(svc), &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("external-secrets.io/v1"),
			Kind:        pulumi.String("ClusterSecretStore"),
			Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(StoreName(svc))},
			OtherFields: map[string]any{"spec": ClusterSecretStoreSpec(svc, c.args.Account.Region)},
		}, pulumi.Parent(c), pulumi.Provider(c.args.Provider), pulumi.DependsOn([]pulumi.Resource{release}))
		if err != nil {
			return err
		}
		if svc == "ParameterStore" {
			c.ParameterStore = store
		}
	}
	return nil
}

// StoreName is the ClusterSecretStore teams reference for an AWS service.
func StoreName(service string) string {
	if service == "SecretsManager" {
		return "aws-secrets-manager"
	}
	return "aws-parameter-store"
}

// ClusterSecretStoreSpec uses the controller's own Pod Identity credentials (no auth block).
func ClusterSecretStoreSpec(service, region string) map[string]any {
	return map[string]any{"provider": map[string]any{"aws": map[string]any{"service": service, "region": region}}}
}

func (c *Addons) clusterAutoscaler(ctx *pulumi.Context) error {
	cfg := c.args.Config.ClusterAutoscaler
	_, err := c.install(ctx, helmAddon{
		key: "cluster-autoscaler", namespace: "kube-system",
		chart: Charts.ClusterAutoscaler, serviceAccount: AutoscalerServiceAccount,
		policy: pulumi.String(ClusterAutoscalerPolicy(c.args.ClusterName).JSON()),
		values: ClusterAutoscalerValues(c.args.ClusterName, c.args.Account.Region, c.args.KubernetesVersion, cfg.ReplicasFor(c.args.Prod)),
		extra:  cfg.ExtraValues, dependsOn: c.withLBC(c.base()),
	})
	return err
}
