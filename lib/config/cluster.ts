/** entra-wif:cluster (and entra-wif:kubeconfig): kind, an existing cluster, or AKS, and what each mode refuses. */
import { defaultKindClusterName } from "../entra/naming";
import { parse as parseYaml } from "yaml";
import { asObject, checkName, ConfigError, meantFields, oneOf, optionalString, parseBoolean, parseStringList, Problems, rejectUnknownFields } from "./fields";
import { CLUSTER_MODE_HINTS, DISTRIBUTION_HINTS } from "./hints";
import { DISTRIBUTIONS } from "../cluster/distributions";
import {
    aksClusterNameProblem,
    arcClusterNameProblem,
    imageReferenceProblem,
    kindClusterNameProblem,
    namespaceProblem,
    resourceGroupNameProblem,
} from "./names";
import {
    AKS_DEFAULTS,
    AKS_ONLY_FIELDS,
    AksConfig,
    ARC_FIELDS,
    ArcConfig,
    CLUSTER_MODES,
    ClusterConfig,
    ClusterMode,
    DEFAULTS,
    KNOWN_KEYS,
    OFFLINE_SECRET,
    PROJECT,
} from "./types";

/** A kubeconfig given in config: YAML with at least one cluster and one context. Never echoed: it holds credentials. */
export function checkKubeconfig(key: string, text: string): void {
    // Encrypted, read offline: present, and checked by `pulumi up`, which decrypts it.
    if (text === OFFLINE_SECRET) return;
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch {
        doc = undefined;
    }
    const d = doc as { clusters?: unknown; contexts?: unknown } | undefined;
    if (!d || typeof d !== "object" || !Array.isArray(d.clusters) || d.clusters.length === 0 || !Array.isArray(d.contexts) || d.contexts.length === 0) {
        throw new ConfigError(
            key,
            "[the kubeconfig]",
            'expected a kubeconfig (YAML with clusters and contexts): `pulumi config set --secret kubeconfig -- "$(kubectl config view --minify --raw)"`',
        );
    }
}

/** JSON text with every object's keys sorted: two values that are the same whatever order their keys came in. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_k, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

/**
 * In aks mode: the settings of the other modes are refused, not ignored. Pulumi.yaml's defaults arrive always, so only
 * values differing from them count as set. The CLI hands an object value over as JSON with its keys sorted (Go's
 * encoding/json orders a map's keys), not in Pulumi.yaml's order, so values are compared whatever their keys' order:
 * found by running `pulumi up` of an aks stack through the real engine (npm run test:engine).
 */
export function rejectInAks(p: Problems, raw: (k: string) => unknown, kubeconfig: string | undefined): void {
    const why = "AKS hosts its own OIDC issuer, signing keys and webhook";
    const isDefault = (value: unknown, fallback: unknown) => value === undefined || canonicalJson(value) === canonicalJson(fallback);
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
        refuse(
            `${PROJECT}:signingKey`,
            signingKey && typeof signingKey === "object" && "publicKeys" in signingKey ? "[keys]" : signingKey,
            `${why}: AKS signs tokens with its own keys and rotates them; remove ${PROJECT}:signingKey`,
        );
    }
    const webhook = raw("webhook");
    if (!isDefault(webhook, DEFAULTS.webhook)) {
        refuse(
            `${PROJECT}:webhook`,
            webhook,
            `${why}: AKS runs the workload identity webhook itself (securityProfile.workloadIdentity); remove ${PROJECT}:webhook`,
        );
    }
    if (kubeconfig !== undefined) {
        refuse(
            `${PROJECT}:kubeconfig`,
            "[the kubeconfig]",
            "aks mode reads the cluster's credentials from Azure (listManagedClusterUserCredentials); remove it",
        );
    }
}

export function parseAks(p: Problems, key: string, obj: Record<string, unknown>, stack: string): AksConfig {
    for (const field of ["nodeImage", "context"] as const) {
        if (obj[field] !== undefined) {
            p.attempt(() => {
                throw new ConfigError(
                    `${key}.${field}`,
                    obj[field],
                    `${field} is for ${field === "nodeImage" ? "kind" : "existing"} clusters; ` +
                        "aks mode takes name, existingResourceGroupName, kubernetesVersion, nodeSize and nodeCount",
                );
            }, undefined);
        }
    }
    const defaultName = `aks-${PROJECT}-${stack}`
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 63)
        .replace(/[^A-Za-z0-9]+$/, "");
    const name = p.attempt(() => optionalString(`${key}.name`, obj.name), undefined) ?? defaultName;
    p.attempt(() => checkName(`${key}.name`, name, aksClusterNameProblem), undefined);
    const existingResourceGroupName = p.attempt(() => optionalString(`${key}.existingResourceGroupName`, obj.existingResourceGroupName), undefined);
    p.attempt(() => checkName(`${key}.existingResourceGroupName`, existingResourceGroupName, resourceGroupNameProblem), undefined);
    const create = existingResourceGroupName === undefined;
    if (!create && obj.name === undefined) {
        p.attempt(() => {
            throw new ConfigError(
                `${key}.existingResourceGroupName`,
                existingResourceGroupName,
                `an existing AKS cluster is named as well: set cluster.name to its name (az aks list -g ${existingResourceGroupName} -o table); ` +
                    `without it the stack would look for ${defaultName}`,
            );
        }, undefined);
    }
    if (!create) {
        for (const field of ["kubernetesVersion", "nodeSize", "nodeCount"] as const) {
            if (obj[field] !== undefined) {
                p.attempt(() => {
                    throw new ConfigError(
                        `${key}.${field}`,
                        obj[field],
                        `an existing AKS cluster (existingResourceGroupName) is used as it is; ${field} configures a cluster the stack creates`,
                    );
                }, undefined);
            }
        }
    }
    const kubernetesVersion = p.attempt(() => {
        const version = optionalString(`${key}.kubernetesVersion`, obj.kubernetesVersion);
        if (version !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(version)) {
            throw new ConfigError(
                `${key}.kubernetesVersion`,
                version,
                "expected a Kubernetes version such as 1.33 or 1.33.2 (az aks get-versions -l <region>)",
            );
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

/** cluster.arc: `{enabled, name}`, for the clusters the stack does not get from Azure (kind, existing). */
export function parseArc(key: string, value: unknown, mode: ClusterMode, stack: string): ArcConfig | undefined {
    if (value === undefined || value === null) return undefined;
    const obj = asObject(key, value, "{enabled: true, name: arc-team}");
    if (!obj) return undefined;
    const fields = new Problems();
    fields.attempt(() => rejectUnknownFields(key, obj, ARC_FIELDS), undefined);
    const enabled = fields.attempt(() => parseBoolean(`${key}.enabled`, obj.enabled, false), false);
    const name = fields.attempt(() => optionalString(`${key}.name`, obj.name), undefined);
    if (mode === "aks" && (enabled || name !== undefined)) {
        fields.attempt(() => {
            throw new ConfigError(
                key,
                obj,
                "an AKS cluster is an Azure resource already and is not connected to Arc; cluster.arc is for kind and existing clusters",
            );
        }, undefined);
    }
    if (!enabled && name !== undefined) {
        fields.attempt(() => {
            throw new ConfigError(`${key}.name`, name, `the Arc connection is off; set ${key}.enabled true or remove name`);
        }, undefined);
    }
    const arcName = name ?? defaultArcClusterName(stack);
    if (enabled) fields.attempt(() => checkName(`${key}.name`, arcName, arcClusterNameProblem), undefined);
    fields.throwIfAny();
    return enabled && mode !== "aks" ? { name: arcName } : undefined;
}

/** `arc-entra-wif-<stack>`, within Arc's naming rules. */
export function defaultArcClusterName(stack: string): string {
    return `arc-${PROJECT}-${stack}`
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 63)
        .replace(/[^A-Za-z0-9]+$/, "");
}

export function parseCluster(
    p: Problems,
    key: string,
    value: unknown,
    kubeconfigRaw: string | undefined,
    stack: string,
    byoKeys: boolean,
    raw: (k: string) => unknown,
): ClusterConfig {
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
    const arc = p.attempt(() => parseArc(`${key}.arc`, obj.arc, mode, stack), undefined);
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
            refuse(
                `${PROJECT}:signingKey.publicKeys`,
                "[public keys]",
                "a kind cluster the stack creates signs with the stack's own key; publicKeys (the cluster's own keys) is for cluster.mode existing",
            );
        }
        if (context !== undefined) {
            refuse(`${key}.context`, context, "kind mode uses the kubeconfig of the cluster it creates; context is for cluster.mode existing");
        }
        if (kubeconfig !== undefined) {
            refuse(
                kubeconfigKey,
                "[the kubeconfig]",
                "kind mode uses the kubeconfig of the cluster it creates; remove it (`pulumi config rm kubeconfig`) or use cluster.mode existing",
            );
        }
        for (const field of ["distribution", "previousIssuer"] as const) {
            if (obj[field] !== undefined) {
                refuse(`${key}.${field}`, obj[field], `${field} describes a cluster you run (cluster.mode existing); the stack creates the kind cluster`);
            }
        }
        const clusterName = name ?? defaultKindClusterName(PROJECT, stack);
        p.attempt(() => checkName(`${key}.name`, clusterName, kindClusterNameProblem), undefined);
        p.attempt(() => checkName(`${key}.nodeImage`, nodeImage, imageReferenceProblem), undefined);
        return { mode, name: clusterName, nodeImage, existingNamespaces, ...(arc ? { arc } : {}) };
    }

    for (const field of ["name", "nodeImage"] as const) {
        if (obj[field] !== undefined) {
            refuse(
                `${key}.${field}`,
                obj[field],
                `${field} configures the kind cluster the stack creates (cluster.mode kind); ` +
                    `an existing cluster is reached through ${PROJECT}:kubeconfig or cluster.context`,
            );
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
            'an existing cluster needs its kubeconfig: `pulumi config set --secret kubeconfig -- "$(kubectl config view --minify --raw)"`, ' +
                "or cluster.context naming a context of your kubeconfig",
        );
    }
    if (kubeconfig !== undefined) p.attempt(() => checkKubeconfig(kubeconfigKey, kubeconfig), undefined);
    const distribution = p.attempt(() => oneOf(`${key}.distribution`, obj.distribution, DISTRIBUTIONS, "kubeadm", DISTRIBUTION_HINTS), undefined);
    const previousIssuer = p.attempt(() => optionalString(`${key}.previousIssuer`, obj.previousIssuer), undefined);
    return {
        mode,
        context,
        kubeconfig,
        distribution,
        ...(previousIssuer !== undefined ? { previousIssuer } : {}),
        existingNamespaces,
        ...(arc ? { arc } : {}),
    };
}
