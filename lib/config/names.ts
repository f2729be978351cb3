/** The naming rules of Azure and Kubernetes the config's names must keep, one function each: the problem, or undefined. */

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
    if (/^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return undefined;
    const rule = "a namespace is a DNS-1123 label: at most 63 lowercase letters, digits and hyphens, starting and ending alphanumeric";
    const suggestion = dnsLabelFrom(name);
    return suggestion ? `${rule}; e.g. ${suggestion}` : rule;
}

/**
 * The DNS-1123 label nearest to a name (Payments_Prod → payments-prod): lowercase, every other character a hyphen, runs
 * of hyphens as one, no hyphen at either end, at most 63 characters; undefined when nothing of it is left.
 */
export function dnsLabelFrom(name: string): string | undefined {
    const label = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+/, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    return label === "" ? undefined : label;
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

/** Key names: short, lowercase, readable in a preview and in resource names (e.g. 2026-11). */
export function keyNameProblem(name: string): string | undefined {
    return /^(?=.{1,40}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)
        ? undefined
        : "a key name is at most 40 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric, e.g. 2026-11";
}

/** AKS cluster names: 1-63 letters, digits, hyphens and underscores, starting and ending alphanumeric. */
/**
 * Azure Arc connected cluster names (Microsoft.Kubernetes/connectedClusters): 1-63 letters, digits, hyphens and
 * underscores, starting and ending with a letter or digit — the same rule as AKS cluster names.
 */
export function arcClusterNameProblem(name: string): string | undefined {
    return /^(?=.{1,63}$)[A-Za-z0-9]([-\w]*[A-Za-z0-9])?$/.test(name)
        ? undefined
        : "an Arc connected cluster name is 1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit";
}

export function aksClusterNameProblem(name: string): string | undefined {
    return /^(?=.{1,63}$)[A-Za-z0-9]([-\w]*[A-Za-z0-9])?$/.test(name)
        ? undefined
        : "an AKS cluster name is 1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit";
}
