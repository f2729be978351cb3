import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import { IssuerHosting } from "../lib/config";
import { defaultStorageAccountName } from "../lib/naming";
import { BUILTIN_ROLES, roleAssignmentName, roleDefinitionId } from "../lib/roles";
import {
    blobIssuerUrl,
    buildDiscoveryDocument,
    DISCOVERY_PATH,
    discoveryUrl,
    DOCUMENT_CONTENT_TYPE,
    JWKS_PATH,
    jwksUrl,
    serializeDiscoveryDocument,
    staticWebsiteIssuerUrl,
} from "../lib/oidc";
import { VERIFY_COMMAND } from "../lib/gate";
import { Jwks } from "../lib/keys";

export interface OidcIssuerArgs {
    /** Azure region of the storage account. */
    location: pulumi.Input<string>;
    /** The resource group of the storage account; its plain name seeds the derived account name. */
    resourceGroup: { name: pulumi.Input<string>; plainName: string };
    /** `blob` (a public-read container) or `staticWebsite` (the account's `$web`). Plain: it shapes the graph. */
    hosting: IssuerHosting;
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
     * Runs on update only, never on preview.
     */
    verify?: { publicKeyPems: pulumi.Input<string[]> };
}

/** What the deployer needs to refresh a static website (see OidcIssuer). */
const STORAGE_BLOB_DATA_READER = BUILTIN_ROLES["Storage Blob Data Reader"];

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
                // Stays on: azure-native uploads the documents (storage.Blob) with the account key.
                allowSharedKeyAccess: true,
            },
            { parent: this },
        );

        let containerName: pulumi.Output<string>;
        /** What holds the documents: they go with it on a destroy (see the blobs below). */
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
            this.issuerUrl =
                args.customUrl !== undefined
                    ? pulumi.output(args.customUrl)
                    : pulumi.all([account.primaryEndpoints, container.name]).apply(([endpoints, container]) => blobIssuerUrl(endpoints.blob, container));
        } else {
            // azure-native enables the static website through the blob service with the deployer's Entra token, not
            // the account key (provider/pkg/resources/customresources/custom_storage_azidentity.go: SetProperties on
            // create; GetAccountInfo and GetProperties on refresh and delete). Setting the service properties is the
            // action Microsoft.Storage/storageAccounts/blobServices/write, which Owner and Contributor include; the
            // reads of a refresh are data-plane reads, so the deployer is granted Storage Blob Data Reader on this one
            // account. The website is deleted with the account, so a destroy makes no data-plane call for it at all.
            const deployerReads = new authorization.RoleAssignment(
                `${name}-deployer-blob-reader`,
                {
                    scope: account.id,
                    principalId: client.objectId,
                    roleDefinitionId: client.subscriptionId.apply((subscription) => roleDefinitionId(subscription, STORAGE_BLOB_DATA_READER)),
                    roleAssignmentName: pulumi
                        .all([account.id, client.objectId])
                        .apply(([scope, principal]) => roleAssignmentName(scope, principal, STORAGE_BLOB_DATA_READER)),
                },
                // Who runs the program differs (a laptop's user, a CI runner's service principal): the grant stays with
                // the principal that created it, so a preview by another one shows no change.
                { parent: this, ignoreChanges: ["principalId", "roleAssignmentName"] },
            );
            const website = new storage.StorageAccountStaticWebsite(
                `${name}-website`,
                { accountName: account.name, resourceGroupName },
                { parent: this, dependsOn: [deployerReads], deletedWith: account },
            );
            containerName = website.containerName;
            documentsHolder = account;
            this.issuerUrl =
                args.customUrl !== undefined
                    ? pulumi.output(args.customUrl)
                    : account.primaryEndpoints.apply((endpoints) => staticWebsiteIssuerUrl(endpoints.web));
        }

        this.jwks = pulumi.output(args.jwks);
        this.discoveryDocument = pulumi
            .all([this.issuerUrl, this.jwks])
            .apply(([issuer, jwks]) => serializeDiscoveryDocument(buildDiscoveryDocument(issuer, JSON.parse(jwks) as Jwks)));
        this.discoveryUrl = this.issuerUrl.apply(discoveryUrl);
        this.jwksUrl = this.issuerUrl.apply(jwksUrl);

        const documents: Array<[string, string, pulumi.Output<string>]> = [
            ["discovery", DISCOVERY_PATH, this.discoveryDocument],
            ["jwks", JWKS_PATH, this.jwks],
        ];
        const blobs: storage.Blob[] = [];
        for (const [suffix, blobName, content] of documents) {
            const blob = new storage.Blob(
                `${name}-${suffix}`,
                {
                    accountName: account.name,
                    resourceGroupName,
                    containerName,
                    blobName,
                    type: storage.BlobType.Block,
                    contentType: DOCUMENT_CONTENT_TYPE,
                    source: content.apply((text) => new pulumi.asset.StringAsset(text)),
                },
                {
                    parent: this,
                    // A new content replaces a Blob (source is WillReplaceOnChanges). Pulumi creates the replacement
                    // first: azure-native's create uploads to the same name, overwriting (UploadBuffer), and its delete
                    // then deletes that name (provider/pkg/resources/customresources/custom_storage_azidentity.go,
                    // blob_azidentity.create/delete) — the new document would be gone, and Entra would read 404 until
                    // the next update. delete-before-replace would leave a 404 window instead. Retained, the old
                    // resource is dropped from the state without a delete: the URL answers the old document until the
                    // upload, the new one after, never 404. On a destroy the documents go with what holds them.
                    retainOnDelete: true,
                    deletedWith: documentsHolder,
                },
            );
            blobs.push(blob);
        }

        if (args.verify) {
            // After the upload, before anything trusts the issuer: a Command runs on `pulumi up` only.
            new command.local.Command(
                `${name}-verify`,
                {
                    create: VERIFY_COMMAND,
                    update: VERIFY_COMMAND,
                    environment: {
                        ENTRA_WIF_ISSUER: this.issuerUrl,
                        ENTRA_WIF_PUBLIC_KEYS: pulumi.output(args.verify.publicKeyPems).apply((pems) => pems.join("")),
                    },
                    // Re-check whenever what Entra reads changes.
                    triggers: [this.discoveryDocument, this.jwks],
                },
                { parent: this, dependsOn: blobs },
            );
        }

        this.storageAccountName = account.name;
        this.registerOutputs({
            issuerUrl: this.issuerUrl,
            discoveryUrl: this.discoveryUrl,
            jwksUrl: this.jwksUrl,
            discoveryDocument: this.discoveryDocument,
            jwks: this.jwks,
            storageAccountName: this.storageAccountName,
        });
    }
}
