import * as pulumi from "@pulumi/pulumi";
import { IssuerHosting } from "../lib/config";
import { DOCUMENT_CACHE_CONTROL, DocumentsAuth, IssuerDocument, ISSUER_DOCUMENTS_TYPE } from "../lib/trust/issuerDocuments";
import { DISCOVERY_PATH, DOCUMENT_CONTENT_TYPE, JWKS_PATH } from "../lib/trust/oidc";

export interface IssuerDocumentsArgs {
    /** The storage account holding the documents. */
    accountName: pulumi.Input<string>;
    /** entraToken (the deployer's own credential, the default) or sharedKey (the account key below). */
    auth: DocumentsAuth;
    /** sharedKey only: the account's shared key (secret); unknown in a preview, which writes nothing. */
    accountKey?: pulumi.Input<string>;
    /** The account's blob endpoint (primaryEndpoints.blob). */
    blobEndpoint: pulumi.Input<string>;
    /** blob (a public-read container) or staticWebsite ($web, enabled by this resource). Plain: it shapes the inputs. */
    hosting: IssuerHosting;
    /** The container: blob hosting's, or $web. */
    containerName: pulumi.Input<string>;
    /** Where anonymous readers find the container's blobs (the storage issuer URL; not a custom URL). */
    publicBaseUrl: pulumi.Input<string>;
    /** The discovery document, compact JSON. */
    discoveryDocument: pulumi.Input<string>;
    /** The JWKS, compact JSON. */
    jwks: pulumi.Input<string>;
}

/**
 * The two issuer documents, written in place by lib/trust/issuerDocuments.ts, served by the project's own provider plugin
 * (provider/main.ts, named in Pulumi.yaml's `plugins.providers`): a change of either (a rotation, another issuer URL,
 * another hosting) is an update of this one resource, so the URL answers the old document until the new one is
 * written and the new one after, never 404 and never a name collision. The plugin runs the installed code on every
 * operation: nothing of it is kept in the state. Type `entra-wif:index:IssuerDocuments`.
 */
export class IssuerDocuments extends pulumi.CustomResource {
    /** The documents as written, in the order written (the JWKS first). */
    declare public readonly documents: pulumi.Output<IssuerDocument[]>;
    /** Their public URLs at the storage endpoint. */
    declare public readonly urls: pulumi.Output<string[]>;
    /** Whether the account's static website was turned on by this resource (and so is turned off when hosting goes back to blob). */
    declare public readonly websiteTurnedOn: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: IssuerDocumentsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            ISSUER_DOCUMENTS_TYPE,
            name,
            {
                accountName: args.accountName,
                auth: args.auth,
                ...(args.accountKey !== undefined ? { accountKey: pulumi.secret(args.accountKey) } : {}),
                blobEndpoint: args.blobEndpoint,
                hosting: args.hosting,
                containerName: args.containerName,
                publicBaseUrl: args.publicBaseUrl,
                // The JWKS first: whoever reads a discovery document then finds its keys.
                documents: pulumi.all([args.jwks, args.discoveryDocument]).apply(([jwks, discovery]) => [
                    { path: JWKS_PATH, text: jwks },
                    { path: DISCOVERY_PATH, text: discovery },
                ]),
                contentType: DOCUMENT_CONTENT_TYPE,
                cacheControl: DOCUMENT_CACHE_CONTROL,
                urls: undefined,
                websiteTurnedOn: undefined,
            },
            opts,
        );
    }
}
