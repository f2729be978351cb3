import { parseStackConfig } from "../../lib/config";
import { federatedCredentialName, planIdentities } from "../../lib/entra/identities";

const plan = (values: Record<string, unknown>) => {
    const raw: Record<string, string> = { "azure-native:location": "westeurope" };
    for (const [k, v] of Object.entries(values)) raw[k] = JSON.stringify(v);
    return planIdentities(parseStackConfig(raw, { stack: "dev" }));
};

describe("federated credential names", () => {
    test("namespace and service account, readable", () => {
        expect(federatedCredentialName("demo", "workload-sa")).toBe("demo_workload-sa");
    });

    test("distinct workloads never share a name, even where hyphens and dots could blur them", () => {
        const pairs: Array<[string, string]> = [
            ["a-b", "c"],
            ["a", "b-c"],
            ["a", "b.c"],
            ["a", "b-c.d"],
            ["a-b", "c.d"],
            ["ab", "c"],
            ["a", "bc"],
        ];
        const names = pairs.map(([ns, sa]) => federatedCredentialName(ns, sa));
        expect(new Set(names).size).toBe(pairs.length);
    });

    test("always within Azure's rule: 3-120 letters, digits, - and _, starting alphanumeric", () => {
        const longest = federatedCredentialName("n".repeat(63), `${"s".repeat(63)}.${"t".repeat(63)}.${"u".repeat(63)}`);
        for (const name of [longest, federatedCredentialName("a", "b"), federatedCredentialName("x", "y.z")]) {
            expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
        }
        expect(longest).toHaveLength(120);
        // Two long names that share the first 107 characters stay apart through the hash.
        expect(federatedCredentialName("n".repeat(63), `${"s".repeat(100)}a`)).not.toBe(federatedCredentialName("n".repeat(63), `${"s".repeat(100)}b`));
    });
});

describe("planIdentities", () => {
    test("each identity gets a credential per workload, subject byte-exact, in config order", () => {
        const identities = plan({
            "entra-wif:identities": [
                { name: "id-a", type: "managedIdentity" },
                { name: "id-b", type: "application" },
            ],
            "entra-wif:workloads": [
                { namespace: "shop", serviceAccount: "frontend", identity: "id-a" },
                { namespace: "jobs", serviceAccount: "worker.v2", identity: "id-b" },
                { namespace: "shop", serviceAccount: "canary", identity: "id-a" },
            ],
        });
        expect(identities.map((i) => [i.name, i.type, i.credentials.map((c) => c.subject)])).toEqual([
            ["id-a", "managedIdentity", ["system:serviceaccount:shop:frontend", "system:serviceaccount:shop:canary"]],
            ["id-b", "application", ["system:serviceaccount:jobs:worker.v2"]],
        ]);
        expect(identities[1].credentials[0].credentialName).toBe("jobs_worker_v2");
    });

    test("grants from the identity and its workloads, one per role and scope; the sample's reader grant goes to the sample workload's identity only", () => {
        const identities = plan({
            "entra-wif:identities": [
                { name: "id-a", type: "managedIdentity", roles: [{ role: "Reader", scope: "resourceGroup" }] },
                { name: "id-b", type: "managedIdentity" },
            ],
            "entra-wif:workloads": [
                {
                    namespace: "shop",
                    serviceAccount: "frontend",
                    identity: "id-a",
                    roles: [{ role: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: "resourceGroup" }],
                },
                { namespace: "shop", serviceAccount: "canary", identity: "id-a", roles: [{ role: "key vault secrets user", scope: "sampleKeyVault" }] },
                { namespace: "jobs", serviceAccount: "worker", identity: "id-b" },
            ],
            "entra-wif:sample": { enabled: true, workload: "shop/frontend" },
        });
        expect(identities[0].grants).toEqual([
            { roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: "resourceGroup", resourceSuffix: "reader-resourceGroup" },
            { roleId: "4633458b-17de-408a-b874-0445c86b69e6", scope: "sampleKeyVault", resourceSuffix: "key-vault-secrets-user-sampleKeyVault" },
        ]);
        expect(identities[1].grants).toEqual([]);
    });

    test("ARM-id scopes and custom roles get stable, distinct resource suffixes", () => {
        const rg = "/subscriptions/00000000-1111-4222-8333-444444444444/resourceGroups/rg-data";
        const [identity] = plan({
            "entra-wif:identity": {
                roles: [
                    { role: "Storage Blob Data Reader", scope: rg },
                    { role: "Storage Blob Data Reader", scope: rg.toUpperCase() },
                    { role: "0b3d1c9e-0000-4000-8000-0000000000c5", scope: `${rg}/providers/Microsoft.Storage/storageAccounts/data` },
                ],
            },
        });
        expect(identity.grants.map((g) => g.resourceSuffix)).toEqual([
            expect.stringMatching(/^storage-blob-data-reader-arm-[0-9a-f]{10}$/),
            expect.stringMatching(/^0b3d1c9e-0000-4000-8000-0000000000c5-arm-[0-9a-f]{10}$/),
        ]);
    });
});
