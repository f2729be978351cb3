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

/**
 * Several bad values found in one run: each its own ConfigError, reported one line each in key order, so a user fixes
 * them all at once instead of one `pulumi up` per mistake. (A single problem is thrown as that ConfigError itself.)
 */
export class ConfigProblems extends Error {
    constructor(readonly problems: ConfigError[]) {
        super(problems.map((p) => p.message).join("\n"));
        // The same name as ConfigError: every caller that treats a config error as the whole story treats these so too.
        this.name = "ConfigError";
    }
}

/** Collects ConfigErrors while parsing goes on with a stand-in value, so one run finds every problem. */
class Problems {
    private readonly found: ConfigError[] = [];

    /** Runs `parse`; on a ConfigError records it (or each of several) and returns `fallback`. */
    attempt<T>(parse: () => T, fallback: T): T {
        try {
            return parse();
        } catch (err) {
            if (err instanceof ConfigError) this.found.push(err);
            else if (err instanceof ConfigProblems) this.found.push(...err.problems);
            else throw err;
            return fallback;
        }
    }

    /** Throws what was found: nothing, the one ConfigError, or ConfigProblems sorted by key (stable for one key). */
    throwIfAny(): void {
        const unique = this.found.filter((p, i) => this.found.findIndex((q) => q.message === p.message) === i);
        if (unique.length === 1) throw unique[0];
        if (unique.length > 1) {
            const sorted = unique.map((p, i) => ({ p, i })).sort((a, b) => (a.p.key < b.p.key ? -1 : a.p.key > b.p.key ? 1 : a.i - b.i));
            throw new ConfigProblems(sorted.map(({ p }) => p));
        }
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
/**
 * azure-workload-identity's quickstart image: reads SECRET_NAME from KEYVAULT_URL with MSAL and workload identity.
 * The reference its quick start documents (docs/book/src/quick-start.md: `ghcr.io/azure/azure-workload-identity/msal-go`,
 * which its Makefile publishes as :latest); no versioned tag of it is documented. Pin a digest with sample.image.
 */
export const DEFAULT_SAMPLE_IMAGE = "ghcr.io/azure/azure-workload-identity/msal-go:latest";
/** The token lifetimes azure-workload-identity accepts in service-account-token-expiration (1 h to 24 h). */
export const TOKEN_EXPIRATION_RANGE = { min: 3600, max: 86400 } as const;
/** Namespaces every cluster has: never created or deleted by the stack. */
export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

const ISSUER_HOSTINGS: readonly IssuerHosting[] = ["blob", "staticWebsite"];
const CLUSTER_MODES: readonly ClusterMode[] = ["kind", "existing", "aks"];
const IDENTITY_TYPES: readonly IdentityType[] = ["managedIdentity", "application"];
const AZURE_ENVIRONMENTS: readonly AzureEnvironment[] = ["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud"];
const RSA_BITS = [2048, 3072, 4096] as const;

/** Keys this program reads under `entra-wif:` and, for objects, the fields each takes (Pulumi.yaml declares each; a test compares). */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[] | null>> = {
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

/**
 * The known fields that misspelt ones were meant to be ("serviceAcount" → serviceAccount): a check that such a field
 * is missing would only repeat the misspelling, so it is not made.
 */
function meantFields(obj: Record<string, unknown>, known: readonly string[]): Set<string> {
    const meant = new Set<string>();
    for (const field of Object.keys(obj)) {
        if (known.includes(field)) continue;
        const guess = closest(field, known);
        if (guess !== undefined && obj[guess] === undefined) meant.add(guess);
    }
    return meant;
}

function rejectUnknownFields(key: string, obj: Record<string, unknown>, known: readonly string[]): void {
    const problems = new Problems();
    for (const field of Object.keys(obj)) {
        if (!known.includes(field)) {
            const guess = closest(field, known);
            problems.attempt(() => {
                throw new ConfigError(
                    `${key}.${field}`,
                    obj[field],
                    `"${field}" is not a known setting of ${key}${guess ? `; did you mean "${guess}"?` : ""} (known: ${known.join(", ")})`,
                );
            }, undefined);
        }
    }
    problems.throwIfAny();
}

/**
 * A list setting: absent or null is empty, anything but a list is one problem, and each item is parsed on its own
 * so that every bad item is reported. A bad item is left out, or stands in as `placeholder(item)` when later checks
 * refer to it (a workload naming an identity whose own settings were wrong is not a second mistake).
 */
function listOf<T>(
    p: Problems,
    key: string,
    value: unknown,
    expected: string,
    parseItem: (item: unknown, itemKey: string, index: number) => T,
    placeholder?: (item: unknown) => T | undefined,
): T[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        p.attempt(() => {
            throw new ConfigError(key, value, expected);
        }, undefined);
        return [];
    }
    const items: T[] = [];
    value.forEach((item, i) => {
        const parsed = p.attempt<T | undefined>(() => parseItem(item, `${key}[${i}]`, i), placeholder?.(item));
        if (parsed !== undefined) items.push(parsed);
    });
    return items;
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

/** How a near miss is compared: case, hyphens, underscores and spaces do not count. */
const fold = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");

/**
 * One of a fixed set of words. A value that is a near miss says what was meant: a hint for a word users are known
 * to write (hints: folded word → advice), or the allowed word it differs from by case or by a letter or two.
 */
function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T, hints: Record<string, string> = {}): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !allowed.includes(value as T)) {
        const listed = `use one of: ${allowed.join(", ")}`;
        if (typeof value !== "string") throw new ConfigError(key, value, listed);
        const hint = hints[fold(value)];
        if (hint !== undefined) throw new ConfigError(key, value, `${hint}; ${listed}`);
        const sameWord = allowed.find((a) => fold(a) === fold(value));
        const guess = sameWord ?? (value.length >= 3 ? closest(value, allowed) : undefined);
        throw new ConfigError(key, value, guess !== undefined ? `did you mean "${guess}"? ${listed}` : listed);
    }
    return value as T;
}

/** Distributions users name as a cluster mode: each is a cluster they run, so mode existing and its snippet. */
const EXISTING_DISTRIBUTIONS: Record<string, string> = {
    minikube: "minikube",
    k0s: "k0s",
    kubeadm: "kubeadm",
    k3s: "kubeadm",
    k3d: "kubeadm",
    rke2: "kubeadm",
    microk8s: "kubeadm",
    dockerdesktop: "kubeadm",
    rancherdesktop: "kubeadm",
    arc: "kubeadm",
    azurearc: "kubeadm",
    connectedcluster: "kubeadm",
};

const CLUSTER_MODE_HINTS: Record<string, string> = Object.fromEntries(
    Object.entries(EXISTING_DISTRIBUTIONS).map(([word, snippet]) => {
        const what = word.includes("arc") || word === "connectedcluster" ? "an Arc-connected cluster" : word;
        const apply =
            snippet === word
                ? `the ${snippet} snippet of \`pulumi stack output clusterSnippets\``
                : `the kube-apiserver and kube-controller-manager flags of \`pulumi stack output kubeApiServerFlags\` / \`kubeControllerManagerFlags\` (clusterSnippets.kubeadm shows them in kubeadm's form)`;
        return [word, `${what} is a cluster you run: set cluster.mode existing (reach it with cluster.context or ${PROJECT}:kubeconfig) and apply ${apply}; examples/Pulumi.existing.yaml shows the stack`];
    }),
);
Object.assign(CLUSTER_MODE_HINTS, {
    eks: "this program federates Azure workloads; an EKS or GKE cluster is a cluster you run: set cluster.mode existing and apply the flags your provider allows (managed control planes usually do not: use the cluster's own issuer with signingKey.publicKeys)",
    gke: "this program federates Azure workloads; an EKS or GKE cluster is a cluster you run: set cluster.mode existing and apply the flags your provider allows (managed control planes usually do not: use the cluster's own issuer with signingKey.publicKeys)",
    managedcluster: "an AKS cluster is mode aks",
    azurekubernetesservice: "an AKS cluster is mode aks",
});

const IDENTITY_TYPE_HINTS: Record<string, string> = {
    ...Object.fromEntries(["userassigned", "userassignedidentity", "userassignedmanagedidentity", "uami", "msi", "managed", "mi"].map((w) => [w, 'a user-assigned managed identity is type "managedIdentity"'])),
    ...Object.fromEntries(["systemassigned", "systemassignedidentity"].map((w) => [w, 'a system-assigned identity belongs to one Azure resource and cannot federate with a cluster; use a user-assigned one, type "managedIdentity"'])),
    ...Object.fromEntries(["app", "appregistration", "serviceprincipal", "sp", "spn", "entraapp", "aadapp"].map((w) => [w, 'an app registration (with its service principal) is type "application"'])),
};

const HOSTING_HINTS: Record<string, string> = {
    ...Object.fromEntries(["static", "website", "web", "staticsite", "$web"].map((w) => [w, 'the storage account\'s static website ($web) is hosting "staticWebsite"'])),
    ...Object.fromEntries(["blobs", "container", "blobcontainer", "storage", "blobstorage"].map((w) => [w, 'a public-read blob container is hosting "blob"'])),
    ...Object.fromEntries(["cdn", "frontdoor", "afd", "customdomain"].map((w) => [w, "a CDN or custom domain in front of the storage keeps hosting blob or staticWebsite and sets issuer.customUrl to its URL"])),
};

/** The Azure CLI's cloud names (az cloud list) differ from the webhook's: map them. */
const AZURE_ENVIRONMENT_HINTS: Record<string, string> = {
    azurecloud: 'the Azure CLI calls the public cloud AzureCloud; the webhook calls it "AzurePublicCloud"',
    public: 'the public cloud is "AzurePublicCloud"',
    azurepublic: 'the public cloud is "AzurePublicCloud"',
    azureusgovernment: 'the Azure CLI calls it AzureUSGovernment; the webhook calls it "AzureUSGovernmentCloud"',
    usgov: 'US Government is "AzureUSGovernmentCloud"',
    usgovernment: 'US Government is "AzureUSGovernmentCloud"',
    china: 'Azure China (21Vianet) is "AzureChinaCloud"',
    azurechina: 'Azure China (21Vianet) is "AzureChinaCloud"',
    azuregermancloud: "Azure Germany was closed in 2021; its regions are in the public cloud, AzurePublicCloud",
};

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

function parseKeyNames(p: Problems, key: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
        p.attempt(() => {
            throw new ConfigError(key, value, `expected a non-empty list of key names, oldest first, e.g. ["${INITIAL_KEY_NAME}", "2027-02"]; the last one signs`);
        }, undefined);
        return undefined;
    }
    const seen = new Map<string, number>();
    return listOf(p, key, value, "", (item, itemKey, i) => {
        if (typeof item !== "string") throw new ConfigError(itemKey, item, "expected a key name");
        checkName(itemKey, item, keyNameProblem);
        const first = seen.get(item);
        if (first !== undefined) throw new ConfigError(itemKey, item, `the name is already listed at ${key}[${first}]; each key once`);
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

function parsePublicKeys(p: Problems, key: string, value: unknown): string[] {
    const kids = new Map<string, number>();
    return listOf(p, key, value, "expected a list of PEM public keys", (pem, itemKey, i) => {
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

function parseRoles(p: Problems, key: string, value: unknown, sampleEnabled: boolean): RoleGrantConfig[] {
    return listOf(p, key, value, "expected a list of {role, scope}, e.g. [{role: Reader, scope: resourceGroup}]", (item, itemKey) => {
        const obj = asObject(itemKey, item, "{role: Key Vault Secrets User, scope: sampleKeyVault}");
        if (!obj) throw new ConfigError(itemKey, item, "expected {role, scope}");
        const fields = new Problems();
        fields.attempt(() => rejectUnknownFields(itemKey, obj, ROLE_FIELDS), undefined);
        const meant = meantFields(obj, ROLE_FIELDS);
        const role = obj.role;
        const roleId = fields.attempt(() => {
            if (role === undefined && meant.has("role")) return "";
            if (typeof role !== "string" || role.trim() === "") {
                throw new ConfigError(`${itemKey}.role`, role, "expected a built-in role name such as Reader, or a role definition GUID");
            }
            try {
                return resolveRole(role);
            } catch (err) {
                if (err instanceof UnknownRoleError) throw new ConfigError(`${itemKey}.role`, role, err.message);
                throw err;
            }
        }, "");
        const scope = obj.scope;
        fields.attempt(() => {
            if (scope === undefined && meant.has("scope")) return;
            if (typeof scope !== "string") {
                throw new ConfigError(`${itemKey}.scope`, scope, `expected ${SCOPE_KEYWORDS.join(", ")} or a full ARM id`);
            }
            const problem = scopeProblem(scope);
            if (problem) throw new ConfigError(`${itemKey}.scope`, scope, problem);
            if (scope === "sampleKeyVault" && !sampleEnabled) {
                throw new ConfigError(`${itemKey}.scope`, scope, `the sample Key Vault exists only with ${PROJECT}:sample.enabled true; enable it or give the vault's ARM id`);
            }
        }, undefined);
        fields.throwIfAny();
        return { role: role as string, roleId, scope: scope as string };
    });
}

function parseIdentity(p: Problems, key: string, value: unknown, fallbackName: string, sampleEnabled: boolean): IdentityConfig {
    const obj = p.attempt(() => asObject(key, value, "{type: managedIdentity}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.identity!), undefined);
    const type = p.attempt(() => oneOf(`${key}.type`, obj.type, IDENTITY_TYPES, DEFAULTS.identity.type, IDENTITY_TYPE_HINTS), DEFAULTS.identity.type);
    const name = p.attempt(() => optionalString(`${key}.name`, obj.name), undefined) ?? fallbackName;
    // An empty name (an identities entry without one) is reported by the list.
    if (name !== "") p.attempt(() => checkName(`${key}.name`, name, identityNameProblem), undefined);
    return { name, type, roles: parseRoles(p, `${key}.roles`, obj.roles, sampleEnabled) };
}

function parseIdentities(p: Problems, key: string, value: unknown, sampleEnabled: boolean): IdentityConfig[] {
    const seen = new Map<string, number>();
    return listOf(
        p,
        key,
        value,
        "expected a list of {name, type}, e.g. [{name: id-frontend, type: managedIdentity}]",
        (item, itemKey, i) => {
            const obj = asObject(itemKey, item, "{name: id-frontend, type: managedIdentity}");
            if (!obj) throw new ConfigError(itemKey, item, "expected {name, type}");
            const fields = new Problems();
            fields.attempt(() => rejectUnknownFields(itemKey, obj, KNOWN_KEYS.identities!), undefined);
            const meant = meantFields(obj, KNOWN_KEYS.identities!);
            if ((obj.name === undefined && !meant.has("name")) || obj.name === "") {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.name`, obj.name, "each identity in the list needs a name; workloads refer to it with identity: <name>");
                }, undefined);
            }
            if (obj.type === undefined && !meant.has("type")) {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.type`, obj.type, `use one of: ${IDENTITY_TYPES.join(", ")}`);
                }, undefined);
            }
            const identity = parseIdentity(fields, itemKey, obj, "", sampleEnabled);
            // Azure resource names are case-insensitive: two names differing in case are one identity.
            const first = seen.get(identity.name.toLowerCase());
            if (first !== undefined && identity.name !== "") {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.name`, identity.name, `the name is already used by ${key}[${first}]; give each identity its own name`);
                }, undefined);
            }
            seen.set(identity.name.toLowerCase(), i);
            fields.throwIfAny();
            return identity;
        },
        // A bad identity's workloads still name it: keep its name so that they are not reported as well.
        (item) => {
            const name = item && typeof item === "object" ? (item as Record<string, unknown>).name : undefined;
            return typeof name === "string" && name !== "" ? { name, type: DEFAULTS.identity.type, roles: [] } : undefined;
        },
    );
}

function parseWorkloads(p: Problems, key: string, value: unknown, identities: IdentityConfig[], listed: boolean, sampleEnabled: boolean): WorkloadConfig[] {
    const names = identities.map((id) => id.name);
    const seen = new Map<string, number>();
    const workloads = listOf(
        p,
        key,
        value,
        "expected a list of {namespace, serviceAccount}",
        (item, itemKey, i): WorkloadConfig => {
            const obj = asObject(itemKey, item, "{namespace: demo, serviceAccount: workload-sa}");
            if (!obj) throw new ConfigError(itemKey, item, "expected {namespace, serviceAccount}");
            const fields = new Problems();
            fields.attempt(() => rejectUnknownFields(itemKey, obj, KNOWN_KEYS.workloads!), undefined);
            const meant = meantFields(obj, KNOWN_KEYS.workloads!);
            const namespace = obj.namespace;
            const serviceAccount = obj.serviceAccount;
            fields.attempt(() => {
                if (namespace === undefined && meant.has("namespace")) return;
                if (typeof namespace !== "string") throw new ConfigError(`${itemKey}.namespace`, namespace, "expected a Kubernetes namespace name");
                checkName(`${itemKey}.namespace`, namespace, namespaceProblem);
            }, undefined);
            fields.attempt(() => {
                if (serviceAccount === undefined && meant.has("serviceAccount")) return;
                if (typeof serviceAccount !== "string") throw new ConfigError(`${itemKey}.serviceAccount`, serviceAccount, "expected a Kubernetes service account name");
                checkName(`${itemKey}.serviceAccount`, serviceAccount, serviceAccountProblem);
            }, undefined);
            const id = `${namespace}/${serviceAccount}`;
            const first = seen.get(id);
            if (first !== undefined) {
                fields.attempt(() => {
                    throw new ConfigError(itemKey, obj, `${id} is already listed at ${key}[${first}]; each namespace/serviceAccount pair appears once`);
                }, undefined);
            } else {
                seen.set(id, i);
            }

            let identity = names[0];
            if (obj.identity !== undefined) {
                const wanted = obj.identity;
                const match = typeof wanted === "string" ? names.find((n) => n.toLowerCase() === wanted.toLowerCase()) : undefined;
                if (match === undefined) {
                    const allowed = listed
                        ? `name one of the identities in ${PROJECT}:identities: ${names.join(", ")}`
                        : `there is one identity, ${names[0]}; list several under ${PROJECT}:identities to choose between them`;
                    fields.attempt(() => {
                        throw new ConfigError(`${itemKey}.identity`, wanted, allowed);
                    }, undefined);
                } else {
                    identity = match;
                }
            } else if (listed && identities.length > 1 && !meant.has("identity")) {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.identity`, undefined, `with several identities each workload names its own: one of ${names.join(", ")}`);
                }, undefined);
            }
            const tokenExpiration = fields.attempt(() => parseTokenExpiration(`${itemKey}.tokenExpiration`, obj.tokenExpiration), undefined);
            const roles = parseRoles(fields, `${itemKey}.roles`, obj.roles, sampleEnabled);
            fields.throwIfAny();
            return { namespace: namespace as string, serviceAccount: serviceAccount as string, identity, roles, tokenExpiration };
        },
        // A bad workload the sample names is still the sample's: keep its names so that the sample is not reported too.
        (item) => {
            const o = item && typeof item === "object" ? (item as Record<string, unknown>) : {};
            return typeof o.namespace === "string" && typeof o.serviceAccount === "string"
                ? { namespace: o.namespace, serviceAccount: o.serviceAccount, identity: names[0], roles: [], tokenExpiration: undefined }
                : undefined;
        },
    );

    for (const name of names) {
        const count = workloads.filter((w) => w.identity === name).length;
        if (count > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
            p.attempt(() => {
                throw new ConfigError(
                    key,
                    `${count} workloads on identity ${name}`,
                    `Entra ID allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} federated credentials per identity; ` +
                        `add a second identity under ${PROJECT}:identities and move some workloads to it with identity: <name>`,
                );
            }, undefined);
        }
    }
    return workloads;
}

function parseSample(p: Problems, key: string, value: unknown): Omit<SampleConfig, "workload"> & { workloadRef?: string } {
    const obj = p.attempt(() => asObject(key, value, "{enabled: true}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.sample!), undefined);
    // A misspelt enabled still decides which other checks apply: read it leniently for them.
    const enabled = p.attempt(() => parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.sample.enabled), obj.enabled === "true");
    const secretName = p.attempt(() => optionalString(`${key}.secretName`, obj.secretName), undefined) ?? DEFAULT_SAMPLE_SECRET_NAME;
    p.attempt(() => checkName(`${key}.secretName`, secretName, secretNameProblem), undefined);
    const vaultName = p.attempt(() => optionalString(`${key}.vaultName`, obj.vaultName), undefined);
    p.attempt(() => checkName(`${key}.vaultName`, vaultName, keyVaultNameProblem), undefined);
    const workloadRef = p.attempt(() => optionalString(`${key}.workload`, obj.workload), undefined);
    const image = p.attempt(() => optionalString(`${key}.image`, obj.image), undefined) ?? DEFAULT_SAMPLE_IMAGE;
    p.attempt(() => checkName(`${key}.image`, image, imageReferenceProblem), undefined);
    // "enable: true" was meant to turn it on: its other settings are not reported as set on a sample that is off.
    if (!enabled && !meantFields(obj, KNOWN_KEYS.sample!).has("enabled")) {
        for (const field of ["workload", "secretName", "vaultName", "image"] as const) {
            if (obj[field] !== undefined) {
                p.attempt(() => {
                    throw new ConfigError(`${key}.${field}`, obj[field], `the sample is off; set ${key}.enabled true or remove ${field}`);
                }, undefined);
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

function parseStringList(p: Problems, key: string, value: unknown, problem: (v: string) => string | undefined): string[] {
    return listOf(p, key, value, "expected a list of names", (item, itemKey) => {
        if (typeof item !== "string") throw new ConfigError(itemKey, item, "expected a name");
        checkName(itemKey, item, problem);
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
function rejectInAks(p: Problems, raw: (k: string) => unknown, kubeconfig: string | undefined): void {
    const why = "AKS hosts its own OIDC issuer, signing keys and webhook";
    const isDefault = (value: unknown, fallback: unknown) => value === undefined || JSON.stringify(value) === JSON.stringify(fallback);
    const refuse = (key: string, value: unknown, allowed: string) =>
        p.attempt(() => {
            throw new ConfigError(key, value, allowed);
        }, undefined);
    const issuer = raw("issuer");
    if (!isDefault(issuer, DEFAULTS.issuer)) {
        refuse(`${PROJECT}:issuer`, issuer, `${why}: no storage issuer is built in aks mode; remove ${PROJECT}:issuer`);
    }
    const signingKey = raw("signingKey");
    if (!isDefault(signingKey, DEFAULTS.signingKey)) {
        refuse(`${PROJECT}:signingKey`, signingKey && typeof signingKey === "object" && "publicKeys" in signingKey ? "[keys]" : signingKey, `${why}: AKS signs tokens with its own keys and rotates them; remove ${PROJECT}:signingKey`);
    }
    const webhook = raw("webhook");
    if (!isDefault(webhook, DEFAULTS.webhook)) {
        refuse(`${PROJECT}:webhook`, webhook, `${why}: AKS runs the workload identity webhook itself (securityProfile.workloadIdentity); remove ${PROJECT}:webhook`);
    }
    if (kubeconfig !== undefined) {
        refuse(`${PROJECT}:kubeconfig`, "[the kubeconfig]", "aks mode reads the cluster's credentials from Azure (listManagedClusterUserCredentials); remove it");
    }
}

function parseAks(p: Problems, key: string, obj: Record<string, unknown>, stack: string): AksConfig {
    for (const field of ["nodeImage", "context"] as const) {
        if (obj[field] !== undefined) {
            p.attempt(() => {
                throw new ConfigError(`${key}.${field}`, obj[field], `${field} is for ${field === "nodeImage" ? "kind" : "existing"} clusters; aks mode takes name, existingResourceGroupName, kubernetesVersion, nodeSize and nodeCount`);
            }, undefined);
        }
    }
    const defaultName = `aks-${PROJECT}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
    const name = p.attempt(() => optionalString(`${key}.name`, obj.name), undefined) ?? defaultName;
    p.attempt(() => checkName(`${key}.name`, name, aksClusterNameProblem), undefined);
    const existingResourceGroupName = p.attempt(() => optionalString(`${key}.existingResourceGroupName`, obj.existingResourceGroupName), undefined);
    p.attempt(() => checkName(`${key}.existingResourceGroupName`, existingResourceGroupName, resourceGroupNameProblem), undefined);
    const create = existingResourceGroupName === undefined;
    if (!create) {
        for (const field of ["kubernetesVersion", "nodeSize", "nodeCount"] as const) {
            if (obj[field] !== undefined) {
                p.attempt(() => {
                    throw new ConfigError(`${key}.${field}`, obj[field], `an existing AKS cluster (existingResourceGroupName) is used as it is; ${field} configures a cluster the stack creates`);
                }, undefined);
            }
        }
    }
    const kubernetesVersion = p.attempt(() => {
        const version = optionalString(`${key}.kubernetesVersion`, obj.kubernetesVersion);
        if (version !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(version)) {
            throw new ConfigError(`${key}.kubernetesVersion`, version, "expected a Kubernetes version such as 1.33 or 1.33.2 (az aks get-versions -l <region>)");
        }
        return version;
    }, undefined);
    const nodeSize = p.attempt(() => {
        const size = optionalString(`${key}.nodeSize`, obj.nodeSize) ?? AKS_DEFAULTS.nodeSize;
        if (!/^Standard_[A-Za-z0-9_]+$/.test(size)) {
            throw new ConfigError(`${key}.nodeSize`, size, "expected an Azure VM size such as Standard_D2s_v5");
        }
        return size;
    }, AKS_DEFAULTS.nodeSize);
    const nodeCount = p.attempt(() => {
        const rawCount = obj.nodeCount;
        const count = rawCount === undefined ? AKS_DEFAULTS.nodeCount : typeof rawCount === "string" && /^\d+$/.test(rawCount) ? Number(rawCount) : rawCount;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 100) {
            throw new ConfigError(`${key}.nodeCount`, rawCount, "expected a whole number of nodes from 1 to 100");
        }
        return count;
    }, AKS_DEFAULTS.nodeCount);
    return { name, existingResourceGroupName, create, kubernetesVersion, nodeSize, nodeCount };
}

function parseCluster(p: Problems, key: string, value: unknown, kubeconfigRaw: string | undefined, stack: string, byoKeys: boolean, raw: (k: string) => unknown): ClusterConfig {
    const obj = p.attempt(() => asObject(key, value, "{mode: kind}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.cluster!), undefined);
    const refuse = (k: string, v: unknown, allowed: string) =>
        p.attempt(() => {
            throw new ConfigError(k, v, allowed);
        }, undefined);
    const mode = p.attempt(() => oneOf(`${key}.mode`, obj.mode, CLUSTER_MODES, DEFAULTS.cluster.mode, CLUSTER_MODE_HINTS), undefined);
    // With no valid mode, no mode-specific check can be told apart from a consequence of the mode: report the mode alone.
    if (mode === undefined) return { mode: DEFAULTS.cluster.mode, existingNamespaces: [] };
    const existingNamespaces = parseStringList(p, `${key}.existingNamespaces`, obj.existingNamespaces, namespaceProblem);
    if (mode === "aks") {
        rejectInAks(p, raw, kubeconfigRaw === undefined || kubeconfigRaw === "" ? undefined : kubeconfigRaw);
        return { mode, existingNamespaces, aks: parseAks(p, key, obj, stack) };
    }
    for (const field of AKS_ONLY_FIELDS) {
        if (obj[field] !== undefined) refuse(`${key}.${field}`, obj[field], `${field} configures an AKS cluster (cluster.mode aks)`);
    }
    const kubeconfigKey = `${PROJECT}:kubeconfig`;
    const kubeconfig = kubeconfigRaw === undefined || kubeconfigRaw === "" ? undefined : kubeconfigRaw;
    const nodeImage = p.attempt(() => optionalString(`${key}.nodeImage`, obj.nodeImage), undefined);
    const context = p.attempt(() => optionalString(`${key}.context`, obj.context), undefined);
    const name = p.attempt(() => optionalString(`${key}.name`, obj.name), undefined);

    if (mode === "kind") {
        if (byoKeys) {
            refuse(`${PROJECT}:signingKey.publicKeys`, "[public keys]", "a kind cluster the stack creates signs with the stack's own key; publicKeys (the cluster's own keys) is for cluster.mode existing");
        }
        if (context !== undefined) {
            refuse(`${key}.context`, context, "kind mode uses the kubeconfig of the cluster it creates; context is for cluster.mode existing");
        }
        if (kubeconfig !== undefined) {
            refuse(kubeconfigKey, "[the kubeconfig]", "kind mode uses the kubeconfig of the cluster it creates; remove it (`pulumi config rm kubeconfig`) or use cluster.mode existing");
        }
        const clusterName = name ?? defaultKindClusterName(PROJECT, stack);
        p.attempt(() => checkName(`${key}.name`, clusterName, kindClusterNameProblem), undefined);
        p.attempt(() => checkName(`${key}.nodeImage`, nodeImage, imageReferenceProblem), undefined);
        return { mode, name: clusterName, nodeImage, existingNamespaces };
    }

    for (const field of ["name", "nodeImage"] as const) {
        if (obj[field] !== undefined) {
            refuse(`${key}.${field}`, obj[field], `${field} configures the kind cluster the stack creates (cluster.mode kind); an existing cluster is reached through ${PROJECT}:kubeconfig or cluster.context`);
        }
    }
    if (kubeconfig !== undefined && context !== undefined) {
        refuse(`${key}.context`, context, `give either ${PROJECT}:kubeconfig or cluster.context, not both`);
    }
    if (kubeconfig === undefined && context === undefined && !meantFields(obj, KNOWN_KEYS.cluster!).has("context")) {
        // Never deploy into whatever cluster happens to be current on the machine running `pulumi up`.
        refuse(
            kubeconfigKey,
            undefined,
            "an existing cluster needs its kubeconfig: `pulumi config set --secret kubeconfig -- \"$(kubectl config view --minify --raw)\"`, or cluster.context naming a context of your kubeconfig",
        );
    }
    if (kubeconfig !== undefined) p.attempt(() => checkKubeconfig(kubeconfigKey, kubeconfig), undefined);
    return { mode, context, kubeconfig, existingNamespaces };
}

function parseWebhook(p: Problems, key: string, value: unknown): WebhookConfig {
    const obj = p.attempt(() => asObject(key, value, "{enabled: true, version: 1.6.0}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.webhook!), undefined);
    const enabled = p.attempt(() => parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.webhook.enabled), DEFAULTS.webhook.enabled);
    const version = p.attempt(() => optionalString(`${key}.version`, obj.version), undefined) ?? DEFAULTS.webhook.version;
    p.attempt(() => checkName(`${key}.version`, version, chartVersionProblem), undefined);
    const azureEnvironment = p.attempt(
        () => oneOf(`${key}.azureEnvironment`, obj.azureEnvironment, AZURE_ENVIRONMENTS, DEFAULTS.webhook.azureEnvironment, AZURE_ENVIRONMENT_HINTS),
        DEFAULTS.webhook.azureEnvironment,
    );
    if (!enabled && obj.version !== undefined) {
        p.attempt(() => {
            throw new ConfigError(`${key}.version`, obj.version, `the webhook is off (${key}.enabled false); remove version or enable it`);
        }, undefined);
    }
    return { enabled, version, azureEnvironment };
}

function parseIssuer(p: Problems, key: string, value: unknown): IssuerConfig {
    const obj = p.attempt(() => asObject(key, value, "{hosting: blob, containerName: oidc}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.issuer!), undefined);
    const hosting = p.attempt(() => oneOf(`${key}.hosting`, obj.hosting, ISSUER_HOSTINGS, DEFAULTS.issuer.hosting, HOSTING_HINTS), undefined);
    const verify = p.attempt(() => parseBoolean(`${key}.verify`, obj.verify, DEFAULTS.issuer.verify), DEFAULTS.issuer.verify);
    const storageAccountName = p.attempt(() => optionalString(`${key}.storageAccountName`, obj.storageAccountName), undefined);
    p.attempt(() => checkName(`${key}.storageAccountName`, storageAccountName, storageAccountNameProblem), undefined);
    let containerName = p.attempt(() => optionalString(`${key}.containerName`, obj.containerName), undefined);
    if (hosting === "staticWebsite") {
        if (containerName !== undefined) {
            p.attempt(() => {
                throw new ConfigError(`${key}.containerName`, containerName, "staticWebsite hosting always serves from the $web container; remove containerName or use hosting: blob");
            }, undefined);
        }
        containerName = undefined;
    } else {
        containerName = containerName ?? DEFAULTS.issuer.containerName;
        p.attempt(() => checkName(`${key}.containerName`, containerName, containerNameProblem), undefined);
    }
    const customUrl = p.attempt(() => {
        const url = optionalString(`${key}.customUrl`, obj.customUrl);
        if (url !== undefined) {
            const problems = issuerUrlProblems(url);
            if (problems.length > 0) {
                throw new ConfigError(`${key}.customUrl`, url, `Entra needs an https issuer URL with a host and no query, fragment or credentials: ${problems.join("; ")}`);
            }
        }
        return url;
    }, undefined);
    return { hosting: hosting ?? DEFAULTS.issuer.hosting, storageAccountName, containerName, verify, customUrl };
}

function parseSigningKey(p: Problems, key: string, value: unknown): SigningKeyConfig {
    const obj = p.attempt(() => asObject(key, value, "{rsaBits: 2048}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.signingKey!), undefined);
    const rsaBits = p.attempt(() => parseRsaBits(`${key}.rsaBits`, obj.rsaBits), DEFAULTS.signingKey.rsaBits);
    const publicKeys = parsePublicKeys(p, `${key}.publicKeys`, obj.publicKeys);
    const listedKeys = parseKeyNames(p, `${key}.keys`, obj.keys);
    // The cluster's own keys alone: no key is generated, unless keys are listed (a migration to the stack's keys).
    const keys = listedKeys ?? (publicKeys.length > 0 ? [] : [INITIAL_KEY_NAME]);
    if (keys.length === 0 && obj.rsaBits !== undefined) {
        p.attempt(() => {
            throw new ConfigError(`${key}.rsaBits`, obj.rsaBits, "rsaBits sizes a generated key, and none is generated when publicKeys are given; remove one of the two");
        }, undefined);
    }
    return { rsaBits, publicKeys, keys };
}

/**
 * Validates the whole stack configuration. `raw` is Pulumi's flat config map ("namespace:key" → string);
 * the stack name derives the default identity name.
 * Throws the ConfigError when one value is bad, and ConfigProblems (one line per problem, in key order) when several are.
 */
export function parseStackConfig(raw: Record<string, string>, context: { stack: string }): StackConfig {
    const p = new Problems();
    const ours = (k: string) => parseRaw(raw[`${PROJECT}:${k}`]);
    /** Top-level keys a misspelt key was meant to be: what follows from their absence is not reported again. */
    const meantKeys = new Set<string>();

    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        const k = fullKey.slice(PROJECT.length + 1);
        if (!(k in KNOWN_KEYS)) {
            const guess = closest(k, Object.keys(KNOWN_KEYS));
            if (guess !== undefined) meantKeys.add(guess);
            p.attempt(() => {
                throw new ConfigError(
                    fullKey,
                    parseRaw(raw[fullKey]),
                    `"${k}" is not a known setting${guess ? `; did you mean "${PROJECT}:${guess}"?` : ""} (known: ${Object.keys(KNOWN_KEYS).join(", ")})`,
                );
            }, undefined);
        }
    }

    const location = raw["azure-native:location"];
    p.attempt(() => {
        if (location === undefined || location === "") {
            throw new ConfigError("azure-native:location", location, "set the Azure region, e.g. `pulumi config set azure-native:location westeurope`");
        }
        if (!/^[a-z0-9]+$/.test(location)) {
            throw new ConfigError("azure-native:location", location, "expected an Azure region name such as westeurope (see `az account list-locations -o table`)");
        }
    }, undefined);

    const resourceGroupName = p.attempt(() => optionalString(`${PROJECT}:resourceGroupName`, ours("resourceGroupName")), undefined);
    p.attempt(() => checkName(`${PROJECT}:resourceGroupName`, resourceGroupName, resourceGroupNameProblem), undefined);

    const issuer = parseIssuer(p, `${PROJECT}:issuer`, ours("issuer"));
    const signingKey = parseSigningKey(p, `${PROJECT}:signingKey`, ours("signingKey"));
    const cluster = parseCluster(p, `${PROJECT}:cluster`, ours("cluster"), raw[`${PROJECT}:kubeconfig`], context.stack, signingKey.publicKeys.length > 0, ours);
    const webhook = parseWebhook(p, `${PROJECT}:webhook`, ours("webhook"));

    const sampleKey = `${PROJECT}:sample`;
    const sample = parseSample(p, sampleKey, ours("sample"));

    const identityKey = `${PROJECT}:identity`;
    const identitiesKey = `${PROJECT}:identities`;
    const listedIdentities = parseIdentities(p, identitiesKey, ours("identities"), sample.enabled);
    let identities: IdentityConfig[];
    if (listedIdentities.length > 0) {
        // Pulumi.yaml's default {type: managedIdentity} always arrives; anything beyond it is a second definition.
        const single = p.attempt(() => asObject(identityKey, ours("identity"), "{type: managedIdentity}"), undefined) ?? {};
        const fields = Object.keys(single).filter((f) => !(f === "type" && single.type === DEFAULTS.identity.type));
        if (fields.length > 0) {
            p.attempt(() => {
                throw new ConfigError(identityKey, single, `${identitiesKey} already lists the identities; move ${fields.join(", ")} into that list and remove ${identityKey}`);
            }, undefined);
        }
        identities = listedIdentities;
    } else {
        identities = [parseIdentity(p, identityKey, ours("identity"), defaultIdentityName(PROJECT, context.stack), sample.enabled)];
    }

    const workloadsKey = `${PROJECT}:workloads`;
    const workloadsRaw = ours("workloads");
    const workloads = parseWorkloads(p, workloadsKey, workloadsRaw, identities, listedIdentities.length > 0, sample.enabled);
    // A workloads value that is not a list is one problem already; "list at least one" would only repeat it.
    const workloadsListed = (workloadsRaw === undefined || workloadsRaw === null || Array.isArray(workloadsRaw)) && !meantKeys.has("workloads");
    const sampleRunsAs = sample.enabled && workloadsListed ? p.attempt(() => sampleWorkload(sampleKey, sample.workloadRef, workloads), undefined) : undefined;

    p.throwIfAny();
    return {
        location,
        resourceGroupName,
        issuer,
        signingKey,
        cluster,
        webhook,
        identities,
        workloads,
        sample: {
            enabled: sample.enabled,
            workload: sampleRunsAs,
            secretName: sample.secretName,
            vaultName: sample.vaultName,
            image: sample.image,
        },
    };
}
