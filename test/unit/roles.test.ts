import {
    BUILTIN_ROLES,
    resolveRole,
    resolveScope,
    roleAssignmentName,
    roleDefinitionId,
    roleDefinitionIdForScope,
    roleLabel,
    scopeProblem,
    UnknownRoleError,
} from "../../lib/entra/roles";

describe("role resolution", () => {
    test("built-in names, case-insensitively", () => {
        expect(resolveRole("Key Vault Secrets User")).toBe("4633458b-17de-408a-b874-0445c86b69e6");
        expect(resolveRole("key vault secrets user")).toBe("4633458b-17de-408a-b874-0445c86b69e6");
        expect(resolveRole("Reader")).toBe("acdd72a7-3385-48ef-bd42-f606fba81ae7");
    });

    test("a role definition GUID passes through, lower-cased", () => {
        expect(resolveRole("B24988AC-6180-42A0-AB88-20F7382DD24C")).toBe("b24988ac-6180-42a0-ab88-20f7382dd24c");
    });

    test("an unknown name lists the known ones", () => {
        expect(() => resolveRole("Key Vault Secret User")).toThrow(UnknownRoleError);
        expect(() => resolveRole("Key Vault Secret User")).toThrow(/Key Vault Secrets User/);
    });

    test("the table holds GUIDs only, each once", () => {
        const guids = Object.values(BUILTIN_ROLES);
        for (const g of guids) expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(new Set(guids).size).toBe(guids.length);
    });
});

describe("scopes", () => {
    test.each([
        "subscription",
        "resourceGroup",
        "sampleKeyVault",
        "/subscriptions/00000000-1111-4222-8333-444444444444",
        "/subscriptions/00000000-1111-4222-8333-444444444444/resourceGroups/rg-app",
        "/subscriptions/00000000-1111-4222-8333-444444444444/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/data",
        "/providers/Microsoft.Management/managementGroups/platform",
    ])("%s is a scope", (s) => expect(scopeProblem(s)).toBeUndefined());

    test.each(["Subscription", "rg-app", "/subscriptions/not-a-guid", "https://portal.azure.com"])("%s is not", (s) =>
        expect(scopeProblem(s)).toMatch(/full ARM id/),
    );
});

test("role definition id", () => {
    expect(roleDefinitionId("sub", "guid")).toBe("/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/guid");
});

describe("role definition id for a scope", () => {
    const home = "00000000-1111-4222-8333-444444444444";
    const other = "99999999-1111-4222-8333-444444444444";
    test("the scope's own subscription, even when it is not the deploying one", () => {
        expect(roleDefinitionIdForScope(`/subscriptions/${other}/resourceGroups/rg`, home, "r")).toBe(
            `/subscriptions/${other}/providers/Microsoft.Authorization/roleDefinitions/r`,
        );
        expect(roleDefinitionIdForScope(`/subscriptions/${home}`, home, "r")).toBe(
            `/subscriptions/${home}/providers/Microsoft.Authorization/roleDefinitions/r`,
        );
    });
    test("the tenant-level form at a management group", () => {
        expect(roleDefinitionIdForScope("/providers/Microsoft.Management/managementGroups/platform", home, "r")).toBe(
            "/providers/Microsoft.Authorization/roleDefinitions/r",
        );
    });
});

describe("scope resolution", () => {
    const ids = {
        subscription: "/subscriptions/s",
        resourceGroup: "/subscriptions/s/resourceGroups/g",
        sampleKeyVault: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
    };
    test("keywords pick their id, ARM ids stand for themselves", () => {
        expect(resolveScope("subscription", ids)).toBe(ids.subscription);
        expect(resolveScope("resourceGroup", ids)).toBe(ids.resourceGroup);
        expect(resolveScope("sampleKeyVault", ids)).toBe(ids.sampleKeyVault);
        expect(resolveScope("/subscriptions/x/resourceGroups/y", ids)).toBe("/subscriptions/x/resourceGroups/y");
    });
    test("sampleKeyVault without the vault is a programming error, not a silent subscription grant", () => {
        expect(() => resolveScope("sampleKeyVault", { subscription: "a", resourceGroup: "b" })).toThrow(/sample Key Vault/);
    });
});

test("data-plane roles are named as such, not as unknown", () => {
    expect(() => resolveRole("cosmos db built-in data reader")).toThrow(/Cosmos DB SQL role .*sqlRoleAssignments/);
});

test("role labels: the table's name, or the GUID of a custom role", () => {
    expect(roleLabel("4633458B-17DE-408A-B874-0445C86B69E6")).toBe("Key Vault Secrets User");
    expect(roleLabel("0b3d1c9e-0000-4000-8000-0000000000c5")).toBe("0b3d1c9e-0000-4000-8000-0000000000c5");
});

describe("assignment names", () => {
    const scope = "/subscriptions/00000000-1111-4222-8333-444444444444/resourceGroups/rg";
    test("the same inputs give the same UUID, in version 5 layout", () => {
        const a = roleAssignmentName(scope, "p1", "r1");
        expect(a).toBe(roleAssignmentName(scope, "p1", "r1"));
        expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
    test("scope, principal and role each change it; ARM's case-insensitivity does not", () => {
        const a = roleAssignmentName(scope, "p1", "r1");
        expect(roleAssignmentName(`${scope}2`, "p1", "r1")).not.toBe(a);
        expect(roleAssignmentName(scope, "p2", "r1")).not.toBe(a);
        expect(roleAssignmentName(scope, "p1", "r2")).not.toBe(a);
        expect(roleAssignmentName(scope.toUpperCase(), "P1", "R1")).toBe(a);
    });
});
