/**
 * AKS mode: the cluster hosts its own issuer and runs the webhook. Compared with the kind graph: no storage, keys,
 * documents, kind cluster or Helm release; the same identities, credentials, roles, vault, service accounts and pod —
 * every credential naming the AKS issuer Output.
 */
import { aksWorkloadIdentityProblem } from "../../lib/cluster/aks";
import { Plan, PlannedResource } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { byName, runProgram, runStackFile } from "../support/program";

const BASE = {
    "azure-native:location": "westeurope",
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
};
const AKS = { "entra-wif:cluster": { mode: "aks" } };

const types = (plan: Plan) => new Set(plan.resources.map((r) => `${r.type} ${r.name}`));
/** A resource's inputs with the values that legitimately differ between the two graphs left out. */
const comparable = (r: PlannedResource) => JSON.stringify({ type: r.type, name: r.name, inputs: r.inputs });

describe("aks against kind", () => {
    let kind: Plan;
    let aks: Plan;
    beforeAll(async () => {
        kind = await runProgram(BASE);
        aks = await runProgram({ ...BASE, ...AKS });
    });

    test("absent on AKS: storage issuer and the deployer's grant on it, signing key, documents, the gate, the kind cluster and the webhook release", () => {
        const onlyKind = [...types(kind)].filter((t) => !types(aks).has(t)).sort();
        expect(onlyKind).toEqual([
            "azure-native:authorization:RoleAssignment issuer-writer-grant",
            "azure-native:storage:BlobContainer issuer-container",
            "azure-native:storage:StorageAccount issuer-account",
            "command:local:Command cluster-keys",
            "command:local:Command cluster-kind",
            "command:local:Command issuer-verify",
            "entra-wif:index:IssuerDocuments issuer-documents",
            "entra-wif:index:KindCluster cluster",
            "entra-wif:index:OidcIssuer issuer",
            "entra-wif:index:RetiredResource issuer-discovery",
            "entra-wif:index:RetiredResource issuer-jwks",
            "entra-wif:index:RetiredResource issuer-website",
            "entra-wif:index:SigningKey signing-key",
            "entra-wif:index:WorkloadIdentityWebhook webhook",
            "kubernetes:core/v1:Namespace webhook-namespace",
            "kubernetes:helm.sh/v3:Release webhook-release",
            "tls:index/privateKey:PrivateKey signing-key-initial",
        ]);
        const onlyAks = [...types(aks)].filter((t) => !types(kind).has(t)).sort();
        expect(onlyAks).toEqual(["azure-native:containerservice:ManagedCluster cluster-aks", "entra-wif:index:AksCluster cluster"]);
    });

    test("shared and unchanged: the group, identity, vault and its secret, namespace and service account", () => {
        for (const name of ["group-rg", "id-entra-wif-test-identity", "sample-vault", "sample-secret", "workloads-ns-demo", "workloads-sa-demo_workload-sa"]) {
            expect(comparable(byName(aks, name))).toBe(comparable(byName(kind, name)));
        }
    });

    test("the pod is the same pod, injected by AKS's own webhook: it waits for no Helm release", () => {
        const [k, a] = [byName(kind, "sample-pod"), byName(aks, "sample-pod")];
        expect(a.inputs).toEqual(k.inputs);
        expect((a.inputs.metadata as { labels: object }).labels).toEqual({ "azure.workload.identity/use": "true" });
        expect(a.dependsOn.some((d) => d.includes("Release"))).toBe(false);
        expect(a.dependsOn).toContain(byName(aks, "id-entra-wif-test-fic-demo_workload-sa").urn);
    });

    test("the AKS cluster: OIDC issuer and workload identity on, a small system pool, in the stack's group", () => {
        expect(byName(aks, "cluster-aks").inputs).toEqual({
            resourceName: "aks-entra-wif-test",
            resourceGroupName: "rg-entra-wif-test",
            location: "westeurope",
            dnsPrefix: "aks-entra-wif-test",
            identity: { type: "SystemAssigned" },
            enableRBAC: true,
            agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D2s_v5", osType: "Linux", type: "VirtualMachineScaleSets" }],
            oidcIssuerProfile: { enabled: true },
            securityProfile: { workloadIdentity: { enabled: true } },
        });
    });

    test("the AKS issuer Output flows into every federated credential and the issuer output", () => {
        const issuer = aks.outputs.issuerUrl as string;
        expect(issuer).toMatch(/^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
        const fic = byName(aks, "id-entra-wif-test-fic-demo_workload-sa");
        expect(fic.inputs.issuer).toBe(issuer);
        expect(fic.dependsOn).toContain(byName(aks, "cluster-aks").urn);
        expect(aks.outputs.federatedCredentials).toEqual([expect.objectContaining({ issuer, subject: "system:serviceaccount:demo:workload-sa" })]);
    });

    test("cluster objects use the provider built from AKS's user credentials and are deletedWith the cluster", () => {
        expect(byName(aks, "kubernetes").inputs).toEqual({ kubeconfig: "[secret]", deleteUnreachable: "false" });
        for (const r of aks.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            expect(r.deletedWith).toBe(byName(aks, "cluster-aks").urn);
            expect(r.provider).toMatch(/::pulumi:providers:kubernetes::kubernetes::/);
        }
        expect(aks.outputs.kubeconfig).toBe("[secret]");
    });

    test("the credentials are asked for in the exec format, which Entra-integrated clusters need (converted for az, lib/cluster/aks.ts)", async () => {
        const mocks = new AzureMocks();
        await runProgram({ ...BASE, ...AKS }, { mocks });
        const asked = mocks.invoked.filter((c) => c.token === "azure-native:containerservice:listManagedClusterUserCredentials");
        expect(asked.map((c) => c.inputs)).toEqual([expect.objectContaining({ format: "exec", resourceName: "aks-entra-wif-test" })]);
    });

    test("outputs: no storage, keys or flags; the cluster's name", () => {
        for (const key of [
            "storageAccountName",
            "discoveryDocument",
            "jwks",
            "signingKeyIds",
            "serviceAccountSigningKey",
            "kubeApiServerFlags",
            "kindConfig",
            "clusterSnippets",
        ]) {
            expect([key, key in aks.outputs]).toEqual([key, false]);
        }
        expect(aks.outputs.clusterMode).toBe("aks");
        expect(aks.outputs.clusterName).toBe("aks-entra-wif-test");
    });
});

describe("an existing AKS cluster", () => {
    test("is looked up, not created, and its issuer is used; nothing is deletedWith it", async () => {
        const plan = await runProgram({ ...BASE, "entra-wif:cluster": { mode: "aks", name: "prod-aks", existingResourceGroupName: "rg-platform" } });
        expect(plan.resources.some((r) => r.type === "azure-native:containerservice:ManagedCluster")).toBe(false);
        expect(byName(plan, "id-entra-wif-test-fic-demo_workload-sa").inputs.issuer).toBe(plan.outputs.issuerUrl);
        expect(plan.outputs.issuerUrl).toMatch(/^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\//);
        for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(r.deletedWith).toBeNull();
    });

    test("one without the OIDC issuer or workload identity is refused with the az command that fixes it", () => {
        expect(aksWorkloadIdentityProblem({ oidcIssuerProfile: { enabled: false }, securityProfile: {} }, "prod-aks", "rg-platform")).toBe(
            "AKS cluster prod-aks in rg-platform is not set up for workload identity: " +
                "run az aks update -g rg-platform -n prod-aks --enable-oidc-issuer --enable-workload-identity",
        );
        expect(
            aksWorkloadIdentityProblem(
                { oidcIssuerProfile: { enabled: true, issuerURL: "https://x/" }, securityProfile: { workloadIdentity: { enabled: true } } },
                "a",
                "b",
            ),
        ).toBeUndefined();
    });
});

test("the aks example stack plans the cluster, the identity and its credential, and no storage account", async () => {
    const plan = await runStackFile("examples/Pulumi.aks.yaml");
    const names = plan.resources.map((r) => `${r.type} ${r.name}`);
    expect(names).toEqual(
        expect.arrayContaining([
            "azure-native:containerservice:ManagedCluster cluster-aks",
            "azure-native:managedidentity:UserAssignedIdentity id-entra-wif-aks-identity",
            "azure-native:managedidentity:FederatedIdentityCredential id-entra-wif-aks-fic-demo_workload-sa",
        ]),
    );
    expect(plan.resources.some((r) => r.type === "azure-native:storage:StorageAccount")).toBe(false);
});
