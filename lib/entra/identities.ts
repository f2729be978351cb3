/**
 * What Entra ID must hold for each identity: one federated credential per workload, and the role grants of the
 * identity, its workloads and the sample. Pure: derived from the validated config, the same on every run.
 */
import { createHash } from "node:crypto";
import { IdentityType, RoleGrantConfig, StackConfig } from "../config";
import { serviceAccountSubject } from "../trust/oidc";
import { BUILTIN_ROLES, roleLabel } from "./roles";

/** The role the sample workload's identity needs to read the sample secret. */
export const SAMPLE_READER_ROLE = "Key Vault Secrets User";

export interface CredentialPlan {
    namespace: string;
    serviceAccount: string;
    /** `system:serviceaccount:<namespace>:<serviceAccount>`, the token's sub. */
    subject: string;
    /** The credential's name in Azure (managed identity) or display name (app registration). */
    credentialName: string;
}

export interface GrantPlan {
    roleId: string;
    /** A keyword (subscription, resourceGroup, sampleKeyVault) or a full ARM id. */
    scope: string;
    /** Stable suffix for the Pulumi resource name: role and scope, readable in a preview. */
    resourceSuffix: string;
}

export interface IdentityPlan {
    name: string;
    type: IdentityType;
    credentials: CredentialPlan[];
    grants: GrantPlan[];
}

const shortHash = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * The federated credential's name (also the suffix of the workload's Pulumi resource names):
 * `<namespace>_<serviceAccount>` with the service account's dots as `_`.
 * Injective (namespaces have no dots, neither name has `_`), within Azure's rule of 3-120 letters, digits, `-` and
 * `_` starting alphanumeric; names over 120 characters keep a readable prefix and a hash of the whole.
 */
export function federatedCredentialName(namespace: string, serviceAccount: string): string {
    const name = `${namespace}_${serviceAccount.replace(/\./g, "_")}`;
    return name.length <= 120 ? name : `${name.slice(0, 107)}-${shortHash(name, 12)}`;
}

function scopeLabel(scope: string): string {
    return /^\//.test(scope) ? `arm-${shortHash(scope.toLowerCase(), 10)}` : scope;
}

function roleSlug(roleId: string): string {
    const label = roleLabel(roleId);
    return label in BUILTIN_ROLES ? label.toLowerCase().replace(/[^a-z0-9]+/g, "-") : roleId;
}

/** Grants with the same role at the same scope collapse to one: ARM would refuse the second assignment anyway. */
function dedupeGrants(grants: Array<Pick<RoleGrantConfig, "roleId" | "scope">>): GrantPlan[] {
    const byKey = new Map<string, GrantPlan>();
    for (const g of grants) {
        const key = `${g.roleId}|${g.scope.toLowerCase()}`;
        if (!byKey.has(key)) byKey.set(key, { roleId: g.roleId, scope: g.scope, resourceSuffix: `${roleSlug(g.roleId)}-${scopeLabel(g.scope)}` });
    }
    return [...byKey.values()];
}

export function planIdentities(config: StackConfig): IdentityPlan[] {
    const sample = config.sample.enabled ? config.sample.workload : undefined;
    return config.identities.map((identity) => {
        const workloads = config.workloads.filter((w) => w.identity === identity.name);
        const grants: Array<Pick<RoleGrantConfig, "roleId" | "scope">> = [...identity.roles, ...workloads.flatMap((w) => w.roles)];
        if (sample && workloads.some((w) => w.namespace === sample.namespace && w.serviceAccount === sample.serviceAccount)) {
            grants.push({ roleId: BUILTIN_ROLES[SAMPLE_READER_ROLE], scope: "sampleKeyVault" });
        }
        return {
            name: identity.name,
            type: identity.type,
            credentials: workloads.map((w) => ({
                namespace: w.namespace,
                serviceAccount: w.serviceAccount,
                subject: serviceAccountSubject(w.namespace, w.serviceAccount),
                credentialName: federatedCredentialName(w.namespace, w.serviceAccount),
            })),
            grants: dedupeGrants(grants),
        };
    });
}
