// The dev scenario from Go: entra-wif's component with the dev stack's config (README, "From other languages").
package main

import (
	entrawif "example.com/pulumi-entra-wif/sdk/go/entra-wif"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		hosting, container, mode, identityType, enabled := "blob", "oidc", "kind", "managedIdentity", true
		rsaBits := 2048
		wif, err := entrawif.NewEntraWorkloadIdentity(ctx, "wif", &entrawif.EntraWorkloadIdentityArgs{
			Location:   "westeurope",
			Issuer:     &entrawif.IssuerSettingsArgs{Hosting: &hosting, ContainerName: &container},
			SigningKey: &entrawif.SigningKeySettingsArgs{RsaBits: &rsaBits},
			Cluster:    &entrawif.ClusterSettingsArgs{Mode: &mode},
			Identity:   &entrawif.IdentitySettingsArgs{Type: &identityType},
			Workloads:  []entrawif.WorkloadSettingsArgs{{Namespace: "demo", ServiceAccount: "workload-sa"}},
			Sample:     &entrawif.SampleSettingsArgs{Enabled: &enabled},
		})
		if err != nil {
			return err
		}
		ctx.Export("issuerUrl", wif.IssuerUrl)
		ctx.Export("kubeApiServerFlags", wif.KubeApiServerFlags)
		return nil
	})
}
