/**
 * Entra's side of the trust under realistic mocks: identities, federated credentials, role assignments and the
 * sample Key Vault, as the program sends them.
 */
import { Plan, PlannedResource } from "../../tools/offline/harness";
import { AzureMocks, MOCK_AZURE } from "../../tools/offline/mocks";
import { roleAssignmentName } from "../../lib/entra/roles";
import { byName, issuerOfDiscovery, runProgram, runStackFile } from "../support/program";

const LOCATION = { "azure-native:location": "westeurope" };
const SUB = `/subscriptions/${MOCK_AZURE.subscriptionId}`;
const RG = `${SUB}/resourceGroups/rg-entra-wif-test`;
const FIC_MI = "azure-native:managedidentity:FederatedIdentityCredential";
const FIC_APP = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
const ROLE = "azure-native:authorization:RoleAssignment";

/** Resources of a type; role assignments are the workloads' (the issuer's grant to the deployer is issuer.test.ts's). */
const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type && r.name !== "issuer-writer-grant");

/** Three workloads over two identities of the given types; the sample reads as shop/frontend. */
function teamConfig(typeA: string, typeB: string) {
    return {
        ...LOCATION,
        "entra-wif:identities": [
            { name: "id-frontend", type: typeA, roles: [{ role: "Reader", scope: "resourceGroup" }] },
            { name: "id-worker", type: typeB },
        ],
        "entra-wif:workloads": [
            { namespace: "shop", serviceAccount: "frontend", identity: "id-frontend" },
            { namespace: "jobs", serviceAccount: "worker", identity: "id-worker", roles: [{ role: "Storage Blob Data Contributor", scope: "subscription" }] },
            {
                namespace: "shop",
                serviceAccount: "frontend-canary",
                identity: "id-frontend",
                roles: [{ role: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: "resourceGroup" }],
            },
        ],
        "entra-wif:sample": { enabled: true, workload: "shop/frontend" },
    };
}

describe("managed identities: three workloads over two", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram(teamConfig("managedIdentity", "managedIdentity"));
    });

    test("one user-assigned identity each, in the stack's group and region, under its component", () => {
        const identities = ofType(plan, "azure-native:managedidentity:UserAssignedIdentity");
        expect(identities.map((r) => [r.name, r.inputs, r.parent])).toEqual([
            [
                "id-frontend-identity",
                { resourceName: "id-frontend", resourceGroupName: "rg-entra-wif-test", location: "westeurope" },
                "urn:pulumi:test::entra-wif::entra-wif:index:EntraIdentity::id-frontend",
            ],
            [
                "id-worker-identity",
                { resourceName: "id-worker", resourceGroupName: "rg-entra-wif-test", location: "westeurope" },
                "urn:pulumi:test::entra-wif::entra-wif:index:EntraIdentity::id-worker",
            ],
        ]);
    });

    test("a credential per workload: subject byte-exact, the one audience, the published issuer", () => {
        const issuer = issuerOfDiscovery(plan);
        expect(issuer).toBe(plan.outputs.issuerUrl);
        const credentials = ofType(plan, FIC_MI);
        expect(credentials.map((r) => [r.inputs.resourceName, r.inputs.federatedIdentityCredentialResourceName, r.inputs.subject])).toEqual([
            ["id-frontend", "shop_frontend", "system:serviceaccount:shop:frontend"],
            ["id-frontend", "shop_frontend-canary", "system:serviceaccount:shop:frontend-canary"],
            ["id-worker", "jobs_worker", "system:serviceaccount:jobs:worker"],
        ]);
        for (const c of credentials) {
            // The same string the discovery document carries, so also every token's iss.
            expect(c.inputs.issuer).toBe(issuer);
            expect(c.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
            expect(c.inputs.resourceGroupName).toBe("rg-entra-wif-test");
        }
    });

    test("each credential carries the issuer the account will serve, derived once, and waits for no storage", async () => {
        // The endpoint the plugin derives for the account (here a sovereign cloud's, as the mocks' account reports it)
        // reaches every credential unchanged: the one issuer Output, not retyped text.
        const china = (account: string) => `https://${account}.blob.core.chinacloudapi.cn/`;
        const elsewhere = await runProgram(teamConfig("managedIdentity", "managedIdentity"), { mocks: new AzureMocks({ blobEndpoint: china }) });
        const issuer = `${china(String(elsewhere.outputs.storageAccountName))}oidc/`;
        expect(elsewhere.outputs.issuerUrl).toBe(issuer);
        expect(ofType(elsewhere, FIC_MI).map((c) => c.inputs.issuer)).toEqual(ofType(elsewhere, FIC_MI).map(() => issuer));
        for (const c of ofType(plan, FIC_MI)) {
            expect(c.dependsOn.filter((d) => /issuer-(account|container)$/.test(d))).toEqual([]);
        }
    });

    test("credentials of one identity are written one after another; none waits on another identity's", () => {
        const [first, canary, worker] = ofType(plan, FIC_MI);
        const ficDeps = (r: PlannedResource) => r.dependsOn.filter((d) => d.includes("FederatedIdentityCredential"));
        expect(ficDeps(first)).toEqual([]);
        expect(ficDeps(canary)).toEqual([first.urn]);
        expect(ficDeps(worker)).toEqual([]);
        expect(first.dependsOn).toContain(
            "urn:pulumi:test::entra-wif::entra-wif:index:EntraIdentity$azure-native:managedidentity:UserAssignedIdentity::id-frontend-identity",
        );
        expect(worker.dependsOn).not.toContain(
            "urn:pulumi:test::entra-wif::entra-wif:index:EntraIdentity$azure-native:managedidentity:UserAssignedIdentity::id-frontend-identity",
        );
    });

    test("role assignments: by name or GUID, collapsed per role and scope, at the right scope, for the identity's principal", () => {
        const identities = plan.outputs.identities as Record<string, { principalId: string }>;
        const vaultId = `${RG}/providers/Microsoft.KeyVault/vaults/${plan.outputs.keyVaultName}`;
        const rows = ofType(plan, ROLE).map((r) => [r.name, r.inputs.scope, r.inputs.roleDefinitionId, r.inputs.principalId, r.inputs.principalType]);
        const def = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
        expect(rows).toEqual([
            [
                "id-frontend-role-key-vault-secrets-user-sampleKeyVault",
                vaultId,
                def("4633458b-17de-408a-b874-0445c86b69e6"),
                identities["id-frontend"].principalId,
                "ServicePrincipal",
            ],
            // Reader from the identity and the same role by GUID from the canary workload: one assignment.
            [
                "id-frontend-role-reader-resourceGroup",
                RG,
                def("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
                identities["id-frontend"].principalId,
                "ServicePrincipal",
            ],
            [
                "id-worker-role-storage-blob-data-contributor-subscription",
                SUB,
                def("ba92f5b4-2d11-453d-a403-e96b0029c9fe"),
                identities["id-worker"].principalId,
                "ServicePrincipal",
            ],
        ]);
        expect(identities["id-frontend"].principalId).not.toBe(identities["id-worker"].principalId);
    });

    test("assignment names are the UUID of scope, principal and role, so a re-run never duplicates one", () => {
        for (const r of ofType(plan, ROLE)) {
            const roleGuid = String(r.inputs.roleDefinitionId).split("/").pop()!;
            expect(r.inputs.roleAssignmentName).toBe(roleAssignmentName(String(r.inputs.scope), String(r.inputs.principalId), roleGuid));
        }
    });

    test("the Key Vault grant waits for the vault; the subscription grant waits for nothing but its identity", () => {
        const vaultUrn = "urn:pulumi:test::entra-wif::entra-wif:index:SampleKeyVault$azure-native:keyvault:Vault::sample-vault";
        expect(byName(plan, "id-frontend-role-key-vault-secrets-user-sampleKeyVault").dependsOn).toContain(vaultUrn);
        expect(byName(plan, "id-worker-role-storage-blob-data-contributor-subscription").dependsOn).toEqual([
            "urn:pulumi:test::entra-wif::entra-wif:index:EntraIdentity$azure-native:managedidentity:UserAssignedIdentity::id-worker-identity",
        ]);
    });

    test("outputs: per identity its ids, per workload its subject and client id", () => {
        const identities = plan.outputs.identities as Record<string, Record<string, string>>;
        expect(Object.keys(identities)).toEqual(["id-frontend", "id-worker"]);
        for (const id of Object.values(identities)) {
            expect(id).toEqual({
                type: "managedIdentity",
                clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
                principalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
                tenantId: MOCK_AZURE.tenantId,
            });
        }
        expect(plan.outputs.workloadIdentities).toEqual([
            {
                namespace: "shop",
                serviceAccount: "frontend",
                subject: "system:serviceaccount:shop:frontend",
                identity: "id-frontend",
                clientId: identities["id-frontend"].clientId,
            },
            {
                namespace: "jobs",
                serviceAccount: "worker",
                subject: "system:serviceaccount:jobs:worker",
                identity: "id-worker",
                clientId: identities["id-worker"].clientId,
            },
            {
                namespace: "shop",
                serviceAccount: "frontend-canary",
                subject: "system:serviceaccount:shop:frontend-canary",
                identity: "id-frontend",
                clientId: identities["id-frontend"].clientId,
            },
        ]);
        expect(plan.outputs.tenantId).toBe(MOCK_AZURE.tenantId);
    });

    test("two runs send identical identities, credentials and role assignments", async () => {
        const again = await runProgram(teamConfig("managedIdentity", "managedIdentity"));
        const entra = (p: Plan) => p.resources.filter((r) => /managedidentity|authorization|keyvault/.test(r.type)).map((r) => [r.urn, r.inputs, r.dependsOn]);
        expect(entra(again)).toEqual(entra(plan));
    });
});

describe("the sample Key Vault", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram(teamConfig("managedIdentity", "managedIdentity"));
    });

    test("RBAC mode, standard, the deployer's tenant, shortest soft-delete retention, derived name", () => {
        const vault = byName(plan, "sample-vault");
        expect(vault.inputs).toEqual({
            vaultName: plan.outputs.keyVaultName,
            resourceGroupName: "rg-entra-wif-test",
            location: "westeurope",
            properties: {
                tenantId: MOCK_AZURE.tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                softDeleteRetentionInDays: 7,
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
                // Filled in by the SDK's defaults: soft delete cannot be turned off, and the pod reads over the public endpoint.
                enableSoftDelete: true,
                publicNetworkAccess: "enabled",
            },
        });
        expect(plan.outputs.keyVaultName).toMatch(/^kv-entrawif-[0-9a-f]{12}$/);
        expect(plan.outputs.keyVaultUrl).toBe(`https://${plan.outputs.keyVaultName}.vault.azure.net/`);
    });

    test("the demo secret: named as configured, its value a secret", () => {
        const secret = byName(plan, "sample-secret");
        expect(secret.inputs).toEqual({
            vaultName: plan.outputs.keyVaultName,
            resourceGroupName: "rg-entra-wif-test",
            secretName: "demo-secret",
            properties: { value: "[secret]", contentType: "text/plain" },
        });
        expect(plan.outputs.sampleSecretName).toBe("demo-secret");
    });

    test("only the sample workload's identity may read it", () => {
        const onVault = ofType(plan, ROLE).filter((r) => String(r.inputs.scope).includes("Microsoft.KeyVault"));
        expect(onVault.map((r) => r.name)).toEqual(["id-frontend-role-key-vault-secrets-user-sampleKeyVault"]);
    });

    test("an explicit vault name is used as given; without the sample there is no vault and no grant", async () => {
        const named = await runProgram({
            ...LOCATION,
            "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }],
            "entra-wif:sample": { enabled: true, vaultName: "kv-team-demo" },
        });
        expect(byName(named, "sample-vault").inputs.vaultName).toBe("kv-team-demo");
        const off = await runProgram({ ...LOCATION, "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }] });
        expect(off.resources.filter((r) => /keyvault|RoleAssignment|SampleKeyVault/.test(r.type) && r.name !== "issuer-writer-grant")).toEqual([]);
        expect(off.outputs).not.toHaveProperty("keyVaultUrl");
    });
});

describe("app registrations", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram(teamConfig("application", "application"));
    });

    test("an Application and its ServicePrincipal per identity, owned by the deployer; no managed identity", () => {
        expect(ofType(plan, "azure-native:managedidentity:UserAssignedIdentity")).toEqual([]);
        const app = byName(plan, "id-frontend-app");
        expect(app.inputs).toEqual({ displayName: "id-frontend", owners: [MOCK_AZURE.objectId] });
        const sp = byName(plan, "id-frontend-sp");
        expect(sp.inputs).toEqual({
            clientId: (plan.outputs.identities as Record<string, { clientId: string }>)["id-frontend"].clientId,
            owners: [MOCK_AZURE.objectId],
        });
        expect(sp.dependsOn).toContain(app.urn);
        // The first deployer stays the owner: a preview by another principal (a CI runner) shows no change.
        expect(app.options.ignoreChanges).toEqual(["owners"]);
        expect(sp.options.ignoreChanges).toEqual(["owners"]);
    });

    test("credentials on the application's id (/applications/<objectId>), subject, audience and issuer exact", () => {
        const issuer = issuerOfDiscovery(plan);
        const credentials = ofType(plan, FIC_APP);
        expect(credentials.map((r) => [r.name, r.inputs.displayName, r.inputs.subject])).toEqual([
            ["id-frontend-fic-shop_frontend", "shop_frontend", "system:serviceaccount:shop:frontend"],
            ["id-frontend-fic-shop_frontend-canary", "shop_frontend-canary", "system:serviceaccount:shop:frontend-canary"],
            ["id-worker-fic-jobs_worker", "jobs_worker", "system:serviceaccount:jobs:worker"],
        ]);
        for (const c of credentials) {
            expect(c.inputs.issuer).toBe(issuer);
            expect(c.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
            expect(c.inputs.applicationId).toMatch(/^\/applications\/[0-9a-f-]{36}$/);
        }
        expect(credentials[0].inputs.applicationId).toBe(credentials[1].inputs.applicationId);
        expect(credentials[0].inputs.applicationId).not.toBe(credentials[2].inputs.applicationId);
    });

    test("role assignments name the service principal, as a ServicePrincipal", () => {
        const sp = (name: string) => byName(plan, `${name}-sp`);
        for (const r of ofType(plan, ROLE)) {
            expect(r.inputs.principalType).toBe("ServicePrincipal");
            expect(r.dependsOn).toContain(sp(r.name.startsWith("id-frontend") ? "id-frontend" : "id-worker").urn);
        }
        const identities = plan.outputs.identities as Record<string, { type: string; tenantId: string }>;
        expect(identities["id-worker"]).toMatchObject({ type: "application", tenantId: MOCK_AZURE.tenantId });
    });
});

describe("mixed types and limits", () => {
    test("a managed identity and an app registration side by side", async () => {
        const plan = await runProgram(teamConfig("managedIdentity", "application"));
        expect(ofType(plan, FIC_MI).map((r) => r.inputs.subject)).toEqual([
            "system:serviceaccount:shop:frontend",
            "system:serviceaccount:shop:frontend-canary",
        ]);
        expect(ofType(plan, FIC_APP).map((r) => r.inputs.subject)).toEqual(["system:serviceaccount:jobs:worker"]);
    });

    test("21 workloads on one identity fail before any resource is registered", async () => {
        const mocks = new AzureMocks();
        const workloads = Array.from({ length: 21 }, (_, i) => ({ namespace: "apps", serviceAccount: `sa-${i}` }));
        await expect(runProgram({ ...LOCATION, "entra-wif:workloads": workloads }, { mocks })).rejects.toThrow(
            /^entra-wif:workloads: "21 workloads on identity id-entra-wif-test" is not valid; Entra ID allows at most 20 federated credentials per identity/,
        );
        expect(mocks.registered).toEqual([]);
    });

    test("an unknown role name fails before any resource is registered, listing the known names", async () => {
        const mocks = new AzureMocks();
        await expect(
            runProgram({ ...LOCATION, "entra-wif:identity": { roles: [{ role: "Blob Reader", scope: "resourceGroup" }] } }, { mocks }),
        ).rejects.toThrow(/roles\[0\]\.role: "Blob Reader" is not valid; unknown role; use a role definition GUID or one of: .*Storage Blob Data Reader/);
        expect(mocks.registered).toEqual([]);
    });

    test("20 workloads on one identity: 20 chained credentials", async () => {
        const workloads = Array.from({ length: 20 }, (_, i) => ({ namespace: "apps", serviceAccount: `sa-${i}` }));
        const plan = await runProgram({ ...LOCATION, "entra-wif:workloads": workloads });
        const credentials = ofType(plan, FIC_MI);
        // Sorted by URN in the plan; restore config order by the service account's number.
        const ordered = [...credentials].sort((a, b) => Number(String(a.inputs.subject).split("-").pop()) - Number(String(b.inputs.subject).split("-").pop()));
        expect(ordered).toHaveLength(20);
        ordered.forEach((c, i) => {
            const chained = c.dependsOn.filter((d) => d.includes("FederatedIdentityCredential"));
            expect(chained).toEqual(i === 0 ? [] : [ordered[i - 1].urn]);
        });
    });
});

test("the dev stack: one managed identity, the sample workload's credential, its Key Vault grant and the vault", async () => {
    const plan = await runStackFile("Pulumi.dev.yaml");
    const entra = plan.resources
        .filter((r) => /managedidentity|authorization|keyvault|EntraIdentity|SampleKeyVault/.test(r.type) && r.name !== "issuer-writer-grant")
        .map((r) => `${r.type} ${r.name}`);
    expect(entra).toEqual([
        "entra-wif:index:EntraIdentity id-entra-wif-dev",
        "azure-native:authorization:RoleAssignment id-entra-wif-dev-role-key-vault-secrets-user-sampleKeyVault",
        "azure-native:managedidentity:FederatedIdentityCredential id-entra-wif-dev-fic-demo_workload-sa",
        "azure-native:managedidentity:UserAssignedIdentity id-entra-wif-dev-identity",
        "entra-wif:index:SampleKeyVault sample",
        "azure-native:keyvault:Secret sample-secret",
        "azure-native:keyvault:Vault sample-vault",
    ]);
    expect(byName(plan, "id-entra-wif-dev-fic-demo_workload-sa").inputs.subject).toBe("system:serviceaccount:demo:workload-sa");
    expect(byName(plan, "id-entra-wif-dev-fic-demo_workload-sa").inputs.issuer).toBe(issuerOfDiscovery(plan));
});
