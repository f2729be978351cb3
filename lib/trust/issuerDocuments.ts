/**
 * The issuer documents in blob storage, written by code this project owns (the project's provider plugin,
 * provider/main.ts, serves it for components/issuerDocuments.ts), so a change of the documents is an update in place
 * and never a replacement by the provider's own answer.
 *
 * Why not azure-native's storage.Blob: a new content replaces a Blob (`source` is WillReplaceOnChanges), azure-native
 * answers delete-before-replace for every replacement of a named resource, and its create refuses a blob that exists
 * (pulumi-azure-native provider/pkg/provider/provider.go: Diff `deleteBeforeReplace := len(replaces) > 0`; Create →
 * customCreate: "cannot create already existing resource"). A retained blob therefore made the first key rotation
 * fail, and every retry after it; without retainOnDelete the delete would leave a 404. lib/plans/providerRules.ts keeps
 * those rules; test/integration/issuerDocuments.test.ts runs this provider in the project's plugin against Azurite.
 *
 * What this code does instead:
 * - writes each document with Put Blob over the same name, which replaces the blob's content and properties in one
 *   request: a reader gets the old document or the new one, never a 404 (Microsoft Learn, REST API "Put Blob":
 *   "Updating an existing block blob overwrites any existing metadata on the blob");
 * - writes the JWKS before the discovery document, so whoever finds a discovery document finds its keys;
 * - writes as the deployer, with an Entra token (lib/trust/deployerCredential.ts, chosen as azure-native chooses its
 *   own), by the Storage Blob Data Contributor grant the program gives the deployer (components/oidcIssuer.ts): no
 *   account key is read, kept in the state, or even allowed by the account. Only `issuer.sharedKeyAccess: true` writes
 *   with the account key instead, for deployers who cannot hold a data role;
 * - waits, bounded and visibly, for a fresh grant to reach storage: Azure answers 403 AuthorizationPermissionMismatch
 *   until it has ("In most cases, it takes a minute or two for the role assignment to propagate in Azure. In rare cases,
 *   it might take up to eight minutes", Microsoft Learn, "Assign an Azure role for access to blob data");
 * - enables the static website, when asked, with the same token, as azure-native's StorageAccountStaticWebsite does
 *   (custom_storage_azidentity.go, staticWebsite_azidentity: Set Blob Service Properties through azblob with the
 *   deployer's TokenCredential), sending only the StaticWebsite element: omitted elements keep their settings
 *   (Microsoft Learn, "Set Blob Service Properties");
 * - deletes nothing on delete: the documents go with their container or account (deletedWith).
 *
 * Pure functions (diff, check) and the storage calls; nothing here imports Pulumi.
 */
import type * as StorageBlob from "@azure/storage-blob";
import { credentialMethod, CredentialSetupError, deployerCredential, describeCredential } from "./deployerCredential";
import { blobIssuerUrl } from "./oidc";

/**
 * Caches in front of the storage (a CDN behind issuer.customUrl) must ask again before serving a document: right after
 * a rotation the cluster signs with a kid only the new JWKS holds. The documents are tiny and Entra reads them rarely.
 * - Blob storage keeps no cache of its own: it returns the blob's Cache-Control, as set with x-ms-blob-cache-control,
 *   on every read (Microsoft Learn, "Set Blob Properties" and "Get Blob"); the static website endpoint serves the same.
 * - kube-apiserver serves its own issuer's documents with "public, max-age=3600" (kubernetes pkg/routes/openidmetadata.go):
 *   no-cache asks any cache to be fresher than a cluster's own issuer is.
 * - How long Entra keeps an external issuer's JWKS is not documented by Microsoft; azure-workload-identity's key
 *   rotation guide (docs/book/src/topics/self-managed-clusters/service-account-key-rotation.md, v1.6.0) publishes the new
 *   key before the cluster signs with it and keeps the old one until tokens it signed expired (24 h at most): the
 *   rotation here does both, so it does not depend on Entra's cache.
 */
export const DOCUMENT_CACHE_CONTROL = "no-cache";

/** The value Pulumi's engine sends a provider for a value not known yet (a preview). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The resource type: served by the project's own provider plugin (provider/main.ts). */
export const ISSUER_DOCUMENTS_TYPE = "entra-wif:index:IssuerDocuments";

/** The container Azure serves the static website from. */
export const STATIC_WEBSITE_CONTAINER = "$web";

export interface IssuerDocument {
    /** Path under the issuer, e.g. openid/v1/jwks. */
    path: string;
    text: string;
}

/** Where the documents live. A change of any of these moves them. */
export interface DocumentSite {
    accountName: string;
    /** The account's blob endpoint, with its trailing slash (https://<account>.blob.core.windows.net/). */
    blobEndpoint: string;
    hosting: "blob" | "staticWebsite";
    /** The container holding them: blob hosting's container, or $web. */
    containerName: string;
    /** Where anonymous readers find the container's blobs: the container's URL, or the static website's endpoint. */
    publicBaseUrl: string;
}

/** How the provider authenticates to storage: the deployer's Entra token, or (opted into) the account's shared key. */
export type DocumentsAuth = "entraToken" | "sharedKey";

/** The data role the program grants the deployer on the documents' container (blob) or account (static website). */
export const DOCUMENTS_WRITER_ROLE = "Storage Blob Data Contributor";

export interface IssuerDocumentsInputs extends DocumentSite {
    /** entraToken (the default) or sharedKey (issuer.sharedKeyAccess). Not compared: the same documents either way. */
    auth?: DocumentsAuth;
    /** sharedKey only: the account's key (a secret), never in the outputs. */
    accountKey?: string;
    /** In the order they are written: the JWKS first. */
    documents: IssuerDocument[];
    contentType: string;
    cacheControl: string;
}

export interface IssuerDocumentsState extends DocumentSite {
    documents: IssuerDocument[];
    contentType: string;
    cacheControl: string;
    /** The public URL of each document, as anonymous readers fetch it from the storage (not a custom URL). */
    urls: string[];
    /**
     * The account's static website was off until this resource turned it on: switching back to blob hosting turns it
     * off again. A website someone else turned on is left on.
     */
    websiteTurnedOn?: boolean;
}

const SITE_KEYS = ["accountName", "blobEndpoint", "hosting", "containerName", "publicBaseUrl"] as const;
const COMPARED_KEYS = [...SITE_KEYS, "contentType", "cacheControl"] as const;

/** The inputs that differ between what is published (olds) and what is asked for (news); the account key is not one. */
export function changedDocumentProperties(olds: Partial<IssuerDocumentsState>, news: Partial<IssuerDocumentsInputs>): string[] {
    const changed: string[] = COMPARED_KEYS.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    if (JSON.stringify(olds.documents) !== JSON.stringify(news.documents)) changed.push("documents");
    return changed;
}

/**
 * The provider's diff: any change is an update of the same resource, never a replacement (an empty `replaces`), so
 * the engine writes the new documents over the old ones in place (pulumi/pulumi pkg/resource/deploy/step_generator.go:
 * a diff with changes and no replacement becomes an UpdateStep). A new account key alone changes nothing published.
 */
export function diffIssuerDocuments(
    olds: Partial<IssuerDocumentsState>,
    news: Partial<IssuerDocumentsInputs>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
    return { changes: changedDocumentProperties(olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
}

const isUnknown = (v: unknown) => v === UNKNOWN_VALUE;

/** What is wrong with the inputs, property by property; unknown values (a preview) are not judged. */
export function checkIssuerDocuments(news: Partial<IssuerDocumentsInputs>): Array<{ property: string; reason: string }> {
    const failures: Array<{ property: string; reason: string }> = [];
    const text = (property: keyof IssuerDocumentsInputs) => {
        const v = news[property];
        if (!isUnknown(v) && (typeof v !== "string" || v === "")) failures.push({ property, reason: `${property} must be a non-empty string` });
    };
    for (const k of ["accountName", "containerName", "contentType", "cacheControl"] as const) text(k);
    const auth = news.auth ?? "entraToken";
    if (!isUnknown(auth) && auth !== "entraToken" && auth !== "sharedKey") {
        failures.push({ property: "auth", reason: `auth must be entraToken or sharedKey, not ${JSON.stringify(auth)}` });
    }
    if (auth === "sharedKey") text("accountKey");
    for (const k of ["blobEndpoint", "publicBaseUrl"] as const) {
        const v = news[k];
        if (isUnknown(v)) continue;
        if (typeof v !== "string" || !/^https:\/\/[^/]+\/.*\/$|^https:\/\/[^/]+\/$/.test(v)) {
            failures.push({ property: k, reason: `${k} must be an https URL ending in "/", not ${JSON.stringify(v)}` });
        }
    }
    if (!isUnknown(news.hosting) && news.hosting !== "blob" && news.hosting !== "staticWebsite") {
        failures.push({ property: "hosting", reason: `hosting must be blob or staticWebsite, not ${JSON.stringify(news.hosting)}` });
    }
    // The issuer of blob hosting is derived before the account exists (lib/entra/cloud.ts); the cluster already trusts
    // it. Written anywhere else, the documents would be where no token's iss points: refused before any write.
    const site = [news.blobEndpoint, news.containerName, news.publicBaseUrl];
    if (news.hosting === "blob" && site.every((v) => typeof v === "string" && !isUnknown(v)) && failures.length === 0) {
        const served = blobIssuerUrl(news.blobEndpoint!, news.containerName!);
        if (news.publicBaseUrl !== served) {
            failures.push({
                property: "publicBaseUrl",
                reason:
                    `the issuer ${news.publicBaseUrl} is not where storage account ${String(news.accountName)} serves container ` +
                    `${news.containerName} (${served}): the issuer was derived from the account name for azure-native's cloud ` +
                    `(ARM_ENVIRONMENT, else AZURE_ENVIRONMENT; ENTRA_WIF_BLOB_ENDPOINT_TEMPLATE for Azure Stack Hub); set it to the cloud the account is in`,
            });
        }
    }
    if (news.hosting === "staticWebsite" && !isUnknown(news.containerName) && news.containerName !== STATIC_WEBSITE_CONTAINER) {
        failures.push({ property: "containerName", reason: `a static website serves ${STATIC_WEBSITE_CONTAINER}, not ${JSON.stringify(news.containerName)}` });
    }
    const documents = news.documents as unknown;
    if (isUnknown(documents)) return failures;
    if (!Array.isArray(documents) || documents.length === 0) {
        failures.push({ property: "documents", reason: "documents must be a non-empty list of {path, text}" });
        return failures;
    }
    const seen = new Set<string>();
    documents.forEach((d: Partial<IssuerDocument> | string, i) => {
        if (isUnknown(d)) return;
        const doc = d as Partial<IssuerDocument>;
        if (!isUnknown(doc.path) && (typeof doc.path !== "string" || doc.path === "" || doc.path.startsWith("/"))) {
            failures.push({ property: `documents[${i}].path`, reason: "a path relative to the issuer, such as openid/v1/jwks" });
        } else if (typeof doc.path === "string") {
            if (seen.has(doc.path)) failures.push({ property: `documents[${i}].path`, reason: `${doc.path} is listed twice` });
            seen.add(doc.path);
        }
        if (isUnknown(doc.text)) return;
        if (typeof doc.text !== "string") failures.push({ property: `documents[${i}].text`, reason: "the document's text" });
        else {
            try {
                JSON.parse(doc.text);
            } catch {
                failures.push({ property: `documents[${i}].text`, reason: `${doc.path} is not JSON` });
            }
        }
    });
    return failures;
}

/** The public URL of each document. */
export function documentUrls(site: Pick<DocumentSite, "publicBaseUrl">, documents: IssuerDocument[]): string[] {
    return documents.map((d) => site.publicBaseUrl + d.path);
}

/** The state after a write: the inputs without the account key, the URLs, and whether the website is this resource's doing. */
export function publishedState(inputs: IssuerDocumentsInputs, websiteTurnedOn = false): IssuerDocumentsState {
    return {
        ...(websiteTurnedOn ? { websiteTurnedOn } : {}),
        accountName: inputs.accountName,
        blobEndpoint: inputs.blobEndpoint,
        hosting: inputs.hosting,
        containerName: inputs.containerName,
        publicBaseUrl: inputs.publicBaseUrl,
        documents: inputs.documents,
        contentType: inputs.contentType,
        cacheControl: inputs.cacheControl,
        urls: documentUrls(inputs, inputs.documents),
    };
}

/** A storage error as a person can act on it: what was being done, Azure's code, and the usual cause. */
function storageError(doing: string, inputs: IssuerDocumentsInputs, err: unknown, writer: string): Error {
    const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
    // No token at all: nothing reached storage, so the network is not the cause.
    if (e.name === "CredentialUnavailableError" || e.name === "AuthenticationError" || err instanceof CredentialSetupError) {
        return new Error(
            `entra-wif: ${doing} in storage account ${inputs.accountName}: ${writer} gave no token — sign in with \`az login\`, or set the ARM_* ` +
                `variables azure-native uses (ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET, or ARM_USE_OIDC, or ARM_USE_MSI). ` +
                String(e.message ?? err).split("\n")[0],
        );
    }
    const code = e.code ?? (e.statusCode ? `HTTP ${e.statusCode}` : "no answer");
    const hint =
        e.code === "KeyBasedAuthenticationNotPermitted"
            ? ' — shared key access is disabled on the account (a policy such as "Storage accounts should prevent shared key access"?); ' +
              "remove issuer.sharedKeyAccess so the documents are written with the deployer's Entra token"
            : e.code === "AuthorizationPermissionMismatch"
              ? ` — ${writer} holds no ${DOCUMENTS_WRITER_ROLE} grant that storage honours yet; the stack grants it (check it exists: ` +
                `az role assignment list --assignee <deployer object id> --all --query "[?roleDefinitionName=='${DOCUMENTS_WRITER_ROLE}']")`
              : e.statusCode === 403
                ? ` — the account refused ${writer}: check the storage firewall admits the machine running pulumi up`
                : e.statusCode === undefined
                  ? ` — ${inputs.blobEndpoint} did not answer${proxyFor(inputs.blobEndpoint) ? " through the proxy (check HTTPS_PROXY and NO_PROXY)" : ""}; ` +
                    "check the network path from this machine"
                  : "";
    return new Error(
        `entra-wif: ${doing} in storage account ${inputs.accountName} failed (${inputs.blobEndpoint}, ${viaProxy(inputs.blobEndpoint)}): ${code}${hint}. ` +
            String(e.message ?? err).split("\n")[0],
    );
}

/** How long a write waits for a fresh data-role grant to reach storage, and how it reports the wait. */
export interface GrantWait {
    /** The bound: Microsoft documents "up to eight minutes" in rare cases; ten leave a margin. */
    maxMs: number;
    /** A line for the person running `pulumi up` (the plugin's stderr, which the engine shows). */
    report: (line: string) => void;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
}

export const DEFAULT_GRANT_WAIT: GrantWait = { maxMs: 10 * 60_000, report: (line) => process.stderr.write(`${line}\n`) };

const formatSeconds = (ms: number) => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/**
 * Runs `attempt` until storage stops answering 403 AuthorizationPermissionMismatch (a grant that has not reached it yet),
 * for at most `wait.maxMs`: 1 s, 2 s, 4 s, then every 5 s, each wait reported with the time spent and the bound.
 * Any other error, and the last mismatch at the bound, is thrown as it came.
 */
export async function untilGrantReachesStorage<T>(attempt: () => Promise<T>, accountName: string, wait: GrantWait): Promise<T> {
    const now = wait.now ?? Date.now;
    const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const started = now();
    for (let round = 0; ; round++) {
        try {
            return await attempt();
        } catch (err) {
            const elapsed = now() - started;
            if ((err as { code?: string }).code !== "AuthorizationPermissionMismatch" || elapsed >= wait.maxMs) throw err;
            // Short first (a grant made a moment ago is often effective within seconds), then every 5 s: a storage
            // request is cheap, and a longer step would add its own length to every `pulumi up` that waits.
            const pause = Math.min(round < 3 ? 1000 * 2 ** round : 5000, wait.maxMs - elapsed);
            wait.report(
                `entra-wif: waiting for the ${DOCUMENTS_WRITER_ROLE} grant to reach storage account ${accountName}: ` +
                    `${formatSeconds(elapsed)} of at most ${formatSeconds(wait.maxMs)}`,
            );
            await sleep(pause);
        }
    }
}

/** The storage client for the inputs' auth, and who it writes as (for messages). */
function storageClient(inputs: IssuerDocumentsInputs, env: NodeJS.ProcessEnv): { service: StorageBlob.BlobServiceClient; writer: string } {
    // Loaded here, not at the top: only the provider plugin writes, and the SDK's ~270 modules cost every plan and
    // preview ~0.1 s (docs/benchmarks.md).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob") as typeof StorageBlob;
    if (inputs.auth === "sharedKey") {
        return {
            service: new BlobServiceClient(inputs.blobEndpoint, new StorageSharedKeyCredential(inputs.accountName, inputs.accountKey!)),
            writer: "the account key (issuer.sharedKeyAccess)",
        };
    }
    const method = credentialMethod(env);
    return { service: new BlobServiceClient(inputs.blobEndpoint, deployerCredential(method, env)), writer: describeCredential(method) };
}

/**
 * Writes the documents in order, in place, and (static website) makes sure the website is on. When the documents
 * moved within the same account (another container, or blob ↔ static website), the ones at the old place are deleted
 * after the new ones are written: the old issuer is no longer trusted, and must not keep serving keys.
 */
export async function writeIssuerDocuments(
    inputs: IssuerDocumentsInputs,
    previous?: IssuerDocumentsState,
    options: { wait?: GrantWait; env?: NodeJS.ProcessEnv } = {},
): Promise<IssuerDocumentsState> {
    const wait = options.wait ?? DEFAULT_GRANT_WAIT;
    const { service, writer } = storageClient(inputs, options.env ?? process.env);
    // A shared key needs no grant: its 403s are final.
    const granted = <T>(attempt: () => Promise<T>) => (inputs.auth === "sharedKey" ? attempt() : untilGrantReachesStorage(attempt, inputs.accountName, wait));
    const sameAccount = previous !== undefined && previous.accountName === inputs.accountName && previous.blobEndpoint === inputs.blobEndpoint;
    let websiteTurnedOn = inputs.hosting === "staticWebsite" && sameAccount && previous.hosting === "staticWebsite" && previous.websiteTurnedOn === true;
    if (inputs.hosting === "staticWebsite") {
        try {
            const properties = await granted(() => service.getProperties());
            if (!properties.staticWebsite?.enabled) {
                await granted(() => service.setProperties({ staticWebsite: { enabled: true } }));
                websiteTurnedOn = true;
            }
            // Azure creates $web when the website is enabled; an emulator or a slow account may not have it yet.
            await granted(() => service.getContainerClient(STATIC_WEBSITE_CONTAINER).createIfNotExists());
        } catch (err) {
            throw storageError("enabling the static website", inputs, err, writer);
        }
    }
    const container = service.getContainerClient(inputs.containerName);
    for (const doc of inputs.documents) {
        const body = Buffer.from(doc.text, "utf8");
        try {
            await granted(() =>
                container.getBlockBlobClient(doc.path).upload(body, body.length, {
                    blobHTTPHeaders: { blobContentType: inputs.contentType, blobCacheControl: inputs.cacheControl },
                }),
            );
        } catch (err) {
            throw storageError(`writing ${inputs.containerName}/${doc.path}`, inputs, err, writer);
        }
    }
    if (sameAccount && previous.containerName !== inputs.containerName) {
        const old = service.getContainerClient(previous.containerName);
        for (const doc of previous.documents ?? []) {
            // The old container may be gone already (deleted by the same update), or outside the grant: nothing to
            // remove then, and nothing the new issuer depends on.
            await old
                .getBlockBlobClient(doc.path)
                .deleteIfExists()
                .catch(() => undefined);
        }
    }
    // Back to blob hosting: the website this resource turned on goes off, once the documents are served from the
    // container (Set Blob Service Properties with only StaticWebsite: the other settings are kept).
    if (sameAccount && previous.hosting === "staticWebsite" && inputs.hosting === "blob" && previous.websiteTurnedOn) {
        try {
            await granted(() => service.setProperties({ staticWebsite: { enabled: false } }));
        } catch (err) {
            throw storageError("turning off the static website this stack turned on", inputs, err, writer);
        }
    }
    return publishedState(inputs, websiteTurnedOn);
}

/** Whether a failed request failed because the account's host name no longer resolves (a deleted storage account). */
export function isHostGone(err: unknown): boolean {
    const e = err as { code?: string; cause?: { code?: string } };
    return e.code === "ENOTFOUND" || e.cause?.code === "ENOTFOUND";
}

/**
 * The proxy a request to `url` goes through, by the rule the Azure SDKs follow (@typespec/ts-http-runtime
 * policies/proxyPolicy.js, which @azure/core-rest-pipeline's default pipeline runs): HTTPS_PROXY, else ALL_PROXY, else
 * HTTP_PROXY (each in upper or lower case), unless NO_PROXY lists the host exactly or, with a leading dot, a domain it
 * ends in. Undefined: no proxy.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const value = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
    const proxy = value("HTTPS_PROXY") ?? value("ALL_PROXY") ?? value("HTTP_PROXY");
    if (!proxy) return undefined;
    const host = new URL(url).hostname;
    const bypass = (value("NO_PROXY") ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "")
        .some((p) => (p.startsWith(".") ? host.endsWith(p) || host === p.slice(1) : host === p));
    return bypass ? undefined : proxy;
}

/** How a request went, for an error message: through which proxy, or none. The proxy's credentials are left out. */
export function viaProxy(url: string, env: NodeJS.ProcessEnv = process.env): string {
    const proxy = proxyFor(url, env);
    if (!proxy) return "no proxy";
    const shown = new URL(proxy);
    shown.username = "";
    shown.password = "";
    return `through the proxy ${shown.origin} (HTTPS_PROXY${env.NO_PROXY || env.no_proxy ? "; NO_PROXY does not list the host" : ""})`;
}

interface AnonymousAnswer {
    status: number;
    contentType: string;
    /** Azure Storage's error code (x-ms-error-code), when it gave one. */
    errorCode?: string;
    body: string;
}

/**
 * A GET as Entra makes it: anonymous, no redirect followed, through the Azure SDK's own HTTP pipeline, so
 * HTTPS_PROXY and NO_PROXY apply as they do to every other Azure call of `pulumi up` (Node's fetch ignores them).
 * Bounded: 30 s in all, two retries of a request that got no answer included (an unref'd timer: nothing waits on it).
 */
async function anonymousGet(url: string): Promise<AnonymousAnswer> {
    // Loaded here, as the storage SDK is: only the provider plugin reads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
    const pipeline = rest.createPipelineFromOptions({ retryOptions: { maxRetries: 2, maxRetryDelayInMs: 4000 }, redirectOptions: { maxRetries: 0 } });
    const response = await pipeline.sendRequest(
        rest.createDefaultHttpClient(),
        rest.createPipelineRequest({ url, method: "GET", abortSignal: AbortSignal.timeout(30000) }),
    );
    return {
        status: response.status,
        contentType: (response.headers.get("content-type") ?? "").split(";")[0].trim(),
        errorCode: response.headers.get("x-ms-error-code") ?? undefined,
        body: response.bodyAsText ?? "",
    };
}

/**
 * What anonymous readers get now (a refresh): each document as Entra would read it from the storage. Gone is gone: a
 * 404 for any document (the blob, its container — ContainerNotFound — or the website's content is not there) or an
 * account whose host name no longer resolves (Azure removes the account's DNS name with it) reports the documents gone
 * (undefined), so refresh drops them and the next `pulumi up` writes them anew. A content type that changed is
 * reported, so it is set again. Any other answer fails the refresh, naming the URL, the status or the network error,
 * and the proxy the request went through (403: public access turned off, or a proxy that refuses).
 */
export async function readIssuerDocuments(state: IssuerDocumentsState): Promise<IssuerDocumentsState | undefined> {
    const documents: IssuerDocument[] = [];
    let contentType = state.contentType;
    for (const doc of state.documents) {
        const url = state.publicBaseUrl + doc.path;
        let answer: AnonymousAnswer;
        try {
            answer = await anonymousGet(url);
        } catch (err) {
            if (isHostGone(err)) return undefined;
            const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
            const why = e.code ?? e.cause?.code ?? e.message ?? String(err);
            throw new Error(`entra-wif: reading ${url} anonymously, as Entra reads it, failed (${viaProxy(url)}): ${why}`, { cause: err });
        }
        if (answer.status === 404) return undefined;
        if (answer.status !== 200) {
            throw new Error(
                `entra-wif: reading ${url} anonymously, as Entra reads it, answered HTTP ${answer.status}` +
                    (answer.errorCode
                        ? ` (${answer.errorCode})`
                        : proxyFor(url)
                          ? " without Azure Storage's error code (the proxy may have answered)"
                          : " without Azure Storage's error code") +
                    `, ${viaProxy(url)}; Entra cannot read the issuer either`,
            );
        }
        if (answer.contentType !== state.contentType) contentType = answer.contentType;
        documents.push({ path: doc.path, text: answer.body });
    }
    return { ...state, documents, contentType };
}

/** The provider's operations (provider/main.ts serves them; nothing here imports Pulumi). */
export const issuerDocumentsOperations = {
    check: async (_olds: unknown, news: Partial<IssuerDocumentsInputs>) => ({ inputs: news, failures: checkIssuerDocuments(news) }),
    diff: async (_id: string, olds: Partial<IssuerDocumentsState>, news: Partial<IssuerDocumentsInputs>) => diffIssuerDocuments(olds, news),
    create: async (inputs: IssuerDocumentsInputs, wait?: GrantWait) => ({
        id: `${inputs.accountName}/${inputs.containerName}/${inputs.documents.map((d) => d.path).join("+")}`,
        outs: await writeIssuerDocuments(inputs, undefined, { wait }),
    }),
    update: async (_id: string, olds: IssuerDocumentsState, news: IssuerDocumentsInputs, wait?: GrantWait) => ({
        outs: await writeIssuerDocuments(news, olds, { wait }),
    }),
    read: async (id: string, props: IssuerDocumentsState) => {
        const now = await readIssuerDocuments(props);
        // An empty id tells the engine the resource is gone: refresh removes it from the state.
        return now ? { id, props: now } : { id: "", props: {} };
    },
    // The documents go with their container or account (deletedWith); nothing is deleted on its own.
    delete: async () => undefined,
};
