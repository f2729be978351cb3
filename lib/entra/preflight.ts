/**
 * What Azure would refuse, asked before anything is written: whether the deployer may assign roles where the stack
 * assigns them, and whether Azure Policy would deny the storage account as the stack creates it. The stack's first
 * writes (the resource group, the account) wait for this answer, so a deployer without rights or a tenant's Deny
 * policy stops `pulumi up` with what to ask for or which setting the policy wants, not halfway through with an
 * AuthorizationFailed or RequestDisallowedByPolicy from ARM.
 *
 * The ARM calls, made with the deployer's own token (lib/trust/deployerCredential.ts, chosen as azure-native chooses):
 * - Permissions - List For Resource Group (or Subscription, for a group still to be created), api-version 2022-04-01:
 *   `GET {scope}/providers/Microsoft.Authorization/permissions` → `value[]: {actions, notActions}` of every role the
 *   caller holds there; an action is allowed when some entry's actions match it and that entry's notActions do not
 *   (Microsoft Learn, "Understand Azure role definitions": actions and notActions, `*` wildcards).
 * - Policy Restrictions - Check At Resource Group (or Subscription) Scope, api-version 2022-03-01:
 *   `POST {scope}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions` with the account's content →
 *   `contentEvaluationResult.policyEvaluations[]` (Deny effects, includeAuditEffect false) and `fieldRestrictions[]`
 *   (the values a policy requires of a field).
 *
 * Pure reading of the answers (`actionAllowed`, `policyDenials`) and the calls themselves (`checkDeployer`); nothing
 * here imports Pulumi.
 */
import type { TokenCredential } from "@azure/core-auth";
import { proxyFor, viaProxy } from "../trust/issuerDocuments";
import { ARM_URLS, cloudOf } from "./cloud";

/** The function the project's plugin serves it as (provider/main.ts). */
export const CHECK_DEPLOYER_TOKEN = "entra-wif:index:checkDeployer";

/** The action a role assignment's create needs (Owner, User Access Administrator, Role Based Access Control Administrator). */
export const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";

export interface PermissionEntry {
    actions?: string[];
    notActions?: string[];
}

/** An ARM action pattern (`*` matches any run of characters, case-insensitive) against an action. */
function matches(pattern: string, action: string): boolean {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp(`^${escaped}$`, "i").test(action);
}

/** Whether the permissions allow `action`: some entry grants it and does not exclude it. */
export function actionAllowed(permissions: PermissionEntry[], action: string): boolean {
    return permissions.some((p) => (p.actions ?? []).some((a) => matches(a, action)) && !(p.notActions ?? []).some((n) => matches(n, action)));
}

interface PolicyReference {
    policyDefinitionId?: string;
    policyAssignmentId?: string;
    policySetDefinitionId?: string;
}

export interface PolicyRestrictionsAnswer {
    fieldRestrictions?: Array<{
        field?: string;
        restrictions?: Array<{ result?: string; defaultValue?: unknown; values?: unknown[]; policy?: PolicyReference }>;
    }>;
    contentEvaluationResult?: {
        policyEvaluations?: Array<{
            policyInfo?: PolicyReference;
            evaluationResult?: string;
            evaluationDetails?: { evaluatedExpressions?: Array<{ path?: string; expression?: string; targetValue?: unknown; expressionValue?: unknown }> };
        }>;
    };
}

/** The storage account as the stack creates it: what the policies are asked about. */
export interface PlannedAccount {
    location: string;
    allowSharedKeyAccess: boolean;
    allowBlobPublicAccess: boolean;
}

/** What to change in the stack's config for an account field a policy judges, when the config sets that field. */
const SETTING_OF_FIELD: Readonly<Record<string, string>> = {
    "microsoft.storage/storageaccounts/allowsharedkeyaccess":
        "pulumi config set --path entra-wif:issuer.sharedKeyAccess false (the default: the documents are written with your Entra token)",
    "microsoft.storage/storageaccounts/allowblobpublicaccess":
        "pulumi config set --path entra-wif:issuer.hosting staticWebsite (the static website is served without public blob access)",
};

const shortId = (id: string | undefined) => (id ? id.split("/").pop()! : "an unnamed policy");

/**
 * The Deny evaluations in an answer, each as a line a person can act on: the assignment, the field it judged and the
 * value it wants, and the config key that sets that field.
 */
export function policyDenials(answer: PolicyRestrictionsAnswer): string[] {
    const lines: string[] = [];
    for (const evaluation of answer.contentEvaluationResult?.policyEvaluations ?? []) {
        if ((evaluation.evaluationResult ?? "").toLowerCase() !== "noncompliant") continue;
        const info = evaluation.policyInfo ?? {};
        // The alias (Microsoft.Storage/storageAccounts/allowSharedKeyAccess), not the JSON path, names the field.
        const fields = (evaluation.evaluationDetails?.evaluatedExpressions ?? [])
            .map((e) => [e.expression, e.path].find((f) => typeof f === "string" && f.includes("/")))
            .filter((f): f is string => f !== undefined);
        const wants = fields.map((field) => {
            const required = (answer.fieldRestrictions ?? [])
                .filter((r) => (r.field ?? "").toLowerCase() === field.toLowerCase())
                .flatMap((r) => r.restrictions ?? [])
                .find((r) => r.values !== undefined || r.defaultValue !== undefined);
            const value = required?.values ? required.values.map((v) => JSON.stringify(v)).join(" or ") : JSON.stringify(required?.defaultValue);
            const setting = SETTING_OF_FIELD[field.toLowerCase()];
            return `${field}${required ? ` must be ${value}` : ""}${setting ? `: ${setting}` : ""}`;
        });
        lines.push(
            `Azure Policy would deny the storage account: assignment ${shortId(info.policyAssignmentId)} (definition ${shortId(info.policyDefinitionId)})` +
                (wants.length > 0 ? ` judges ${wants.join("; ")}` : ""),
        );
    }
    return lines;
}

export interface DeployerCheckArgs {
    subscriptionId: string;
    resourceGroupName: string;
    /** Whether the stack assigns roles (the deployer's grant on the documents, the workloads' roles, the sample's). */
    assignsRoles: boolean;
    /** The issuer's storage account, when the stack creates one. */
    account?: PlannedAccount;
}

export interface DeployerCheckDeps {
    credential: TokenCredential;
    /** Who the credential is, for messages. */
    deployer: string;
    /** Where ARM is asked, with its trailing slash (https://management.azure.com/), and the token scope for it. */
    arm: ArmEndpoint;
}

/** One ARM call through the Azure SDK's pipeline (HTTPS_PROXY and NO_PROXY apply), bounded at 30 s. */
async function arm(deps: DeployerCheckDeps, method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: unknown; code?: string }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rest = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
    const url = `${deps.arm.url.replace(/\/$/, "")}${path}`;
    const token = await deps.credential.getToken(deps.arm.scope);
    if (!token) throw new Error(`entra-wif: ${deps.deployer} gave no token for ${deps.arm.scope}`);
    const pipeline = rest.createPipelineFromOptions({ retryOptions: { maxRetries: 2, maxRetryDelayInMs: 4000 } });
    const request = rest.createPipelineRequest({
        url,
        method,
        abortSignal: AbortSignal.timeout(30000),
        headers: rest.createHttpHeaders({ authorization: `Bearer ${token.token}`, "content-type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    let response;
    try {
        response = await pipeline.sendRequest(rest.createDefaultHttpClient(), request);
    } catch (err) {
        const e = err as { code?: string; message?: string };
        throw new Error(`entra-wif: checking the deployer's rights at ${url.split("?")[0]} failed (${viaProxy(url)}): ${e.code ?? e.message ?? String(err)}`, {
            cause: err,
        });
    }
    let json: unknown;
    try {
        json = JSON.parse(response.bodyAsText ?? "");
    } catch {
        json = undefined;
    }
    // A refusal without ARM's error body did not come from ARM: a proxy's own answer passes through as the response.
    const armError = (json as { error?: { code?: string } } | undefined)?.error?.code;
    if (response.status >= 400 && armError === undefined) {
        throw new Error(
            `entra-wif: checking the deployer's rights at ${url.split("?")[0]} answered HTTP ${response.status} without ARM's error, ${viaProxy(url)}` +
                (proxyFor(url) ? "; the proxy may have refused the connection (check HTTPS_PROXY and NO_PROXY)" : ""),
        );
    }
    return { status: response.status, json, code: armError };
}

/**
 * Asks ARM what it would refuse; the problems, one line each (empty: nothing found). An answer ARM cannot give (the
 * caller may not even read permissions) is one problem naming the status, not an error: a preview under a reader's
 * identity must still run.
 */
export async function checkDeployer(args: DeployerCheckArgs, deps: DeployerCheckDeps): Promise<string[]> {
    const problems: string[] = [];
    const group = `/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}`;
    const existing = await arm(deps, "GET", `${group}?api-version=2021-04-01`);
    // A group the stack will create: what holds at the subscription holds in it.
    const scope = existing.status === 200 ? group : `/subscriptions/${args.subscriptionId}`;
    if (args.assignsRoles) {
        const permissions = await arm(deps, "GET", `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`);
        if (permissions.status !== 200) {
            problems.push(
                `${deps.deployer} could not read its own permissions at ${scope} (HTTP ${permissions.status} ${permissions.code}); ` +
                    "the stack assigns roles there",
            );
        } else if (!actionAllowed((permissions.json as { value?: PermissionEntry[] }).value ?? [], ROLE_ASSIGNMENT_WRITE)) {
            problems.push(
                `${deps.deployer} cannot assign roles at ${scope} (no ${ROLE_ASSIGNMENT_WRITE}), and the stack does: Storage Blob Data ` +
                    "Contributor to you on the issuer's storage, and each workload's roles. Ask for Role Based Access Control Administrator " +
                    `(or User Access Administrator, or Owner) on ${scope}`,
            );
        }
    }
    if (args.account) {
        const content = {
            resourceDetails: {
                resourceContent: {
                    type: "Microsoft.Storage/storageAccounts",
                    location: args.account.location,
                    kind: "StorageV2",
                    sku: { name: "Standard_LRS" },
                    properties: {
                        allowSharedKeyAccess: args.account.allowSharedKeyAccess,
                        allowBlobPublicAccess: args.account.allowBlobPublicAccess,
                        minimumTlsVersion: "TLS1_2",
                        supportsHttpsTrafficOnly: true,
                    },
                },
                apiVersion: "2024-01-01",
            },
            includeAuditEffect: false,
        };
        const answer = await arm(deps, "POST", `${scope}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions?api-version=2022-03-01`, content);
        if (answer.status !== 200) {
            problems.push(`Azure Policy could not be asked about the storage account at ${scope} (HTTP ${answer.status} ${answer.code})`);
        } else {
            problems.push(...policyDenials(answer.json as PolicyRestrictionsAnswer));
        }
    }
    return problems;
}

export interface ArmEndpoint {
    url: string;
    scope: string;
}

/**
 * ARM for azure-native's cloud setting (ARM_ENVIRONMENT, else AZURE_ENVIRONMENT: public, usgovernment, china), its
 * token scope the endpoint's `.default`. ENTRA_WIF_ARM_ENDPOINT sends the calls elsewhere (Azure Stack Hub, or the
 * engine tier's stand-in) with the same scope.
 */
export function armEndpoint(env: NodeJS.ProcessEnv = process.env): ArmEndpoint {
    const url = ARM_URLS[cloudOf(env)];
    return { url: env.ENTRA_WIF_ARM_ENDPOINT ? env.ENTRA_WIF_ARM_ENDPOINT.replace(/\/?$/, "/") : url, scope: `${url}.default` };
}

/** What the preflight asks about a stack, from its config: whether it assigns roles, and the account it creates. */
export function preflightOf(config: {
    location: string;
    issuer: { hosting: "blob" | "staticWebsite"; sharedKeyAccess: boolean };
    cluster: { aks?: unknown };
    identities: Array<{ roles: unknown[] }>;
    workloads: Array<{ roles: unknown[] }>;
    sample: { enabled: boolean };
}): { assignsRoles: boolean; account?: PlannedAccount } {
    const storageIssuer = config.cluster.aks === undefined;
    const assignsRoles =
        (storageIssuer && !config.issuer.sharedKeyAccess) ||
        config.sample.enabled ||
        config.identities.some((i) => i.roles.length > 0) ||
        config.workloads.some((w) => w.roles.length > 0);
    return {
        assignsRoles,
        ...(storageIssuer
            ? {
                  account: {
                      location: config.location,
                      allowSharedKeyAccess: config.issuer.sharedKeyAccess,
                      allowBlobPublicAccess: config.issuer.hosting === "blob",
                  },
              }
            : {}),
    };
}
