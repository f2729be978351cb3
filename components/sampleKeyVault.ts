import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { PURGE_ENV, purgeAfterDeleteScript, purgeBeforeCreateScript } from "../lib/entra/keyVaultPurge";
import { defaultKeyVaultName } from "../lib/entra/naming";

export interface SampleKeyVaultArgs {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** The tenant whose identities the vault trusts. */
    tenantId: pulumi.Input<string>;
    /** The deploying subscription, part of the derived vault name, and where a soft-deleted vault is purged. */
    subscriptionId: pulumi.Input<string>;
    /** Explicit vault name (globally unique); derived from subscription, group and stack when absent. */
    vaultName?: pulumi.Input<string>;
    /** Name of the demo secret. */
    secretName: pulumi.Input<string>;
}

/**
 * The secret the sample workload reads: an RBAC-mode Key Vault (access by role assignment, no access policies)
 * with one demo secret. Who may read it is decided by role assignments on `vaultId`, made by EntraIdentity.
 */
export class SampleKeyVault extends pulumi.ComponentResource {
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** `https://<name>.vault.azure.net/`, the sample pod's KEYVAULT_URL. */
    public readonly vaultUrl: pulumi.Output<string>;
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: SampleKeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:SampleKeyVault", name, {}, opts);

        const project = pulumi.getProject();
        const stack = pulumi.getStack();
        const vaultName =
            args.vaultName !== undefined
                ? pulumi.output(args.vaultName)
                : pulumi
                      .all([args.subscriptionId, args.resourceGroupName])
                      .apply(([subscriptionId, group]) => defaultKeyVaultName(project, stack, subscriptionId, group));

        // Frees the vault's name around a destroy (lib/entra/keyVaultPurge.ts): the vault depends on it, so `pulumi destroy`
        // deletes the vault first and then runs this delete, which purges it; its create purges a leftover first.
        const purge = new command.local.Command(
            `${name}-vault-purge`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: purgeBeforeCreateScript(),
                delete: purgeAfterDeleteScript(),
                environment: {
                    [PURGE_ENV.vaultName]: vaultName,
                    [PURGE_ENV.location]: args.location,
                    [PURGE_ENV.subscription]: args.subscriptionId,
                    [PURGE_ENV.derivedName]: args.vaultName === undefined ? "true" : "false",
                },
                // A new name or place is another vault: purge around that one.
                triggers: [vaultName, args.location],
            },
            { parent: this },
        );

        const vault = new keyvault.Vault(
            `${name}-vault`,
            {
                vaultName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                    // Azure RBAC decides access, so the workload needs a role assignment, not an access policy.
                    enableRbacAuthorization: true,
                    // The shortest retention; the stack purges the vault after deleting it anyway. No purge protection:
                    // it would forbid that purge and hold the name for the whole retention.
                    softDeleteRetentionInDays: 7,
                    enabledForDeployment: false,
                    enabledForDiskEncryption: false,
                    enabledForTemplateDeployment: false,
                },
            },
            { parent: this, dependsOn: [purge] },
        );

        const secret = new keyvault.Secret(
            `${name}-secret`,
            {
                vaultName: vault.name,
                resourceGroupName: args.resourceGroupName,
                secretName: args.secretName,
                properties: {
                    // Demo content, yet kept secret so the habit holds: it never shows in a preview.
                    value: pulumi.secret(pulumi.interpolate`Hello from Key Vault ${vault.name}: read with workload identity, no stored secret.`),
                    contentType: "text/plain",
                },
            },
            {
                parent: this,
                // ARM has no DELETE for vaults/secrets: azure-native deletes a Secret through the Key Vault data plane
                // with the deployer's token (pulumi-azure-native provider/pkg/resources/customresources/custom_keyvault.go),
                // which in an RBAC-mode vault needs a data role the README's rights (Owner, or Contributor and User
                // Access Administrator) do not include. So the secret is never deleted on its own: a destroy deletes it
                // with the vault, and a replacement (a new secretName) leaves the old secret in the vault, which goes
                // with it.
                deletedWith: vault,
                retainOnDelete: true,
            },
        );

        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUrl = vault.properties.apply((p) => p.vaultUri!);
        this.secretName = secret.name;
        this.registerOutputs({
            vaultId: this.vaultId,
            vaultName: this.vaultName,
            vaultUrl: this.vaultUrl,
            secretName: this.secretName,
        });
    }
}
