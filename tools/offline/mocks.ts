/**
 * Realistic Pulumi mocks: what the providers would answer, shaped like the real thing, so the program under test
 * computes what it would compute against Azure. Shared by the offline plan and the tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, KeyObject } from "node:crypto";
import { nameBasedUuid } from "../../lib/entra/naming";

/** Fixed identities of the mocked Azure context (documentation GUIDs, not real tenants). */
export const MOCK_AZURE = {
    tenantId: "72f988bf-0000-4000-8000-00000000a11e",
    subscriptionId: "00000000-1111-4222-8333-444444444444",
    clientId: "11111111-2222-4333-8444-555555555555",
    objectId: "66666666-7777-4888-8999-aaaaaaaaaaaa",
};

/** The storage suffix of Azure's public cloud. */
const STORAGE_SUFFIX = "core.windows.net";

/** OpenSSH wire encoding of an RSA public key, as the tls provider's public_key_openssh. */
function opensshRsa(pub: KeyObject): string {
    const jwk = pub.export({ format: "jwk" });
    const mpint = (b64url: string) => {
        let bytes = Buffer.from(b64url, "base64url");
        if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
        return bytes;
    };
    const field = (buf: Buffer) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(buf.length);
        return Buffer.concat([len, buf]);
    };
    const blob = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
    return `ssh-rsa ${blob.toString("base64")}\n`;
}

/**
 * tls.PrivateKey as the provider returns it: a fresh key pair, private_key_pem PKCS#1 ("RSA PRIVATE KEY"),
 * private_key_pem_pkcs8 ("PRIVATE KEY"), public_key_pem PKIX ("PUBLIC KEY"), all with a trailing newline.
 */
export function mockTlsPrivateKey(inputs: Record<string, any>): { id: string; state: Record<string, any> } {
    checkRsa(inputs);
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits ?? 2048, publicExponent: 0x10001 });
    return tlsKeyState(inputs, publicKey, privateKey);
}

/** The same, generated on libuv's thread pool so it can overlap other work. */
export function mockTlsPrivateKeyAsync(inputs: Record<string, any>): Promise<{ id: string; state: Record<string, any> }> {
    checkRsa(inputs);
    return generateRsa(inputs.rsaBits ?? 2048).then(({ publicKey, privateKey }) => tlsKeyState(inputs, publicKey, privateKey));
}

/** An RSA key pair of `bits` bits, exponent 65537 (the tls provider's), made on libuv's thread pool. */
function generateRsa(bits: number): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
    return new Promise((resolve, reject) =>
        generateKeyPair("rsa", { modulusLength: bits, publicExponent: 0x10001 }, (err, publicKey, privateKey) =>
            err ? reject(err) : resolve({ publicKey, privateKey }),
        ),
    );
}

/**
 * Real RSA-2048 key pairs from node:crypto, each made on first need and then handed out again in turn. For test runs
 * that evaluate the program dozens of times: generating a key per evaluation cost about 0.2 s of CPU each, the
 * largest single cost of a program test, while what the tests check (kids, the JWKS, the provider's PEM formats, that
 * two stacks or two rotation keys differ) needs real keys, not new ones every time. A holder (one mocks instance,
 * that is one stack's state) never receives the same pooled key twice, and two successive draws always differ.
 */
export class RsaKeyPool {
    private readonly slots: Array<Promise<{ publicKey: KeyObject; privateKey: KeyObject }>> = [];
    private cursor = 0;

    constructor(readonly size: number) {
        if (!Number.isInteger(size) || size < 2) throw new Error(`an RSA key pool holds at least 2 keys, not ${size}`);
    }

    /** A key pair in a slot the holder has not taken yet (marked taken); a fresh pair outside the pool once it has them all. */
    take(taken: Set<number>): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
        for (let n = 0; n < this.size; n++) {
            const slot = this.cursor++ % this.size;
            if (taken.has(slot)) continue;
            taken.add(slot);
            return (this.slots[slot] ??= generateRsa(2048));
        }
        return generateRsa(2048);
    }
}

/** One pool per process, for the test runs that evaluate the program many times (test/support/program.ts). */
export const processKeyPool = new RsaKeyPool(8);

function checkRsa(inputs: Record<string, any>): void {
    const algorithm = inputs.algorithm ?? "RSA";
    if (algorithm !== "RSA") {
        throw new Error(`mock tls.PrivateKey supports RSA only, got ${algorithm}`);
    }
}

function tlsKeyState(inputs: Record<string, any>, publicKey: KeyObject, privateKey: KeyObject): { id: string; state: Record<string, any> } {
    const algorithm = inputs.algorithm ?? "RSA";
    const rsaBits = inputs.rsaBits ?? 2048;
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const der = publicKey.export({ type: "spki", format: "der" });
    const openssh = opensshRsa(publicKey);
    const sshBlob = Buffer.from(openssh.split(" ")[1], "base64");
    return {
        // The provider's id is the hex SHA-1 of the public key.
        id: createHash("sha1").update(der).digest("hex"),
        state: {
            algorithm,
            rsaBits,
            ecdsaCurve: "P224",
            privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
            privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            privateKeyOpenssh: "(mock: not generated)",
            publicKeyPem,
            publicKeyOpenssh: openssh,
            publicKeyFingerprintMd5: createHash("md5").update(sshBlob).digest("hex").match(/../g)!.join(":"),
            publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(sshBlob).digest("base64").replace(/=+$/, "")}`,
        },
    };
}

/** What `kind get kubeconfig` prints: a client certificate kubeconfig for a local control plane. */
function mockKubeconfig(name: string): string {
    const cluster = `kind-${name}`;
    return [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSU1PQ0sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
        "    server: https://127.0.0.1:40123",
        `  name: ${cluster}`,
        "contexts:",
        "- context:",
        `    cluster: ${cluster}`,
        `    user: ${cluster}`,
        `  name: ${cluster}`,
        `current-context: ${cluster}`,
        "kind: Config",
        "users:",
        `- name: ${cluster}`,
        "  user:",
        "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1PQ0sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
        "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNT0NLCi0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==",
        "",
    ].join("\n");
}

/** What ARM reports for an AKS cluster: the issuer URL (regional, tenant and a per-cluster GUID) when it is enabled. */
function aksClusterState(id: string, i: Record<string, any>): Record<string, any> {
    const enabled = i.oidcIssuerProfile?.enabled === true;
    return {
        type: "Microsoft.ContainerService/ManagedClusters",
        provisioningState: "Succeeded",
        fqdn: `${i.dnsPrefix ?? i.resourceName}-${nameBasedUuid(id).slice(0, 8)}.hcp.westeurope.azmk8s.io`,
        oidcIssuerProfile: {
            enabled,
            ...(enabled ? { issuerURL: `https://westeurope.oic.prod-aks.azure.com/${MOCK_AZURE.tenantId}/${nameBasedUuid(`${id}#issuer`)}/` } : {}),
        },
        securityProfile: i.securityProfile ?? {},
        identity: { ...(i.identity ?? {}), principalId: nameBasedUuid(`${id}#principal`), tenantId: MOCK_AZURE.tenantId },
    };
}

/** GUIDs derived from a seed, so the same program run twice sees the same ids. */
const mockGuid = nameBasedUuid;

function armId(rg: string, provider: string, ...path: string[]): string {
    return `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/${rg}/providers/${provider}/${path.join("/")}`;
}

/** Azure's answers for the resources and functions the program uses. */
export interface AzureMocksOptions {
    /**
     * The blob endpoint a storage account reports (default: Azure's public cloud). Tests point it at Azurite so
     * the program computes the issuer that the emulator really serves.
     */
    blobEndpoint?: (accountName: string) => string;
    /** The static website endpoint a storage account reports (default: Azure's public cloud, zone 6). */
    webEndpoint?: (accountName: string) => string;
    /**
     * Start generating one 2048-bit key at once, on the thread pool, while the program loads: the offline plan
     * then rarely waits for the mocked tls provider (the real one runs outside the program anyway).
     */
    prefetchKey?: boolean;
    /**
     * Private keys (PEM) by tls.PrivateKey resource name, used instead of fresh ones: a plan made with them is the
     * same on every run, so it can be recorded and compared byte for byte.
     */
    fixedPrivateKeys?: Record<string, string>;
    /** Take 2048-bit RSA keys from this pool instead of generating each one (tests that evaluate many stacks). */
    keyPool?: RsaKeyPool;
    /** The shared key ARM's listKeys answers for an account (default: one derived from its name). Tests give Azurite's. */
    storageAccountKey?: (accountName: string) => string;
    /** Who runs `pulumi up`: a user signed in with `az login` (the default) or a service principal (CI). */
    deployer?: "user" | "servicePrincipal";
    /** What the project's plugin finds ARM would refuse the deployer (entra-wif:index:checkDeployer): nothing by default. */
    deployerProblems?: string[];
    /** The plugin's function fails instead, with this message (no token, ARM not answering, a refusing proxy). */
    deployerCheckFails?: string;
}

/**
 * An access token as Entra issues it to the deployer (claims only; no one checks the signature here): a user's
 * delegated token carries `scp`, an application's app-only token does not (Microsoft identity platform, "Access
 * token claims reference": scp "is only included for user tokens"; idtyp "app" or "user").
 */
export function mockAccessToken(deployer: "user" | "servicePrincipal", audience: string): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const claims = {
        aud: audience,
        iss: `https://sts.windows.net/${MOCK_AZURE.tenantId}/`,
        oid: MOCK_AZURE.objectId,
        tid: MOCK_AZURE.tenantId,
        ...(deployer === "user" ? { scp: "user_impersonation", idtyp: "user" } : { idtyp: "app", appid: MOCK_AZURE.clientId }),
    };
    return `${b64({ typ: "JWT", alg: "RS256" })}.${b64(claims)}.c3RhbmQtaW4`;
}

export class AzureMocks implements pulumi.runtime.Mocks {
    /** Every resource the program registered, as type::name, in order. */
    readonly registered: string[] = [];
    /** Every function the program called, with its arguments, in order. */
    readonly invoked: Array<{ token: string; inputs: Record<string, any> }> = [];
    /** Private keys the mocked tls provider generated (PKCS#1 PEM), for tests that sign tokens with them. */
    readonly generatedPrivateKeys: string[] = [];
    /**
     * Keys by resource name. Like the provider's state, a key outlives a run: evaluating the program again with the
     * same mocks (the next `pulumi up`) sees the same key for the same name, a new one for a new name.
     */
    readonly privateKeysByName = new Map<string, { id: string; state: Record<string, any> }>();

    private prefetched: Promise<{ id: string; state: Record<string, any> }> | undefined;
    /** The slots of options.keyPool this stack's keys came from. */
    private readonly poolSlots = new Set<number>();

    constructor(private readonly options: AzureMocksOptions = {}) {
        if (options.prefetchKey) {
            this.prefetched = mockTlsPrivateKeyAsync({ algorithm: "RSA", rsaBits: 2048 });
            // Unused when the config fails first: not an unhandled rejection.
            this.prefetched.catch(() => undefined);
        }
    }

    newResource(
        args: pulumi.runtime.MockResourceArgs,
    ): { id: string | undefined; state: Record<string, any> } | Promise<{ id: string; state: Record<string, any> }> {
        this.registered.push(`${args.type}::${args.name}`);
        const i = args.inputs;
        switch (args.type) {
            case "tls:index/privateKey:PrivateKey": {
                const existing = this.privateKeysByName.get(args.name);
                if (existing) return existing;
                const fixed = this.options.fixedPrivateKeys?.[args.name];
                if (this.options.fixedPrivateKeys && fixed === undefined) {
                    // A plan meant to be the same on every run must not get a fresh key by accident.
                    throw new Error(`no fixed private key for ${args.name}: add test/fixtures/keys/${args.name}.TESTONLY.pem`);
                }
                if (fixed !== undefined) {
                    checkRsa(i);
                    const key = tlsKeyState(i, createPublicKey(fixed), createPrivateKey(fixed));
                    this.generatedPrivateKeys.push(key.state.privateKeyPem);
                    this.privateKeysByName.set(args.name, key);
                    return key;
                }
                let pending: Promise<{ id: string; state: Record<string, any> }>;
                // The prefetched key and the pool's are RSA-2048, the provider's defaults.
                const rsa2048 = (i.rsaBits ?? 2048) === 2048 && (i.algorithm ?? "RSA") === "RSA";
                if (this.prefetched && rsa2048) {
                    pending = this.prefetched.then((key) => ({ id: key.id, state: { ...key.state, algorithm: i.algorithm ?? "RSA", rsaBits: 2048 } }));
                    this.prefetched = undefined;
                } else if (this.options.keyPool && rsa2048) {
                    pending = this.options.keyPool.take(this.poolSlots).then(({ publicKey, privateKey }) => tlsKeyState(i, publicKey, privateKey));
                } else {
                    pending = mockTlsPrivateKeyAsync(i);
                }
                return pending.then((key) => {
                    this.generatedPrivateKeys.push(key.state.privateKeyPem);
                    this.privateKeysByName.set(args.name, key);
                    return key;
                });
            }
            case "azure-native:resources:ResourceGroup":
                return {
                    id: `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/${i.resourceGroupName}`,
                    state: { ...i, name: i.resourceGroupName, type: "Microsoft.Resources/resourceGroups", provisioningState: "Succeeded" },
                };
            case "azure-native:storage:StorageAccount": {
                const n = i.accountName;
                return {
                    id: armId(i.resourceGroupName, "Microsoft.Storage", "storageAccounts", n),
                    state: {
                        ...i,
                        name: n,
                        type: "Microsoft.Storage/storageAccounts",
                        provisioningState: "Succeeded",
                        primaryLocation: i.location,
                        primaryEndpoints: {
                            blob: this.blobEndpointOf(n),
                            dfs: `https://${n}.dfs.${STORAGE_SUFFIX}/`,
                            file: `https://${n}.file.${STORAGE_SUFFIX}/`,
                            queue: `https://${n}.queue.${STORAGE_SUFFIX}/`,
                            table: `https://${n}.table.${STORAGE_SUFFIX}/`,
                            web: this.options.webEndpoint?.(n) ?? `https://${n}.z6.web.${STORAGE_SUFFIX}/`,
                        },
                    },
                };
            }
            case "azure-native:storage:BlobContainer":
                return {
                    id: armId(i.resourceGroupName, "Microsoft.Storage", "storageAccounts", i.accountName, "blobServices/default/containers", i.containerName),
                    state: { ...i, name: i.containerName, type: "Microsoft.Storage/storageAccounts/blobServices/containers" },
                };
            // What earlier versions registered for the documents and the website (lib/trust/retiredResources.ts): the
            // engine tier deploys those versions to prove their upgrade (test/engine/upgrade.test.ts).
            case "azure-native:storage:Blob": {
                const { source: _source, ...rest } = i;
                const blob = this.blobEndpointOf(i.accountName);
                const container = armId(
                    i.resourceGroupName,
                    "Microsoft.Storage",
                    "storageAccounts",
                    i.accountName,
                    "blobServices/default/containers",
                    i.containerName,
                );
                return {
                    id: `${container}/blobs/${i.blobName}`,
                    state: { ...rest, name: i.blobName, type: i.type ?? "Block", metadata: {}, url: `${blob}${i.containerName}/${i.blobName}` },
                };
            }
            case "azure-native:storage:StorageAccountStaticWebsite":
                return {
                    id: `${armId(i.resourceGroupName, "Microsoft.Storage", "storageAccounts", i.accountName)}/staticWebsite`,
                    state: { ...i, containerName: "$web" },
                };
            case "entra-wif:index:RetiredResource":
                return { id: `retired:${args.name}`, state: {} };
            case "entra-wif:index:IssuerCheck":
                // What provider/main.ts returns after the doctor's checks passed: the values checked.
                return { id: `issuer-check:${args.name}`, state: { ...i } };
            case "entra-wif:index:IssuerDocuments": {
                // What lib/trust/issuerDocuments.ts returns after writing: the inputs without the key, and the URLs.
                const { accountKey: _key, ...state } = i;
                const documents = (state.documents ?? []) as Array<{ path: string }>;
                return {
                    id: `${state.accountName}/${state.containerName}/${documents.map((d) => d.path).join("+")}`,
                    state: { ...state, urls: documents.map((d) => `${state.publicBaseUrl}${d.path}`) },
                };
            }
            case "azure-native:managedidentity:UserAssignedIdentity": {
                const id = armId(i.resourceGroupName, "Microsoft.ManagedIdentity", "userAssignedIdentities", i.resourceName);
                return {
                    id,
                    state: {
                        ...i,
                        name: i.resourceName,
                        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
                        clientId: mockGuid(`${id}#client`),
                        principalId: mockGuid(`${id}#principal`),
                        tenantId: MOCK_AZURE.tenantId,
                    },
                };
            }
            case "azure-native:managedidentity:FederatedIdentityCredential": {
                const n = i.federatedIdentityCredentialResourceName;
                return {
                    id: armId(i.resourceGroupName, "Microsoft.ManagedIdentity", "userAssignedIdentities", i.resourceName, "federatedIdentityCredentials", n),
                    state: { ...i, name: n, type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials" },
                };
            }
            case "azure-native:authorization:RoleAssignment":
                return {
                    id: `${i.scope}/providers/Microsoft.Authorization/roleAssignments/${i.roleAssignmentName}`,
                    state: { ...i, name: i.roleAssignmentName, type: "Microsoft.Authorization/roleAssignments" },
                };
            case "azure-native:keyvault:Vault": {
                const n = i.vaultName;
                return {
                    id: armId(i.resourceGroupName, "Microsoft.KeyVault", "vaults", n),
                    state: {
                        ...i,
                        name: n,
                        type: "Microsoft.KeyVault/vaults",
                        properties: { ...i.properties, vaultUri: `https://${n}.vault.azure.net/`, provisioningState: "Succeeded" },
                    },
                };
            }
            case "azure-native:keyvault:Secret": {
                const secretUri = `https://${i.vaultName}.vault.azure.net/secrets/${i.secretName}`;
                // Like ARM, the value never comes back.
                return {
                    id: armId(i.resourceGroupName, "Microsoft.KeyVault", "vaults", i.vaultName, "secrets", i.secretName),
                    state: {
                        ...i,
                        name: i.secretName,
                        type: "Microsoft.KeyVault/vaults/secrets",
                        properties: {
                            contentType: i.properties?.contentType,
                            secretUri,
                            secretUriWithVersion: `${secretUri}/${mockGuid(secretUri).replace(/-/g, "")}`,
                        },
                    },
                };
            }
            case "azuread:index/application:Application": {
                const objectId = mockGuid(`application#${i.displayName}#object`);
                return { id: `/applications/${objectId}`, state: { ...i, objectId, clientId: mockGuid(`application#${i.displayName}#client`) } };
            }
            case "azuread:index/servicePrincipal:ServicePrincipal": {
                const objectId = mockGuid(`servicePrincipal#${i.clientId}`);
                return { id: `/servicePrincipals/${objectId}`, state: { ...i, objectId, applicationTenantId: MOCK_AZURE.tenantId } };
            }
            case "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential": {
                const credentialId = mockGuid(`${i.applicationId}#${i.displayName}`);
                const objectId = String(i.applicationId).replace(/^\/applications\//, "");
                return { id: `${objectId}/federatedIdentityCredential/${credentialId}`, state: { ...i, credentialId } };
            }
            case "azure-native:containerservice:ManagedCluster": {
                const id = armId(i.resourceGroupName, "Microsoft.ContainerService", "managedClusters", i.resourceName);
                return { id, state: { ...i, name: i.resourceName, ...aksClusterState(id, i) } };
            }
            case "pulumi:providers:kubernetes":
                // Provider inputs may hold a kubeconfig: the state keeps them as given, the id is opaque.
                return { id: mockGuid(`provider#${args.name}`), state: { ...i } };
            case "command:local:Command":
                // kind's create script prints the kubeconfig; the issuer gate prints the doctor's report.
                return {
                    id: `${args.name}-${mockGuid(JSON.stringify(i.triggers ?? args.name)).slice(0, 8)}`,
                    state: {
                        ...i,
                        stdout: String(i.create).includes("kind create cluster") ? mockKubeconfig(args.name) : "ok    issuer-url: (mock)",
                        stderr: "",
                    },
                };
            case "kubernetes:core/v1:Namespace":
            case "kubernetes:core/v1:ServiceAccount":
            case "kubernetes:core/v1:Pod": {
                const meta = i.metadata ?? {};
                const id = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
                return {
                    id,
                    state: { ...i, metadata: { ...meta, uid: mockGuid(`${args.type}#${id}`) }, status: args.type.endsWith("Pod") ? { phase: "Running" } : {} },
                };
            }
            case "kubernetes:helm.sh/v3:Release":
                return {
                    id: `${i.namespace}/${i.name}`,
                    state: { ...i, status: { name: i.name, namespace: i.namespace, chart: i.chart, version: i.version, revision: 1, status: "deployed" } },
                };
            default:
                // Components carry no id; a provider resource without a mock would hide what Azure answers.
                if (args.custom === false) return { id: undefined, state: { ...i } };
                throw new Error(`no mock for resource type ${args.type} (${args.name})`);
        }
    }

    /** An account's blob endpoint: what its mock reports, and what the plugin derives before it exists. */
    private blobEndpointOf(account: string): string {
        return this.options.blobEndpoint?.(account) ?? `https://${account}.blob.${STORAGE_SUFFIX}/`;
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.invoked.push({ token: args.token, inputs: args.inputs });
        switch (args.token) {
            case "azure-native:authorization:getClientConfig":
                return { ...MOCK_AZURE };
            case "entra-wif:index:blobEndpoint":
                // The endpoint the account mock below reports, as the plugin derives it before the account exists.
                return { endpoint: this.blobEndpointOf(args.inputs.accountName) };
            case "entra-wif:index:checkDeployer":
                // As a provider's failed invoke reaches the SDK: a gRPC error whose details say why.
                if (this.options.deployerCheckFails)
                    throw Object.assign(new Error(this.options.deployerCheckFails), { details: this.options.deployerCheckFails });
                return { problems: Array.from(this.options.deployerProblems ?? []) };
            case "azure-native:authorization:getClientToken":
                return { token: mockAccessToken(this.options.deployer ?? "user", args.inputs.endpoint ?? "https://management.azure.com/") };
            case "azure-native:containerservice:getManagedCluster": {
                const i = args.inputs;
                const id = armId(i.resourceGroupName, "Microsoft.ContainerService", "managedClusters", i.resourceName);
                // An existing cluster as `az aks create --enable-oidc-issuer --enable-workload-identity` leaves it.
                return {
                    id,
                    name: i.resourceName,
                    location: "westeurope",
                    ...aksClusterState(id, { ...i, oidcIssuerProfile: { enabled: true }, securityProfile: { workloadIdentity: { enabled: true } } }),
                };
            }
            case "azure-native:storage:listStorageAccountKeys": {
                // Two 64-byte keys, base64, as ARM lists them; derived from the account so two runs agree.
                const key = (n: string) =>
                    this.options.storageAccountKey?.(args.inputs.accountName) ??
                    createHash("sha512").update(`${args.inputs.accountName}#${n}`).digest("base64");
                return {
                    keys: [
                        { keyName: "key1", permissions: "FULL", value: key("key1"), creationTime: "2026-01-01T00:00:00.0000000Z" },
                        { keyName: "key2", permissions: "FULL", value: key("key2"), creationTime: "2026-01-01T00:00:00.0000000Z" },
                    ],
                };
            }
            case "azure-native:containerservice:listManagedClusterUserCredentials":
                return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(mockKubeconfig(`aks-${args.inputs.resourceName}`)).toString("base64") }] };
            case "azure-native:resources:getResourceGroup": {
                const name = args.inputs.resourceGroupName;
                return {
                    azureApiVersion: "2024-03-01",
                    id: `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/${name}`,
                    location: "westeurope",
                    name,
                    properties: { provisioningState: "Succeeded" },
                    type: "Microsoft.Resources/resourceGroups",
                };
            }
            default:
                throw new Error(`no mock for function ${args.token}`);
        }
    }
}
