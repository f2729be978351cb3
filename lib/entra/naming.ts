/**
 * Deterministic names for things Azure requires to be unique, so the same config always yields the same resource
 * inputs (no perpetual diffs, no random suffix that a second plan would change).
 */
import { createHash } from "node:crypto";

/** The resource group the stack creates when none is configured. */
export function defaultResourceGroupName(project: string, stack: string): string {
    return `rg-${project}-${stack}`.slice(0, 90).replace(/\.+$/, "");
}

/**
 * A storage account name (3-24 lowercase letters and digits, globally unique) derived from where it lives:
 * the subscription, the resource group and the stack. Readable prefix from the project, hashed suffix for
 * uniqueness across tenants.
 */
export function defaultStorageAccountName(project: string, stack: string, subscriptionId: string, resourceGroupName: string): string {
    const prefix =
        project
            .toLowerCase()
            .replace(/[^a-z0-9]/g, "")
            .slice(0, 8) || "oidc";
    const digest = createHash("sha256").update(`${subscriptionId}/${resourceGroupName}/${project}/${stack}`).digest("hex");
    return (prefix + digest).slice(0, 24);
}

/** The identity the stack creates when none is named: `id-<project>-<stack>`, within managed identities' rules. */
export function defaultIdentityName(project: string, stack: string): string {
    return `id-${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128);
}

/**
 * The sample Key Vault's name (3-24 letters, digits and single hyphens, globally unique), derived like the storage
 * account's. A destroyed vault stays soft-deleted and keeps its name for the retention period, so re-creating a
 * demo in the same stack within that time needs `az keyvault purge` or an explicit sample.vaultName (README).
 */
export function defaultKeyVaultName(project: string, stack: string, subscriptionId: string, resourceGroupName: string): string {
    const prefix =
        project
            .toLowerCase()
            .replace(/[^a-z0-9]/g, "")
            .slice(0, 8) || "wif";
    const digest = createHash("sha256").update(`keyvault/${subscriptionId}/${resourceGroupName}/${project}/${stack}`).digest("hex");
    return `kv-${prefix}-${digest}`.slice(0, 24);
}

/** A name-based UUID (RFC 4122 version 5 layout, SHA-1 of `seed`): the same seed always gives the same UUID. */
export function nameBasedUuid(seed: string): string {
    const bytes = createHash("sha1").update(seed).digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The kind cluster the stack creates when none is named: `<project>-<stack>`, within kind's naming rules. */
export function defaultKindClusterName(project: string, stack: string): string {
    return `${project}-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, "-")
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
        .slice(0, 50)
        .replace(/[^a-z0-9]+$/, "");
}

/**
 * The folder for a stack's key files on the machine running Pulumi, one per project and stack, outside any
 * repository. Written with `~` so that the same config plans the same inputs on every machine (a pull request's
 * preview runs on a CI runner, not on the laptop that ran `pulumi up`); the scripts resolve `~` against $HOME when
 * they run (lib/cluster/kind.ts), and snippets show it to a person as it is.
 */
export function stackKeyDir(project: string, stack: string): string {
    return `~/.entra-wif/${project}-${stack}`;
}
