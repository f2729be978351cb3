import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { defaultKeyVaultName } from "../lib/naming";

export interface SampleKeyVaultArgs {
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** The tenant whose identities the vault trusts. */
    tenantId: pulumi.Input<string>;
    /** The deploying subscription, part of the derived vault name. */
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
                    // The shortest retention: a destroyed demo vault frees its name after 7 days (or `az keyvault purge`).
                    softDeleteRetentionInDays: 7,
                    enabledForDeployment: false,
                    enabledForDiskEncryption: false,
                    enabledForTemplateDeployment: false,
                },
            },
            { parent: this },
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
            { parent: this },
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
