import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import { IssuerHosting } from "../lib/config";
import { defaultStorageAccountName } from "../lib/entra/naming";
import { BUILTIN_ROLES, principalTypeOfToken, roleAssignmentName, roleDefinitionId } from "../lib/entra/roles";
import { BLOB_ENDPOINT_TOKEN } from "../lib/entra/cloud";
import { DOCUMENTS_WRITER_ROLE, STATIC_WEBSITE_CONTAINER } from "../lib/trust/issuerDocuments";
import { blobIssuerUrl, buildDiscoveryDocument, discoveryUrl, jwksUrl, serializeDiscoveryDocument, staticWebsiteIssuerUrl } from "../lib/trust/oidc";
import { VERIFY_COMMAND } from "../lib/doctor/gate";
import { Jwks } from "../lib/trust/keys";
import { IssuerDocuments } from "./issuerDocuments";
import { RetiredResource } from "./retiredResource";
import { IssuerCheck } from "./issuerCheck";
import { RETIRED_ISSUER_RESOURCES } from "../lib/trust/retiredResources";

export interface OidcIssuerArgs {
    /** Azure region of the storage account. */
    location: pulumi.Input<string>;
    /** The resource group of the storage account; its plain name seeds the derived account name. */
    resourceGroup: { name: pulumi.Input<string>; plainName: string };
    /**
     * Where the deployer's data-role grant is made when it need not wait for the account: the ARM id of the stack's
     * own resource group, which holds no other storage account. The grant then starts, and spends its minutes of
     * propagation, while the account is still being created. Absent (a group the stack does not own, which may hold
     * other accounts): the documents' container (blob) or account (static website).
     */
    writerGrantScope?: pulumi.Input<string>;
    /** `blob` (a public-read container) or `staticWebsite` (the account's `$web`). Plain: it shapes the graph. */
    hosting: IssuerHosting;
    /**
     * Write the documents with the account's shared key instead of the deployer's Entra token (issuer.sharedKeyAccess).
     * Off by default: the account then refuses shared keys, and the deployer is granted Storage Blob Data Contributor
     * on the documents' container (blob) or account (static website). Plain: it shapes the graph.
     */
    sharedKeyAccess?: boolean;
    /**
     * Who is granted the documents' data role: the object id of the service principal or managed identity that deploys
     * the stack. Whoever runs `pulumi up` (getClientConfig's objectId, its type told from its token) when absent.
     */
    writerObjectId?: pulumi.Input<string>;
    /** Storage account name; derived from subscription, group and stack when absent. */
    storageAccountName?: pulumi.Input<string>;
    /** Container holding the documents in blob hosting. */
    containerName?: pulumi.Input<string>;
    /** The issuer when a custom domain or CDN serves the documents; the storage endpoint's URL otherwise. */
    customUrl?: pulumi.Input<string>;
    /** The JWKS to publish (compact JSON), usually SigningKey.jwks. */
    jwks: pulumi.Input<string>;
    /**
     * When set, `pulumi up` reads the published documents as Entra will (the doctor's endpoint checks, retried while
     * storage propagates) and fails the update if Entra could not; each of these keys must be published.
     * Runs on update only, never on preview. `byPlugin` runs it in the project's own plugin (an IssuerCheck) instead
     * of a Command in the project's folder: for the package's component, whose program's folder holds no doctor.
     */
    verify?: { publicKeyPems: pulumi.Input<string[]>; byPlugin?: boolean };
}

/**
 * The OIDC issuer Entra ID reads: a storage account serving the discovery document and the JWKS anonymously,
 * as application/json, at exactly `<issuer>/.well-known/openid-configuration` and `<issuer>/openid/v1/jwks`.
 */
export class OidcIssuer extends pulumi.ComponentResource {
    /** The issuer URL: the one value the apiserver flag, every token's iss and every federated credential use. */
    public readonly issuerUrl: pulumi.Output<string>;
    public readonly discoveryUrl: pulumi.Output<string>;
    public readonly jwksUrl: pulumi.Output<string>;
    /** The discovery document as published (compact JSON). */
    public readonly discoveryDocument: pulumi.Output<string>;
    /** The JWKS as published (compact JSON). */
    public readonly jwks: pulumi.Output<string>;
    public readonly storageAccountName: pulumi.Output<string>;
    /**
     * The storage URL the documents are written under: the issuer itself, unless a CDN or custom domain serves it
     * (customUrl), whose origin then points here.
     */
    public readonly documentsOriginUrl: pulumi.Output<string>;
    /** The published documents (a dynamic resource writing them in place). */
    public readonly documents: IssuerDocuments;
    /**
     * What the cluster's key change waits for: the documents published and, with verify, read back as Entra reads
     * them. azure-workload-identity's key-rotation guide publishes the new key before the cluster signs with it.
     */
    public readonly published: pulumi.Resource;

    constructor(name: string, args: OidcIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:OidcIssuer", name, {}, opts);

        const project = pulumi.getProject();
        const stack = pulumi.getStack();

        const resourceGroupName = pulumi.output(args.resourceGroup.name);
        const plainGroupName = args.resourceGroup.plainName;

        const client = authorization.getClientConfigOutput({ parent: this });
        const accountName =
            args.storageAccountName !== undefined
                ? pulumi.output(args.storageAccountName)
                : client.subscriptionId.apply((sub) => defaultStorageAccountName(project, stack, sub, plainGroupName));

        const account = new storage.StorageAccount(
            `${name}-account`,
            {
                accountName,
                resourceGroupName,
                location: args.location,
                kind: storage.Kind.StorageV2,
                sku: { name: storage.SkuName.Standard_LRS },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
                // Blob hosting needs anonymous reads of the container; the static website serves anonymously
                // without it, so there it stays off for tenants whose policy forbids public blob access.
                allowBlobPublicAccess: args.hosting === "blob",
                // Off unless asked for: the documents are written with the deployer's Entra token, so the account
                // satisfies the built-in policy "Storage accounts should prevent shared key access"
                // (8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54), which many tenants assign with the Deny effect.
                allowSharedKeyAccess: args.sharedKeyAccess === true,
            },
            { parent: this },
        );

        // Documents written at `publicBaseUrl` (the storage's own URL), and what they go with on a destroy.
        let containerName: pulumi.Output<string>;
        let publicBaseUrl: pulumi.Output<string>;
        let documentsHolder: pulumi.Resource;
        if (args.hosting === "blob") {
            const container = new storage.BlobContainer(
                `${name}-container`,
                {
                    accountName: account.name,
                    resourceGroupName,
                    containerName: args.containerName ?? "oidc",
                    // Anonymous reads of known blob names, no listing.
                    publicAccess: storage.PublicAccess.Blob,
                },
                { parent: this },
            );
            containerName = container.name;
            documentsHolder = container;
            // Known before the account exists: the blob endpoint of azure-native's cloud for this name, from the
            // project's plugin (lib/entra/cloud.ts), and the configured container. The cluster starts from it while
            // the storage is created; the documents' provider refuses to write unless it is the account's own
            // endpoint, so a wrong derivation stops `pulumi up` before anything trusts it.
            const blobEndpoint = accountName.apply(async (accountName) => {
                const answer = (await pulumi.runtime.invoke(BLOB_ENDPOINT_TOKEN, { accountName }, { parent: this })) as { endpoint: string };
                return answer.endpoint;
            });
            publicBaseUrl = pulumi.all([blobEndpoint, args.containerName ?? "oidc"]).apply(([endpoint, container]) => blobIssuerUrl(endpoint, container));
        } else {
            // The website is enabled by the documents resource, in the same code that writes $web, after the
            // deployer's grant and with a bounded wait for it (azure-native's StorageAccountStaticWebsite reads the
            // account with the deployer's Entra token at once, provider/pkg/resources/customresources/
            // custom_storage_azidentity.go, and a fresh grant takes minutes). The website goes with the account on a destroy.
            containerName = pulumi.output(STATIC_WEBSITE_CONTAINER);
            documentsHolder = account;
            publicBaseUrl = account.primaryEndpoints.apply((endpoints) => staticWebsiteIssuerUrl(endpoints.web));
        }
        this.issuerUrl = args.customUrl !== undefined ? pulumi.output(args.customUrl) : publicBaseUrl;

        this.jwks = pulumi.output(args.jwks);
        this.discoveryDocument = pulumi
            .all([this.issuerUrl, this.jwks])
            .apply(([issuer, jwks]) => serializeDiscoveryDocument(buildDiscoveryDocument(issuer, JSON.parse(jwks) as Jwks)));
        this.discoveryUrl = this.issuerUrl.apply(discoveryUrl);
        this.jwksUrl = this.issuerUrl.apply(jwksUrl);

        // Who writes the documents. By default the deployer, with an Entra token, by a data-role grant scoped to what
        // is written (the container, or the account whose $web the website serves); the writer waits, bounded and
        // visibly, for the grant to reach storage. With sharedKeyAccess, the account key instead, read with ARM's
        // listKeys (Contributor and Owner hold listkeys/action) only when something is written: a preview writes
        // nothing, so it asks for no key and needs no right beyond reading.
        let accountKey: pulumi.Output<string> | undefined;
        const writerGrants: pulumi.Resource[] = [];
        if (args.sharedKeyAccess === true) {
            accountKey = pulumi.runtime.isDryRun()
                ? (pulumi.unknown as unknown as pulumi.Output<string>)
                : storage
                      .listStorageAccountKeysOutput({ accountName: account.name, resourceGroupName }, { parent: this })
                      .apply((result) => pulumi.secret(result.keys[0].value));
        } else {
            const grantScope =
                args.writerGrantScope !== undefined
                    ? pulumi.output(args.writerGrantScope)
                    : args.hosting === "blob"
                      ? (documentsHolder as storage.BlobContainer).id
                      : account.id;
            const roleGuid = BUILTIN_ROLES[DOCUMENTS_WRITER_ROLE];
            // The deployer is a user (az login) or a service principal (CI): told from the token azure-native signs in
            // with, which stays in this process (an invoke's result is not kept in the state).
            const writer = args.writerObjectId !== undefined ? pulumi.output(args.writerObjectId) : client.objectId;
            // A named writer is a CI identity: a service principal or managed identity.
            const deployerType =
                args.writerObjectId !== undefined
                    ? pulumi.output("ServicePrincipal")
                    : authorization.getClientTokenOutput({}, { parent: this }).token.apply(principalTypeOfToken);
            writerGrants.push(
                new authorization.RoleAssignment(
                    `${name}-writer-grant`,
                    {
                        scope: grantScope,
                        principalId: writer,
                        principalType: deployerType,
                        roleDefinitionId: client.subscriptionId.apply((subscriptionId) => roleDefinitionId(subscriptionId, roleGuid)),
                        // Derived from scope, principal and role: a re-run never duplicates it, and another deployer
                        // (a CI identity after a laptop) gets a grant of its own.
                        roleAssignmentName: pulumi.all([grantScope, writer]).apply(([scope, principalId]) => roleAssignmentName(scope, principalId, roleGuid)),
                        description: pulumi.interpolate`entra-wif: lets the deployer of ${project}/${stack} write the OIDC issuer documents`,
                    },
                    { parent: this },
                ),
            );
        }
        this.documents = new IssuerDocuments(
            `${name}-documents`,
            {
                accountName: account.name,
                auth: args.sharedKeyAccess === true ? "sharedKey" : "entraToken",
                accountKey,
                blobEndpoint: account.primaryEndpoints.blob,
                hosting: args.hosting,
                containerName,
                publicBaseUrl,
                discoveryDocument: this.discoveryDocument,
                jwks: this.jwks,
            },
            // On a destroy the documents go with what holds them; the resource's own delete deletes nothing anyway.
            // The grant comes first: the first write waits for it to reach storage.
            { parent: this, deletedWith: documentsHolder, dependsOn: writerGrants },
        );

        // Under the names earlier versions gave the documents and the website: their old state is taken over, not
        // deleted by azure-native (which would delete the blobs just written, or disable the website) at the end of
        // the upgrading update (lib/trust/retiredResources.ts).
        for (const retired of RETIRED_ISSUER_RESOURCES) {
            new RetiredResource(
                `${name}-${retired.suffix}`,
                { retires: `${retired.type} ${name}-${retired.suffix}` },
                { parent: this, aliases: [{ type: retired.type }], deletedWith: documentsHolder },
            );
        }

        let verify: command.local.Command | IssuerCheck | undefined;
        if (args.verify?.byPlugin) {
            verify = new IssuerCheck(
                `${name}-verify`,
                {
                    issuer: this.issuerUrl,
                    publicKeys: args.verify.publicKeyPems,
                    ...(args.customUrl !== undefined ? { servedFrom: publicBaseUrl } : {}),
                    discoveryDocument: this.discoveryDocument,
                    jwks: this.jwks,
                },
                { parent: this, dependsOn: [this.documents] },
            );
        } else if (args.verify) {
            // After the upload, before anything trusts the issuer: a Command runs on `pulumi up` only.
            verify = new command.local.Command(
                `${name}-verify`,
                {
                    create: VERIFY_COMMAND,
                    update: VERIFY_COMMAND,
                    environment: {
                        ENTRA_WIF_ISSUER: this.issuerUrl,
                        ENTRA_WIF_PUBLIC_KEYS: pulumi.output(args.verify.publicKeyPems).apply((pems) => pems.join("")),
                        // The storage URL behind a custom one: checked first, the custom URL compared after.
                        ...(args.customUrl !== undefined ? { ENTRA_WIF_SERVED_FROM: publicBaseUrl } : {}),
                    },
                    // Re-check whenever what Entra reads changes.
                    triggers: [this.discoveryDocument, this.jwks],
                },
                { parent: this, dependsOn: [this.documents] },
            );
        }
        this.published = verify ?? this.documents;

        this.storageAccountName = account.name;
        this.documentsOriginUrl = publicBaseUrl;
        this.registerOutputs({
            documentsOriginUrl: this.documentsOriginUrl,
            issuerUrl: this.issuerUrl,
            discoveryUrl: this.discoveryUrl,
            jwksUrl: this.jwksUrl,
            discoveryDocument: this.discoveryDocument,
            jwks: this.jwks,
            storageAccountName: this.storageAccountName,
        });
    }
}
