/**
 * The deployer's preflight, read from ARM's own answer shapes (lib/entra/preflight.ts): role-assignment rights from
 * the Permissions API's actions and notActions as the built-in roles define them, and the Deny policies of
 * checkPolicyRestrictions named with what they want and the setting that gives it.
 */
import { actionAllowed, armEndpoint, policyDenials, preflightOf, ROLE_ASSIGNMENT_WRITE } from "../../lib/entra/preflight";

// The built-in roles' permissions as Permissions - List returns them (Azure built-in roles reference).
const OWNER = { actions: ["*"], notActions: [] };
const CONTRIBUTOR = {
    actions: ["*"],
    notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
    ],
};
const RBAC_ADMIN = {
    actions: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"],
    notActions: [],
};
const READER = { actions: ["*/read"], notActions: [] };

describe("may the deployer assign roles (Microsoft.Authorization/roleAssignments/write)?", () => {
    test.each([
        ["Owner", [OWNER], true],
        ["Contributor alone: its notActions exclude Microsoft.Authorization/*/Write", [CONTRIBUTOR], false],
        ["Contributor and Role Based Access Control Administrator (the README's pair)", [CONTRIBUTOR, RBAC_ADMIN], true],
        ["Reader (a pull request's preview)", [READER], false],
        ["no role at all", [], false],
    ])("%s", (_name, permissions, allowed) => {
        expect(actionAllowed(permissions, ROLE_ASSIGNMENT_WRITE)).toBe(allowed);
    });

    test("actions match case-insensitively, with * anywhere", () => {
        expect(actionAllowed([{ actions: ["microsoft.authorization/*/write"] }], ROLE_ASSIGNMENT_WRITE)).toBe(true);
        expect(actionAllowed([{ actions: ["Microsoft.Authorization/roleDefinitions/write"] }], ROLE_ASSIGNMENT_WRITE)).toBe(false);
    });
});

describe("Deny policies on the storage account", () => {
    // checkPolicyRestrictions' answer for a subscription with the built-in "Storage accounts should prevent shared key
    // access" (8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54) assigned with Deny, asked about an account allowing shared keys.
    const denied = {
        fieldRestrictions: [
            {
                field: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess",
                restrictions: [
                    {
                        result: "Required",
                        values: [false],
                        policy: {
                            policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",
                            policyAssignmentId: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/deny-shared-key",
                        },
                    },
                ],
            },
        ],
        contentEvaluationResult: {
            policyEvaluations: [
                {
                    policyInfo: {
                        policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",
                        policyAssignmentId: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/deny-shared-key",
                    },
                    evaluationResult: "NonCompliant",
                    evaluationDetails: {
                        evaluatedExpressions: [
                            {
                                path: "properties.allowSharedKeyAccess",
                                expression: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess",
                                expressionValue: true,
                                targetValue: false,
                            },
                        ],
                    },
                },
            ],
        },
    };

    test("each Deny names the assignment, the field, the value it wants and the setting that gives it", () => {
        expect(policyDenials(denied)).toEqual([
            "Azure Policy would deny the storage account: assignment deny-shared-key (definition 8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54) judges " +
                "Microsoft.Storage/storageAccounts/allowSharedKeyAccess must be false: pulumi config set --path entra-wif:issuer.sharedKeyAccess false " +
                "(the default: the documents are written with your Entra token)",
        ]);
    });

    test("nothing denied: no problem; a compliant evaluation is not one", () => {
        expect(policyDenials({ fieldRestrictions: [], contentEvaluationResult: { policyEvaluations: [] } })).toEqual([]);
        expect(policyDenials({ contentEvaluationResult: { policyEvaluations: [{ evaluationResult: "Compliant" }] } })).toEqual([]);
        expect(policyDenials({})).toEqual([]);
    });
});

describe("what the preflight asks about a stack", () => {
    const base = {
        location: "westeurope",
        issuer: { hosting: "blob" as const, sharedKeyAccess: false },
        cluster: {},
        identities: [{ roles: [] }],
        workloads: [{ roles: [] }],
        sample: { enabled: false },
    };

    test("the dev shape: roles assigned (the deployer's grant), the account as created", () => {
        expect(preflightOf(base)).toEqual({
            assignsRoles: true,
            account: { location: "westeurope", allowSharedKeyAccess: false, allowBlobPublicAccess: true },
        });
    });

    test("shared key and no roles anywhere: no role assignment to be allowed; a static website allows no public blob access", () => {
        expect(preflightOf({ ...base, issuer: { hosting: "staticWebsite", sharedKeyAccess: true } })).toEqual({
            assignsRoles: false,
            account: { location: "westeurope", allowSharedKeyAccess: true, allowBlobPublicAccess: false },
        });
        expect(preflightOf({ ...base, issuer: { hosting: "blob", sharedKeyAccess: true }, sample: { enabled: true } }).assignsRoles).toBe(true);
        expect(preflightOf({ ...base, issuer: { hosting: "blob", sharedKeyAccess: true }, workloads: [{ roles: [{}] }] }).assignsRoles).toBe(true);
    });

    test("AKS: no storage account to ask about", () => {
        expect(preflightOf({ ...base, cluster: { aks: {} } })).toEqual({ assignsRoles: false });
    });

    test("ARM of azure-native's cloud, its token scope kept when the calls go elsewhere", () => {
        expect(armEndpoint({})).toEqual({ url: "https://management.azure.com/", scope: "https://management.azure.com/.default" });
        expect(armEndpoint({ ARM_ENVIRONMENT: "usgovernment" }).url).toBe("https://management.usgovcloudapi.net/");
        expect(armEndpoint({ ARM_ENVIRONMENT: "china" }).url).toBe("https://management.chinacloudapi.cn/");
        expect(armEndpoint({ ENTRA_WIF_ARM_ENDPOINT: "https://127.0.0.1:9" })).toEqual({
            url: "https://127.0.0.1:9/",
            scope: "https://management.azure.com/.default",
        });
    });
});
