/**
 * Azure RBAC for workloads: built-in role names to their definition GUIDs, scopes, and assignment names that are
 * the same on every run, so a re-run never creates a duplicate assignment.
 * Pure functions; GUIDs from Azure's built-in roles reference (they are the same in every tenant).
 */
import { nameBasedUuid } from "./naming";

export const BUILTIN_ROLES: Readonly<Record<string, string>> = {
    Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Certificate User": "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    "Azure Service Bus Data Owner": "090c5cfd-751d-490a-894a-3ce6f1109419",
    // Cosmos DB's control-plane roles; its data roles are not Azure RBAC (DATA_PLANE_ROLES below).
    "Cosmos DB Account Reader Role": "fbdf93bf-df7d-467e-a4d2-9458aa1360c8",
    "Cosmos DB Operator": "230815da-be43-4aae-9cb4-875f7bd000aa",
    "DocumentDB Account Contributor": "5bd9cd88-fe45-4216-938b-f97437e15450",
    AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
};

/** Scopes by keyword; anything else must be a full ARM resource id. */
export const SCOPE_KEYWORDS = ["subscription", "resourceGroup", "sampleKeyVault"] as const;
export type ScopeKeyword = (typeof SCOPE_KEYWORDS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Roles that look like Azure RBAC roles but live in a service's own data plane, so an ARM role assignment cannot
 * grant them. Named here so the user learns that at startup instead of from a RoleDefinitionDoesNotExist error.
 */
export const DATA_PLANE_ROLES: Readonly<Record<string, string>> = {
    "Cosmos DB Built-in Data Reader":
        "a Cosmos DB SQL role (00000000-0000-0000-0000-000000000001), assigned with sqlRoleAssignments on the account, not with Azure RBAC",
    "Cosmos DB Built-in Data Contributor":
        "a Cosmos DB SQL role (00000000-0000-0000-0000-000000000002), assigned with sqlRoleAssignments on the account, not with Azure RBAC",
};

export class UnknownRoleError extends Error {}

function findName(table: Readonly<Record<string, string>>, role: string): string | undefined {
    return Object.keys(table).find((name) => name.toLowerCase() === role.trim().toLowerCase());
}

/** A built-in role name (case-insensitive) or a role definition GUID → the GUID (lower case). */
export function resolveRole(role: string): string {
    if (GUID.test(role)) return role.toLowerCase();
    const match = findName(BUILTIN_ROLES, role);
    if (match) return BUILTIN_ROLES[match];
    const dataPlane = findName(DATA_PLANE_ROLES, role);
    if (dataPlane) throw new UnknownRoleError(`${dataPlane} is ${DATA_PLANE_ROLES[dataPlane]}`);
    throw new UnknownRoleError(`unknown role; use a role definition GUID or one of: ${Object.keys(BUILTIN_ROLES).join(", ")}`);
}

/** The table's name for a role GUID, for readable resource names; the GUID itself for custom roles. */
export function roleLabel(roleGuid: string): string {
    return Object.keys(BUILTIN_ROLES).find((name) => BUILTIN_ROLES[name] === roleGuid.toLowerCase()) ?? roleGuid.toLowerCase();
}

/** Whether a scope is a keyword or an ARM id (subscription, resource group, resource or management group). */
export function scopeProblem(scope: string): string | undefined {
    if ((SCOPE_KEYWORDS as readonly string[]).includes(scope)) return undefined;
    if (/^\/subscriptions\/[0-9a-f-]{36}(\/resourceGroups\/[^/]+(\/providers\/.+)?)?$/i.test(scope)) return undefined;
    if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(scope)) return undefined;
    return `use ${SCOPE_KEYWORDS.join(", ")} or a full ARM id such as /subscriptions/<id>/resourceGroups/<name>`;
}

/** The subscription-scoped id of a role definition, as role assignments take it. */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/**
 * The role definition id for an assignment at `scope`: built-in roles exist in every subscription, but ARM wants
 * the one of the scope's own subscription, and the tenant-level form at a management group.
 */
export function roleDefinitionIdForScope(scope: string, defaultSubscriptionId: string, roleGuid: string): string {
    if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope)) {
        return `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
    }
    const sub = /^\/subscriptions\/([0-9a-f-]{36})/i.exec(scope);
    return roleDefinitionId(sub ? sub[1] : defaultSubscriptionId, roleGuid);
}

/** The ARM ids the scope keywords stand for (plain strings, or Pulumi inputs in a component). */
export interface ScopeIds<T = string> {
    subscription: T;
    resourceGroup: T;
    /** Absent when the sample is off (config validation refuses the keyword then). */
    sampleKeyVault?: T;
}

/** A keyword's id from `ids`; a full ARM id stands for itself. Picks one entry, so nothing else becomes a dependency. */
export function resolveScope<T>(scope: string, ids: ScopeIds<T>): T | string {
    if (scope === "subscription") return ids.subscription;
    if (scope === "resourceGroup") return ids.resourceGroup;
    if (scope === "sampleKeyVault") {
        if (ids.sampleKeyVault === undefined) throw new Error("scope sampleKeyVault needs the sample Key Vault (sample.enabled)");
        return ids.sampleKeyVault;
    }
    return scope;
}

/** A name-based (RFC 4122 version 5 layout) UUID from the assignment's scope, principal and role. */
export function roleAssignmentName(scope: string, principalId: string, roleGuid: string): string {
    return nameBasedUuid(`${scope.toLowerCase()}|${principalId.toLowerCase()}|${roleGuid.toLowerCase()}`);
}

/**
 * The principal type of whoever holds `accessToken` (a JWT from Entra), as a role assignment declares it: a user's
 * delegated token carries `scp`, an application's app-only token does not (Microsoft identity platform, "Access token
 * claims reference"; idtyp, when present, says "user" or "app"). ARM refuses an assignment whose declared type differs
 * from the principal's (UnmatchedPrincipalType), and azure-native's SDK declares "User" when none is given.
 */
export function principalTypeOfToken(accessToken: string): "User" | "ServicePrincipal" {
    const payload = accessToken.split(".")[1];
    let claims: { scp?: unknown; idtyp?: unknown };
    try {
        claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as typeof claims;
    } catch {
        throw new Error("the deployer's access token is not a JWT: its principal type cannot be told");
    }
    if (claims.idtyp === "app") return "ServicePrincipal";
    if (claims.idtyp === "user") return "User";
    return typeof claims.scp === "string" && claims.scp !== "" ? "User" : "ServicePrincipal";
}
