"""The dev scenario from Python: entra-wif's component with the dev stack's config (README, "From other languages")."""
import pulumi
import pulumi_entra_wif as entra_wif

wif = entra_wif.EntraWorkloadIdentity(
    "wif",
    location="westeurope",
    issuer=entra_wif.IssuerSettingsArgs(hosting="blob", container_name="oidc"),
    signing_key=entra_wif.SigningKeySettingsArgs(rsa_bits=2048),
    cluster=entra_wif.ClusterSettingsArgs(mode="kind"),
    identity=entra_wif.IdentitySettingsArgs(type="managedIdentity"),
    workloads=[entra_wif.WorkloadSettingsArgs(namespace="demo", service_account="workload-sa")],
    sample=entra_wif.SampleSettingsArgs(enabled=True),
)

pulumi.export("issuerUrl", wif.issuer_url)
pulumi.export("kubeApiServerFlags", wif.kube_api_server_flags)
pulumi.export("federatedCredentials", wif.federated_credentials)
