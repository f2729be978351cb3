/** The config contract: the types the components import, the defaults Pulumi.yaml declares too, and the keys each section takes. */

import type { Distribution } from "../cluster/distributions";
export const PROJECT = "entra-wif";

/**
 * The value the offline plan hands the program for a value `pulumi config set --secret` stored (`{secure: ...}`):
 * present and secret, but not readable without the stack's passphrase. The config parser takes it as present and
 * checks nothing in it; `pulumi up` decrypts the real value and checks it.
 */
export const OFFLINE_SECRET = "[secure: encrypted in the stack file; not readable offline]";

/** The namespaces of the providers the program configures: a near miss of one of them is a typo. */
export const KNOWN_NAMESPACES = [PROJECT, "azure-native", "azuread", "kubernetes", "command", "tls", "pulumi"] as const;

export type IssuerHosting = "blob" | "staticWebsite";

export type ClusterMode = "kind" | "existing" | "aks";

export type IdentityType = "managedIdentity" | "application";

export interface IssuerConfig {
    hosting: IssuerHosting;
    /** After publishing, `pulumi up` checks the documents as Entra will read them and fails the update if it cannot. */
    verify: boolean;
    /**
     * Write the documents with the storage account's shared key (and let the account accept shared keys) instead of
     * the deployer's Entra token and a Storage Blob Data Contributor grant. Breaks the built-in policy "Storage
     * accounts should prevent shared key access".
     */
    sharedKeyAccess: boolean;
    /**
     * The object id of the service principal or managed identity that deploys this stack (CI): the documents' writer
     * grant goes to it instead of to whoever runs the command, so a reviewer's preview shows no change to it.
     */
    writerObjectId?: string;
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
    /** existing: the distribution the cluster runs (its snippet, its key folder, its default issuer); kubeadm by default. */
    distribution?: Distribution;
    /** existing: the issuer the cluster had before, still accepted after the stack's; the distribution's default when absent. */
    previousIssuer?: string;
    /** Namespaces that already exist on the cluster and are not created (or deleted) by the stack. */
    existingNamespaces: string[];
    /** aks: the cluster the stack creates, or the existing one it uses. */
    aks?: AksConfig;
    /** kind and existing: the cluster connected to Azure Arc, when enabled. */
    arc?: ArcConfig;
}

/** An Azure Arc connection of a kind or existing cluster (`az connectedk8s connect`), in the stack's resource group. */
export interface ArcConfig {
    /** The connected cluster's name in Azure. */
    name: string;
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
    /**
     * The stack is a demo: the nightly destroy workflow may tear it down. Only this marker decides, never the stack's
     * name (.github/workflows/destroy.yml reads it with tools/offline/demoStacks.ts).
     */
    demo: boolean;
}

/** Entra ID's limit of federated identity credentials on one identity (managed identity or app registration). */
export const MAX_FEDERATED_CREDENTIALS_PER_IDENTITY = 20;

/** Defaults, the same as Pulumi.yaml declares (a test keeps the two equal). */
export const DEFAULTS = {
    issuer: { hosting: "blob", containerName: "oidc", verify: true, sharedKeyAccess: false },
    signingKey: { rsaBits: 2048, publicKeys: [] as string[] },
    cluster: { mode: "kind" },
    webhook: { enabled: true, version: "1.6.0", azureEnvironment: "AzurePublicCloud" },
    identity: { type: "managedIdentity" },
    identities: [] as unknown[],
    workloads: [] as unknown[],
    sample: { enabled: false },
    demo: false,
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

export const ISSUER_HOSTINGS: readonly IssuerHosting[] = ["blob", "staticWebsite"];

export const CLUSTER_MODES: readonly ClusterMode[] = ["kind", "existing", "aks"];

export const IDENTITY_TYPES: readonly IdentityType[] = ["managedIdentity", "application"];

export const AZURE_ENVIRONMENTS: readonly AzureEnvironment[] = ["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud"];

export const RSA_BITS = [2048, 3072, 4096] as const;

/** Keys this program reads under `entra-wif:` and, for objects, the fields each takes (Pulumi.yaml declares each; a test compares). */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[] | null>> = {
    resourceGroupName: null,
    issuer: ["hosting", "storageAccountName", "containerName", "verify", "customUrl", "sharedKeyAccess", "writerObjectId"],
    signingKey: ["rsaBits", "publicKeys", "keys"],
    cluster: [
        "mode",
        "name",
        "nodeImage",
        "context",
        "distribution",
        "previousIssuer",
        "existingNamespaces",
        "existingResourceGroupName",
        "kubernetesVersion",
        "nodeSize",
        "nodeCount",
        "arc",
    ],
    webhook: ["enabled", "version", "azureEnvironment"],
    kubeconfig: null,
    identity: ["type", "name", "roles"],
    identities: ["name", "type", "roles"],
    workloads: ["namespace", "serviceAccount", "identity", "roles", "tokenExpiration"],
    sample: ["enabled", "workload", "secretName", "vaultName", "image"],
    demo: null,
};

export const ROLE_FIELDS = ["role", "scope"] as const;

/** The fields of cluster.arc. */
export const ARC_FIELDS = ["enabled", "name"] as const;

export const AKS_ONLY_FIELDS = ["existingResourceGroupName", "kubernetesVersion", "nodeSize", "nodeCount"] as const;
