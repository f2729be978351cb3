/**
 * The stack's configuration: read once, validated in one place, before any resource is registered.
 * Every rejection names the key, the value and what is allowed, because the alternative is an AADSTS code an
 * hour later that names none of them.
 *
 * Pure: the input is the raw key → value map Pulumi hands the program (`pulumi.runtime.allConfig()`), values as
 * the strings Pulumi stores (structured values as JSON text).
 */
import { keyId, KeyFormatError, parsePublicKey, pemLabels } from "./keys";
import { parse as parseYaml } from "yaml";
import { defaultIdentityName, defaultKindClusterName } from "./naming";
import { issuerUrlProblems } from "./oidc";
import { resolveRole, scopeProblem, SCOPE_KEYWORDS, UnknownRoleError } from "./roles";

export const PROJECT = "entra-wif";

export type IssuerHosting = "blob" | "staticWebsite";
export type ClusterMode = "kind" | "existing" | "aks";
export type IdentityType = "managedIdentity" | "application";

export interface IssuerConfig {
    hosting: IssuerHosting;
    /** After publishing, `pulumi up` checks the documents as Entra will read them and fails the update if it cannot. */
    verify: boolean;
    /** Explicit account name; derived deterministically from the subscription, group and stack when absent. */
    storageAccountName?: string;
    /** Blob container (blob hosting only). */
    containerName?: string;
    /**
     * The public URL of the documents when a custom domain or CDN fronts the storage (e.g. Azure Front Door):
     * then this, byte for byte, is the issuer. The storage endpoint's URL otherwise.
     */
    customUrl?: string;
}

export interface SigningKeyConfig {
    rsaBits: 2048 | 3072 | 4096;
    /** Bring-your-own public keys (PEM), published beside the stack's keys. */
    publicKeys: string[];
    /**
     * The stack's own keys by name, oldest first: each its own tls.PrivateKey, all published, the last one signs.
     * `["initial"]` unless `signingKey.keys` says otherwise; empty when only the cluster's own keys are used.
     */
    keys: string[];
}

/** The name of the key a stack has before it lists any (its tls.PrivateKey keeps its original resource name). */
export const INITIAL_KEY_NAME = "initial";

/** An Azure role a workload's identity is granted. */
export interface RoleGrantConfig {
    /** As written in config: a built-in role name or a role definition GUID. */
    role: string;
    /** The role definition GUID (lower case). */
    roleId: string;
    /** `subscription`, `resourceGroup`, `sampleKeyVault` or a full ARM id. */
    scope: string;
}

export interface IdentityConfig {
    /** The identity's Azure name (managed identity) or display name (app registration); workloads refer to it. */
    name: string;
    type: IdentityType;
    /** Roles granted to the identity itself (its workloads' roles are added to them). */
    roles: RoleGrantConfig[];
}

export interface WorkloadRef {
    namespace: string;
    serviceAccount: string;
}

export interface WorkloadConfig extends WorkloadRef {
    /** The name of the identity this workload becomes. */
    identity: string;
    roles: RoleGrantConfig[];
    /** Lifetime of the projected token in seconds (azure.workload.identity/service-account-token-expiration); the webhook's default (3600) when absent. */
    tokenExpiration?: number;
}

export interface ClusterConfig {
    mode: ClusterMode;
    /** kind: the cluster's name (`kind create cluster --name`). */
    name?: string;
    /** kind: the node image (`--image`); kind's own default for its version when absent. */
    nodeImage?: string;
    /** existing: a context of the ambient kubeconfig to deploy into (instead of entra-wif:kubeconfig). */
    context?: string;
    /** existing: the kubeconfig (a secret config value). */
    kubeconfig?: string;
    /** Namespaces that already exist on the cluster and are not created (or deleted) by the stack. */
    existingNamespaces: string[];
    /** aks: the cluster the stack creates, or the existing one it uses. */
    aks?: AksConfig;
}

export interface AksConfig {
    /** The AKS cluster's name. */
    name: string;
    /** Its resource group when it already exists (then the stack creates no cluster); the stack's group otherwise. */
    existingResourceGroupName?: string;
    /** Whether the stack creates the cluster (false: an existing cluster, looked up). */
    create: boolean;
    /** Kubernetes version; AKS's default when absent. */
    kubernetesVersion?: string;
    /** VM size of the system node pool. */
    nodeSize: string;
    /** Nodes in the system node pool. */
    nodeCount: number;
}

export const AKS_DEFAULTS = { nodeSize: "Standard_D2s_v5", nodeCount: 1 } as const;

export type AzureEnvironment = "AzurePublicCloud" | "AzureUSGovernmentCloud" | "AzureChinaCloud";

export interface WebhookConfig {
    /** Install the azure-workload-identity mutating webhook; without it the sample pod gets the projected token itself. */
    enabled: boolean;
    /** The Helm chart version of workload-identity-webhook. */
    version: string;
    azureEnvironment: AzureEnvironment;
}

export interface SampleConfig {
    /** Create the sample Key Vault with a demo secret the sample workload may read. */
    enabled: boolean;
    /** The workload the sample runs as (the first workload unless named). Set when enabled. */
    workload?: WorkloadConfig;
    secretName: string;
    /** Explicit vault name; derived from subscription, group and stack when absent. */
    vaultName?: string;
    /** The sample pod's image. */
    image: string;
}

export interface StackConfig {
    location: string;
    /** An existing resource group; the stack creates its own when absent. */
    resourceGroupName?: string;
    issuer: IssuerConfig;
    signingKey: SigningKeyConfig;
    cluster: ClusterConfig;
    webhook: WebhookConfig;
    /** Every identity, in config order: the one `identity`, or the `identities` list. */
    identities: IdentityConfig[];
    workloads: WorkloadConfig[];
    sample: SampleConfig;
}

/** Entra ID's limit of federated identity credentials on one identity (managed identity or app registration). */
export const MAX_FEDERATED_CREDENTIALS_PER_IDENTITY = 20;

/** A bad config value: the one message a user sees, naming key, value and what is allowed. */
export class ConfigError extends Error {
    constructor(
        readonly key: string,
        readonly value: unknown,
        readonly allowed: string,
    ) {
        super(`${key}: ${describeValue(value)} is not valid; ${allowed}`);
        this.name = "ConfigError";
    }
}

/** Defaults, the same as Pulumi.yaml declares (a test keeps the two equal). */
export const DEFAULTS = {
    issuer: { hosting: "blob", containerName: "oidc", verify: true },
    signingKey: { rsaBits: 2048, publicKeys: [] as string[] },
    cluster: { mode: "kind" },
    webhook: { enabled: true, version: "1.6.0", azureEnvironment: "AzurePublicCloud" },
    identity: { type: "managedIdentity" },
    identities: [] as unknown[],
    workloads: [] as unknown[],
    sample: { enabled: false },
} as const;

export const DEFAULT_SAMPLE_SECRET_NAME = "demo-secret";
/** azure-workload-identity's quickstart image: reads SECRET_NAME from KEYVAULT_URL with MSAL and workload identity. */
export const DEFAULT_SAMPLE_IMAGE = "ghcr.io/azure/azure-workload-identity/msal-go:v1.3.0";
/** The token lifetimes azure-workload-identity accepts in service-account-token-expiration (1 h to 24 h). */
export const TOKEN_EXPIRATION_RANGE = { min: 3600, max: 86400 } as const;
/** Namespaces every cluster has: never created or deleted by the stack. */
export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

const ISSUER_HOSTINGS: readonly IssuerHosting[] = ["blob", "staticWebsite"];
const CLUSTER_MODES: readonly ClusterMode[] = ["kind", "existing", "aks"];
const IDENTITY_TYPES: readonly IdentityType[] = ["managedIdentity", "application"];
const AZURE_ENVIRONMENTS: readonly AzureEnvironment[] = ["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud"];
const RSA_BITS = [2048, 3072, 4096] as const;

/** Keys this program reads under `entra-wif:` and, for objects, the fields each takes. */
const KNOWN_KEYS: Record<string, readonly string[] | null> = {
    resourceGroupName: null,
    issuer: ["hosting", "storageAccountName", "containerName", "verify", "customUrl"],
    signingKey: ["rsaBits", "publicKeys", "keys"],
    cluster: ["mode", "name", "nodeImage", "context", "existingNamespaces", "existingResourceGroupName", "kubernetesVersion", "nodeSize", "nodeCount"],
    webhook: ["enabled", "version", "azureEnvironment"],
    kubeconfig: null,
    identity: ["type", "name", "roles"],
    identities: ["name", "type", "roles"],
    workloads: ["namespace", "serviceAccount", "identity", "roles", "tokenExpiration"],
    sample: ["enabled", "workload", "secretName", "vaultName", "image"],
};

const ROLE_FIELDS = ["role", "scope"] as const;

function describeValue(value: unknown): string {
    if (value === undefined) return "(missing)";
    if (typeof value === "string") {
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shown);
    }
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return dp[a.length][b.length];
}

function closest(needle: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = distance(needle.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(needle.length / 3)) ? best : undefined;
}

function rejectUnknownFields(key: string, obj: Record<string, unknown>, known: readonly string[]): void {
    for (const field of Object.keys(obj)) {
        if (!known.includes(field)) {
            const guess = closest(field, known);
            throw new ConfigError(
                `${key}.${field}`,
                obj[field],
                `"${field}" is not a known setting of ${key}${guess ? `; did you mean "${guess}"?` : ""} (known: ${known.join(", ")})`,
            );
        }
    }
}

/** Parses a raw Pulumi config string: structured values arrive as JSON text. */
function parseRaw(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

function asObject(key: string, value: unknown, example: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new ConfigError(key, value, `expected an object, e.g. ${example}`);
    }
    return value as Record<string, unknown>;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !allowed.includes(value as T)) {
        throw new ConfigError(key, value, `use one of: ${allowed.join(", ")}`);
    }
    return value as T;
}

function optionalString(key: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
        throw new ConfigError(key, value, "expected a string");
    }
    return value;
}

/** Azure Storage account names: 3-24 lowercase letters and digits, globally unique. */
export function storageAccountNameProblem(name: string): string | undefined {
    return /^[a-z0-9]{3,24}$/.test(name) ? undefined : "a storage account name is 3-24 lowercase letters and digits (no hyphens)";
}

/** Azure blob container names: 3-63 chars, lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
export function containerNameProblem(name: string): string | undefined {
    if (name === "$web") return "$web is the static website's container; use hosting: staticWebsite instead";
    return /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(name)
        ? undefined
        : "a container name is 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit";
}

/** Azure resource group names: 1-90 of letters, digits, _ - . ( ), not ending with a period. */
export function resourceGroupNameProblem(name: string): string | undefined {
    return /^[-\w.()]{1,90}$/u.test(name) && !name.endsWith(".")
        ? undefined
        : "a resource group name is 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending with a period";
}

/** Kubernetes namespace: a DNS-1123 label. */
export function namespaceProblem(name: string): string | undefined {
    return /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)
        ? undefined
        : "a namespace is a DNS-1123 label: at most 63 lowercase letters, digits and hyphens, starting and ending alphanumeric";
}

/** Kubernetes service account name: a DNS-1123 subdomain. */
export function serviceAccountProblem(name: string): string | undefined {
    return /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)
        ? undefined
        : "a service account name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, hyphens and dots, starting and ending alphanumeric";
}

/** Managed identity names (also used as app registration display names): 3-128 letters, digits, hyphens, underscores. */
export function identityNameProblem(name: string): string | undefined {
    return /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(name)
        ? undefined
        : "an identity name is 3-128 letters, digits, hyphens and underscores, starting with a letter or digit";
}

/** Key Vault names: 3-24 letters, digits and single hyphens, starting with a letter, ending with a letter or digit. */
export function keyVaultNameProblem(name: string): string | undefined {
    return /^(?=.{3,24}$)[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/.test(name)
        ? undefined
        : "a Key Vault name is 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit (and globally unique)";
}

/** Key Vault secret names: 1-127 letters, digits and hyphens. */
export function secretNameProblem(name: string): string | undefined {
    return /^[A-Za-z0-9-]{1,127}$/.test(name) ? undefined : "a Key Vault secret name is 1-127 letters, digits and hyphens";
}

/** kind cluster names: lowercase letters, digits, dots and hyphens (they name Docker containers), at most 50. */
export function kindClusterNameProblem(name: string): string | undefined {
    return /^(?=.{1,50}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)
        ? undefined
        : "a kind cluster name is at most 50 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric";
}

/** Container image references: [registry/]path[:tag][@digest], no spaces or schemes. */
export function imageReferenceProblem(image: string): string | undefined {
    return /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/.test(image)
        ? undefined
        : "expected an image reference such as kindest/node:v1.33.1 or registry.example.com/team/app@sha256:<digest>";
}

/** Helm chart versions: semantic versions such as 1.6.0. */
export function chartVersionProblem(version: string): string | undefined {
    return /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version) ? undefined : "expected a chart version such as 1.6.0";
}

function checkName(key: string, value: string | undefined, problem: (v: string) => string | undefined): void {
    if (value === undefined) return;
    const p = problem(value);
    if (p) throw new ConfigError(key, value, p);
}

/** Key names: short, lowercase, readable in a preview and in resource names (e.g. 2026-11). */
export function keyNameProblem(name: string): string | undefined {
    return /^(?=.{1,40}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)
        ? undefined
        : "a key name is at most 40 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric, e.g. 2026-11";
}

function parseKeyNames(key: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
        throw new ConfigError(key, value, `expected a non-empty list of key names, oldest first, e.g. ["${INITIAL_KEY_NAME}", "2027-02"]; the last one signs`);
    }
    const seen = new Map<string, number>();
    return value.map((item, i) => {
        if (typeof item !== "string") throw new ConfigError(`${key}[${i}]`, item, "expected a key name");
        checkName(`${key}[${i}]`, item, keyNameProblem);
        const first = seen.get(item);
        if (first !== undefined) throw new ConfigError(`${key}[${i}]`, item, `the name is already listed at ${key}[${first}]; each key once`);
        seen.set(item, i);
        return item;
    });
}

function parseRsaBits(key: string, value: unknown): SigningKeyConfig["rsaBits"] {
    if (value === undefined) return DEFAULTS.signingKey.rsaBits;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !(RSA_BITS as readonly number[]).includes(n)) {
        throw new ConfigError(key, value, `use one of: ${RSA_BITS.join(", ")}`);
    }
    return n as SigningKeyConfig["rsaBits"];
}

function parsePublicKeys(key: string, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        throw new ConfigError(key, value, "expected a list of PEM public keys");
    }
    const kids = new Map<string, number>();
    return value.map((pem, i) => {
        const itemKey = `${key}[${i}]`;
        if (typeof pem !== "string") {
            throw new ConfigError(itemKey, pem, "expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        if (pemLabels(pem).some((l) => l.includes("PRIVATE"))) {
            // Never echo a private key back: it may already be in a shell history or CI log.
            throw new ConfigError(itemKey, "[a private key]", "publicKeys takes public keys only; give the public half (openssl pkey -pubout) and keep the private key out of stack config");
        }
        try {
            parsePublicKey(pem);
        } catch (err) {
            if (err instanceof KeyFormatError) {
                throw new ConfigError(itemKey, pem, `expected an RSA or EC (P-256/384/521) public key in PEM: ${err.message}`);
            }
            throw err;
        }
        const kid = keyId(pem);
        const first = kids.get(kid);
        if (first !== undefined) {
            throw new ConfigError(itemKey, pem, `the same key is already listed at ${key}[${first}] (kid ${kid}); list each key once`);
        }
        kids.set(kid, i);
        return pem;
    });
}

function parseBoolean(key: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    throw new ConfigError(key, value, "use true or false");
}

function parseTokenExpiration(key: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    const { min, max } = TOKEN_EXPIRATION_RANGE;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
        throw new ConfigError(key, value, `expected whole seconds from ${min} (1 hour) to ${max} (24 hours)`);
    }
    return n;
}

function parseRoles(key: string, value: unknown, sampleEnabled: boolean): RoleGrantConfig[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        throw new ConfigError(key, value, "expected a list of {role, scope}, e.g. [{role: Reader, scope: resourceGroup}]");
    }
    return value.map((item, i) => {
        const itemKey = `${key}[${i}]`;
        const obj = asObject(itemKey, item, "{role: Key Vault Secrets User, scope: sampleKeyVault}");
        if (!obj) throw new ConfigError(itemKey, item, "expected {role, scope}");
        rejectUnknownFields(itemKey, obj, ROLE_FIELDS);
        const role = obj.role;
        if (typeof role !== "string" || role.trim() === "") {
            throw new ConfigError(`${itemKey}.role`, role, "expected a built-in role name such as Reader, or a role definition GUID");
        }
        let roleId: string;
        try {
            roleId = resolveRole(role);
        } catch (err) {
            if (err instanceof UnknownRoleError) throw new ConfigError(`${itemKey}.role`, role, err.message);
            throw err;
        }
        const scope = obj.scope;
        if (typeof scope !== "string") {
            throw new ConfigError(`${itemKey}.scope`, scope, `expected ${SCOPE_KEYWORDS.join(", ")} or a full ARM id`);
        }
        const problem = scopeProblem(scope);
        if (problem) throw new ConfigError(`${itemKey}.scope`, scope, problem);
        if (scope === "sampleKeyVault" && !sampleEnabled) {
            throw new ConfigError(`${itemKey}.scope`, scope, `the sample Key Vault exists only with ${PROJECT}:sample.enabled true; enable it or give the vault's ARM id`);
        }
        return { role, roleId, scope };
    });
}

function parseIdentity(key: string, value: unknown, fallbackName: string, sampleEnabled: boolean): IdentityConfig {
    const obj = asObject(key, value, "{type: managedIdentity}") ?? {};
    rejectUnknownFields(key, obj, KNOWN_KEYS.identity!);
    const type = oneOf(`${key}.type`, obj.type, IDENTITY_TYPES, DEFAULTS.identity.type);
    const name = optionalString(`${key}.name`, obj.name) ?? fallbackName;
    checkName(`${key}.name`, name, identityNameProblem);
    return { name, type, roles: parseRoles(`${key}.roles`, obj.roles, sampleEnabled) };
}

function parseIdentities(key: string, value: unknown, sampleEnabled: boolean): IdentityConfig[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        throw new ConfigError(key, value, "expected a list of {name, type}, e.g. [{name: id-frontend, type: managedIdentity}]");
    }
    const seen = new Map<string, number>();
    return value.map((item, i) => {
        const itemKey = `${key}[${i}]`;
        const obj = asObject(itemKey, item, "{name: id-frontend, type: managedIdentity}");
        if (!obj) throw new ConfigError(itemKey, item, "expected {name, type}");
        rejectUnknownFields(itemKey, obj, KNOWN_KEYS.identities!);
        if (obj.name === undefined || obj.name === "") {
            throw new ConfigError(`${itemKey}.name`, obj.name, "each identity in the list needs a name; workloads refer to it with identity: <name>");
        }
        if (obj.type === undefined) {
            throw new ConfigError(`${itemKey}.type`, obj.type, `use one of: ${IDENTITY_TYPES.join(", ")}`);
        }
        const identity = parseIdentity(itemKey, obj, "", sampleEnabled);
        // Azure resource names are case-insensitive: two names differing in case are one identity.
        const first = seen.get(identity.name.toLowerCase());
        if (first !== undefined) {
            throw new ConfigError(`${itemKey}.name`, identity.name, `the name is already used by ${key}[${first}]; give each identity its own name`);
        }
        seen.set(identity.name.toLowerCase(), i);
        return identity;
    });
}

function parseWorkloads(key: string, value: unknown, identities: IdentityConfig[], listed: boolean, sampleEnabled: boolean): WorkloadConfig[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        throw new ConfigError(key, value, "expected a list of {namespace, serviceAccount}");
    }
    const names = identities.map((id) => id.name);
    const seen = new Map<string, number>();
    const workloads = value.map((item, i) => {
        const itemKey = `${key}[${i}]`;
        const obj = asObject(itemKey, item, "{namespace: demo, serviceAccount: workload-sa}");
        if (!obj) throw new ConfigError(itemKey, item, "expected {namespace, serviceAccount}");
        rejectUnknownFields(itemKey, obj, KNOWN_KEYS.workloads!);
        const namespace = obj.namespace;
        const serviceAccount = obj.serviceAccount;
        if (typeof namespace !== "string") throw new ConfigError(`${itemKey}.namespace`, namespace, "expected a Kubernetes namespace name");
        if (typeof serviceAccount !== "string") throw new ConfigError(`${itemKey}.serviceAccount`, serviceAccount, "expected a Kubernetes service account name");
        checkName(`${itemKey}.namespace`, namespace, namespaceProblem);
        checkName(`${itemKey}.serviceAccount`, serviceAccount, serviceAccountProblem);
        const id = `${namespace}/${serviceAccount}`;
        const first = seen.get(id);
        if (first !== undefined) {
            throw new ConfigError(itemKey, obj, `${id} is already listed at ${key}[${first}]; each namespace/serviceAccount pair appears once`);
        }
        seen.set(id, i);

        let identity = names[0];
        if (obj.identity !== undefined) {
            const wanted = obj.identity;
            const match = typeof wanted === "string" ? names.find((n) => n.toLowerCase() === wanted.toLowerCase()) : undefined;
            if (match === undefined) {
                const allowed = listed
                    ? `name one of the identities in ${PROJECT}:identities: ${names.join(", ")}`
                    : `there is one identity, ${names[0]}; list several under ${PROJECT}:identities to choose between them`;
                throw new ConfigError(`${itemKey}.identity`, wanted, allowed);
            }
            identity = match;
        } else if (listed && identities.length > 1) {
            throw new ConfigError(`${itemKey}.identity`, undefined, `with several identities each workload names its own: one of ${names.join(", ")}`);
        }
        const tokenExpiration = parseTokenExpiration(`${itemKey}.tokenExpiration`, obj.tokenExpiration);
        return { namespace, serviceAccount, identity, roles: parseRoles(`${itemKey}.roles`, obj.roles, sampleEnabled), tokenExpiration };
    });

    for (const name of names) {
        const count = workloads.filter((w) => w.identity === name).length;
        if (count > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
            throw new ConfigError(
                key,
                `${count} workloads on identity ${name}`,
                `Entra ID allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} federated credentials per identity; ` +
                    `add a second identity under ${PROJECT}:identities and move some workloads to it with identity: <name>`,
            );
        }
    }
    return workloads;
}

function parseSample(key: string, value: unknown): Omit<SampleConfig, "workload"> & { workloadRef?: string } {
    const obj = asObject(key, value, "{enabled: true}") ?? {};
    rejectUnknownFields(key, obj, KNOWN_KEYS.sample!);
    const enabled = parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.sample.enabled);
    const secretName = optionalString(`${key}.secretName`, obj.secretName) ?? DEFAULT_SAMPLE_SECRET_NAME;
    checkName(`${key}.secretName`, secretName, secretNameProblem);
    const vaultName = optionalString(`${key}.vaultName`, obj.vaultName);
    checkName(`${key}.vaultName`, vaultName, keyVaultNameProblem);
    const workloadRef = optionalString(`${key}.workload`, obj.workload);
    const image = optionalString(`${key}.image`, obj.image) ?? DEFAULT_SAMPLE_IMAGE;
    checkName(`${key}.image`, image, imageReferenceProblem);
    if (!enabled) {
        for (const field of ["workload", "secretName", "vaultName", "image"] as const) {
            if (obj[field] !== undefined) {
                throw new ConfigError(`${key}.${field}`, obj[field], `the sample is off; set ${key}.enabled true or remove ${field}`);
            }
        }
    }
    return { enabled, secretName, vaultName, workloadRef, image };
}

function sampleWorkload(key: string, ref: string | undefined, workloads: WorkloadConfig[]): WorkloadConfig {
    const listed = workloads.map((w) => `${w.namespace}/${w.serviceAccount}`);
    if (workloads.length === 0) {
        throw new ConfigError(`${PROJECT}:workloads`, [], `the sample (${key}.enabled) runs as a workload; list at least one, e.g. [{namespace: demo, serviceAccount: workload-sa}]`);
    }
    if (ref === undefined) return workloads[0];
    const i = listed.indexOf(ref);
    if (i < 0) throw new ConfigError(`${key}.workload`, ref, `name a listed workload as <namespace>/<serviceAccount>: ${listed.join(", ")}`);
    return workloads[i];
}

function parseStringList(key: string, value: unknown, problem: (v: string) => string | undefined): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new ConfigError(key, value, "expected a list of names");
    return value.map((item, i) => {
        if (typeof item !== "string") throw new ConfigError(`${key}[${i}]`, item, "expected a name");
        checkName(`${key}[${i}]`, item, problem);
        return item;
    });
}

/** A kubeconfig given in config: YAML with at least one cluster and one context. Never echoed: it holds credentials. */
function checkKubeconfig(key: string, text: string): void {
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch {
        doc = undefined;
    }
    const d = doc as { clusters?: unknown; contexts?: unknown } | undefined;
    if (!d || typeof d !== "object" || !Array.isArray(d.clusters) || d.clusters.length === 0 || !Array.isArray(d.contexts) || d.contexts.length === 0) {
        throw new ConfigError(key, "[the kubeconfig]", "expected a kubeconfig (YAML with clusters and contexts): `pulumi config set --secret kubeconfig -- \"$(kubectl config view --minify --raw)\"`");
    }
}

/** AKS cluster names: 1-63 letters, digits, hyphens and underscores, starting and ending alphanumeric. */
export function aksClusterNameProblem(name: string): string | undefined {
    return /^(?=.{1,63}$)[A-Za-z0-9]([-\w]*[A-Za-z0-9])?$/.test(name)
        ? undefined
        : "an AKS cluster name is 1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit";
}

const AKS_ONLY_FIELDS = ["existingResourceGroupName", "kubernetesVersion", "nodeSize", "nodeCount"] as const;

/** In aks mode: the settings of the other modes are refused, not ignored. Pulumi.yaml's defaults arrive always, so only values differing from them count as set. */
function rejectInAks(raw: (k: string) => unknown, kubeconfig: string | undefined): void {
    const why = "AKS hosts its own OIDC issuer, signing keys and webhook";
    const isDefault = (value: unknown, fallback: unknown) => value === undefined || JSON.stringify(value) === JSON.stringify(fallback);
    const issuer = raw("issuer");
    if (!isDefault(issuer, DEFAULTS.issuer)) {
        throw new ConfigError(`${PROJECT}:issuer`, issuer, `${why}: no storage issuer is built in aks mode; remove ${PROJECT}:issuer`);
    }
    const signingKey = raw("signingKey");
    if (!isDefault(signingKey, DEFAULTS.signingKey)) {
        throw new ConfigError(`${PROJECT}:signingKey`, signingKey && typeof signingKey === "object" && "publicKeys" in signingKey ? "[keys]" : signingKey, `${why}: AKS signs tokens with its own keys and rotates them; remove ${PROJECT}:signingKey`);
    }
    const webhook = raw("webhook");
    if (!isDefault(webhook, DEFAULTS.webhook)) {
        throw new ConfigError(`${PROJECT}:webhook`, webhook, `${why}: AKS runs the workload identity webhook itself (securityProfile.workloadIdentity); remove ${PROJECT}:webhook`);
    }
    if (kubeconfig !== undefined) {
        throw new ConfigError(`${PROJECT}:kubeconfig`, "[the kubeconfig]", "aks mode reads the cluster's credentials from Azure (listManagedClusterUserCredentials); remove it");
    }
}

function parseAks(key: string, obj: Record<string, unknown>, stack: string): AksConfig {
    for (const field of ["nodeImage", "context"] as const) {
        if (obj[field] !== undefined) {
            throw new ConfigError(`${key}.${field}`, obj[field], `${field} is for ${field === "nodeImage" ? "kind" : "existing"} clusters; aks mode takes name, existingResourceGroupName, kubernetesVersion, nodeSize and nodeCount`);
        }
    }
    const name = optionalString(`${key}.name`, obj.name) ?? `aks-${PROJECT}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
    checkName(`${key}.name`, name, aksClusterNameProblem);
    const existingResourceGroupName = optionalString(`${key}.existingResourceGroupName`, obj.existingResourceGroupName);
    checkName(`${key}.existingResourceGroupName`, existingResourceGroupName, resourceGroupNameProblem);
    const create = existingResourceGroupName === undefined;
    if (!create) {
        for (const field of ["kubernetesVersion", "nodeSize", "nodeCount"] as const) {
            if (obj[field] !== undefined) {
                throw new ConfigError(`${key}.${field}`, obj[field], `an existing AKS cluster (existingResourceGroupName) is used as it is; ${field} configures a cluster the stack creates`);
            }
        }
    }
    const kubernetesVersion = optionalString(`${key}.kubernetesVersion`, obj.kubernetesVersion);
    if (kubernetesVersion !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(kubernetesVersion)) {
        throw new ConfigError(`${key}.kubernetesVersion`, kubernetesVersion, "expected a Kubernetes version such as 1.33 or 1.33.2 (az aks get-versions -l <region>)");
    }
    const nodeSize = optionalString(`${key}.nodeSize`, obj.nodeSize) ?? AKS_DEFAULTS.nodeSize;
    if (!/^Standard_[A-Za-z0-9_]+$/.test(nodeSize)) {
        throw new ConfigError(`${key}.nodeSize`, nodeSize, "expected an Azure VM size such as Standard_D2s_v5");
    }
    const rawCount = obj.nodeCount;
    const nodeCount = rawCount === undefined ? AKS_DEFAULTS.nodeCount : typeof rawCount === "string" && /^\d+$/.test(rawCount) ? Number(rawCount) : rawCount;
    if (typeof nodeCount !== "number" || !Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 100) {
        throw new ConfigError(`${key}.nodeCount`, rawCount, "expected a whole number of nodes from 1 to 100");
    }
    return { name, existingResourceGroupName, create, kubernetesVersion, nodeSize, nodeCount };
}

function parseCluster(key: string, value: unknown, kubeconfigRaw: string | undefined, stack: string, byoKeys: boolean, raw: (k: string) => unknown): ClusterConfig {
    const obj = asObject(key, value, "{mode: kind}") ?? {};
    rejectUnknownFields(key, obj, KNOWN_KEYS.cluster!);
    const mode = oneOf(`${key}.mode`, obj.mode, CLUSTER_MODES, DEFAULTS.cluster.mode);
    if (mode === "aks") {
        rejectInAks(raw, kubeconfigRaw === undefined || kubeconfigRaw === "" ? undefined : kubeconfigRaw);
        const existingNamespaces = parseStringList(`${key}.existingNamespaces`, obj.existingNamespaces, namespaceProblem);
        return { mode, existingNamespaces, aks: parseAks(key, obj, stack) };
    }
    for (const field of AKS_ONLY_FIELDS) {
        if (obj[field] !== undefined) {
            throw new ConfigError(`${key}.${field}`, obj[field], `${field} configures an AKS cluster (cluster.mode aks)`);
        }
    }
    const kubeconfigKey = `${PROJECT}:kubeconfig`;
    const kubeconfig = kubeconfigRaw === undefined || kubeconfigRaw === "" ? undefined : kubeconfigRaw;
    const existingNamespaces = parseStringList(`${key}.existingNamespaces`, obj.existingNamespaces, namespaceProblem);
    const nodeImage = optionalString(`${key}.nodeImage`, obj.nodeImage);
    const context = optionalString(`${key}.context`, obj.context);
    const name = optionalString(`${key}.name`, obj.name);

    if (mode === "kind") {
        if (byoKeys) {
            throw new ConfigError(`${PROJECT}:signingKey.publicKeys`, "[public keys]", "a kind cluster the stack creates signs with the stack's own key; publicKeys (the cluster's own keys) is for cluster.mode existing");
        }
        if (context !== undefined) {
            throw new ConfigError(`${key}.context`, context, "kind mode uses the kubeconfig of the cluster it creates; context is for cluster.mode existing");
        }
        if (kubeconfig !== undefined) {
            throw new ConfigError(kubeconfigKey, "[the kubeconfig]", "kind mode uses the kubeconfig of the cluster it creates; remove it (`pulumi config rm kubeconfig`) or use cluster.mode existing");
        }
        const clusterName = name ?? defaultKindClusterName(PROJECT, stack);
        checkName(`${key}.name`, clusterName, kindClusterNameProblem);
        checkName(`${key}.nodeImage`, nodeImage, imageReferenceProblem);
        return { mode, name: clusterName, nodeImage, existingNamespaces };
    }

    for (const field of ["name", "nodeImage"] as const) {
        if (obj[field] !== undefined) {
            throw new ConfigError(`${key}.${field}`, obj[field], `${field} configures the kind cluster the stack creates (cluster.mode kind); an existing cluster is reached through entra-wif:kubeconfig or cluster.context`);
        }
    }
    if (kubeconfig !== undefined && context !== undefined) {
        throw new ConfigError(`${key}.context`, context, "give either entra-wif:kubeconfig or cluster.context, not both");
    }
    if (kubeconfig === undefined && context === undefined) {
        // Never deploy into whatever cluster happens to be current on the machine running `pulumi up`.
        throw new ConfigError(
            kubeconfigKey,
            undefined,
            "an existing cluster needs its kubeconfig: `pulumi config set --secret kubeconfig -- \"$(kubectl config view --minify --raw)\"`, or cluster.context naming a context of your kubeconfig",
        );
    }
    if (kubeconfig !== undefined) checkKubeconfig(kubeconfigKey, kubeconfig);
    return { mode, context, kubeconfig, existingNamespaces };
}

function parseWebhook(key: string, value: unknown): WebhookConfig {
    const obj = asObject(key, value, "{enabled: true, version: 1.6.0}") ?? {};
    rejectUnknownFields(key, obj, KNOWN_KEYS.webhook!);
    const enabled = parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.webhook.enabled);
    const version = optionalString(`${key}.version`, obj.version) ?? DEFAULTS.webhook.version;
    checkName(`${key}.version`, version, chartVersionProblem);
    const azureEnvironment = oneOf(`${key}.azureEnvironment`, obj.azureEnvironment, AZURE_ENVIRONMENTS, DEFAULTS.webhook.azureEnvironment);
    if (!enabled && obj.version !== undefined) {
        throw new ConfigError(`${key}.version`, obj.version, `the webhook is off (${key}.enabled false); remove version or enable it`);
    }
    return { enabled, version, azureEnvironment };
}

/**
 * Validates the whole stack configuration. `raw` is Pulumi's flat config map ("namespace:key" → string);
 * the stack name derives the default identity name.
 * Throws ConfigError for the first bad value.
 */
export function parseStackConfig(raw: Record<string, string>, context: { stack: string }): StackConfig {
    const ours = (k: string) => parseRaw(raw[`${PROJECT}:${k}`]);

    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        const k = fullKey.slice(PROJECT.length + 1);
        if (!(k in KNOWN_KEYS)) {
            const guess = closest(k, Object.keys(KNOWN_KEYS));
            throw new ConfigError(
                fullKey,
                parseRaw(raw[fullKey]),
                `"${k}" is not a known setting${guess ? `; did you mean "${PROJECT}:${guess}"?` : ""} (known: ${Object.keys(KNOWN_KEYS).join(", ")})`,
            );
        }
    }

    const location = raw["azure-native:location"];
    if (location === undefined || location === "") {
        throw new ConfigError("azure-native:location", location, "set the Azure region, e.g. `pulumi config set azure-native:location westeurope`");
    }
    if (!/^[a-z0-9]+$/.test(location)) {
        throw new ConfigError("azure-native:location", location, "expected an Azure region name such as westeurope (see `az account list-locations -o table`)");
    }

    const resourceGroupName = optionalString(`${PROJECT}:resourceGroupName`, ours("resourceGroupName"));
    checkName(`${PROJECT}:resourceGroupName`, resourceGroupName, resourceGroupNameProblem);

    const issuerKey = `${PROJECT}:issuer`;
    const issuerRaw = asObject(issuerKey, ours("issuer"), "{hosting: blob, containerName: oidc}") ?? {};
    rejectUnknownFields(issuerKey, issuerRaw, KNOWN_KEYS.issuer!);
    const hosting = oneOf(`${issuerKey}.hosting`, issuerRaw.hosting, ISSUER_HOSTINGS, DEFAULTS.issuer.hosting);
    const verify = parseBoolean(`${issuerKey}.verify`, issuerRaw.verify, DEFAULTS.issuer.verify);
    const storageAccountName = optionalString(`${issuerKey}.storageAccountName`, issuerRaw.storageAccountName);
    checkName(`${issuerKey}.storageAccountName`, storageAccountName, storageAccountNameProblem);
    let containerName = optionalString(`${issuerKey}.containerName`, issuerRaw.containerName);
    if (hosting === "staticWebsite") {
        if (containerName !== undefined) {
            throw new ConfigError(`${issuerKey}.containerName`, containerName, "staticWebsite hosting always serves from the $web container; remove containerName or use hosting: blob");
        }
    } else {
        containerName = containerName ?? DEFAULTS.issuer.containerName;
        checkName(`${issuerKey}.containerName`, containerName, containerNameProblem);
    }
    const customUrl = optionalString(`${issuerKey}.customUrl`, issuerRaw.customUrl);
    if (customUrl !== undefined) {
        const problems = issuerUrlProblems(customUrl);
        if (problems.length > 0) {
            throw new ConfigError(`${issuerKey}.customUrl`, customUrl, `Entra needs an https issuer URL with a host and no query, fragment or credentials: ${problems.join("; ")}`);
        }
    }

    const keyKey = `${PROJECT}:signingKey`;
    const keyRaw = asObject(keyKey, ours("signingKey"), "{rsaBits: 2048}") ?? {};
    rejectUnknownFields(keyKey, keyRaw, KNOWN_KEYS.signingKey!);
    const rsaBits = parseRsaBits(`${keyKey}.rsaBits`, keyRaw.rsaBits);
    const publicKeys = parsePublicKeys(`${keyKey}.publicKeys`, keyRaw.publicKeys);
    const listedKeys = parseKeyNames(`${keyKey}.keys`, keyRaw.keys);
    // The cluster's own keys alone: no key is generated, unless keys are listed (a migration to the stack's keys).
    const keys = listedKeys ?? (publicKeys.length > 0 ? [] : [INITIAL_KEY_NAME]);
    if (keys.length === 0 && keyRaw.rsaBits !== undefined) {
        throw new ConfigError(`${keyKey}.rsaBits`, keyRaw.rsaBits, "rsaBits sizes a generated key, and none is generated when publicKeys are given; remove one of the two");
    }

    const cluster = parseCluster(`${PROJECT}:cluster`, ours("cluster"), raw[`${PROJECT}:kubeconfig`], context.stack, publicKeys.length > 0, ours);
    const webhook = parseWebhook(`${PROJECT}:webhook`, ours("webhook"));

    const sampleKey = `${PROJECT}:sample`;
    const sample = parseSample(sampleKey, ours("sample"));

    const identityKey = `${PROJECT}:identity`;
    const identitiesKey = `${PROJECT}:identities`;
    const listedIdentities = parseIdentities(identitiesKey, ours("identities"), sample.enabled);
    let identities: IdentityConfig[];
    if (listedIdentities.length > 0) {
        // Pulumi.yaml's default {type: managedIdentity} always arrives; anything beyond it is a second definition.
        const single = asObject(identityKey, ours("identity"), "{type: managedIdentity}") ?? {};
        const fields = Object.keys(single).filter((f) => !(f === "type" && single.type === DEFAULTS.identity.type));
        if (fields.length > 0) {
            throw new ConfigError(identityKey, single, `${identitiesKey} already lists the identities; move ${fields.join(", ")} into that list and remove ${identityKey}`);
        }
        identities = listedIdentities;
    } else {
        identities = [parseIdentity(identityKey, ours("identity"), defaultIdentityName(PROJECT, context.stack), sample.enabled)];
    }

    const workloadsKey = `${PROJECT}:workloads`;
    const workloads = parseWorkloads(workloadsKey, ours("workloads"), identities, listedIdentities.length > 0, sample.enabled);

    return {
        location,
        resourceGroupName,
        issuer: { hosting, storageAccountName, containerName, verify, customUrl },
        signingKey: { rsaBits, publicKeys, keys },
        cluster,
        webhook,
        identities,
        workloads,
        sample: {
            enabled: sample.enabled,
            workload: sample.enabled ? sampleWorkload(sampleKey, sample.workloadRef, workloads) : undefined,
            secretName: sample.secretName,
            vaultName: sample.vaultName,
            image: sample.image,
        },
    };
}
