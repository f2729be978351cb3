/**
 * Azure Arc (seed 002): a kind or existing cluster connected with az connectedk8s through a Command — after the
 * cluster and the webhook exist, and disconnected before either goes — while the issuer, the identities and the
 * credentials stay exactly what they are without Arc.
 */
import { arcConnectScript, arcDisconnectScript } from "../../lib/cluster/arc";
import { destroyPlan } from "../../lib/plans/destroyPlan";
import { Plan } from "../../tools/offline/harness";
import { MOCK_AZURE } from "../../tools/offline/mocks";
import { byName, runProgram, runStackFile } from "../support/program";

const env = (plan: Plan) => byName(plan, "arc-connect").inputs.environment as Record<string, string>;

describe("a kind cluster connected to Arc (examples/Pulumi.arc.yaml)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runStackFile("examples/Pulumi.arc.yaml");
    });

    test("a Command runs az connectedk8s connect on create and delete on destroy, in the stack's group", () => {
        const connect = byName(plan, "arc-connect");
        expect(connect.type).toBe("command:local:Command");
        expect(connect.parent).toBe(byName(plan, "arc").urn);
        expect(connect.inputs.create).toBe(arcConnectScript());
        expect(connect.inputs.delete).toBe(arcDisconnectScript());
        expect(env(plan)).toEqual({
            ENTRA_WIF_ARC_NAME: "arc-entra-wif-arc",
            ENTRA_WIF_ARC_RESOURCE_GROUP: "rg-entra-wif-arc",
            ENTRA_WIF_ARC_LOCATION: "westeurope",
            ENTRA_WIF_SUBSCRIPTION: MOCK_AZURE.subscriptionId,
            // The kind cluster's kubeconfig, kept secret.
            ENTRA_WIF_KUBECONFIG: "[secret]",
        });
        expect(plan.outputs.arcConnectedClusterId).toBe(
            `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/rg-entra-wif-arc/providers/Microsoft.Kubernetes/connectedClusters/arc-entra-wif-arc`,
        );
    });

    test("connects after the cluster exists and the webhook runs; disconnects first on destroy", () => {
        const connect = byName(plan, "arc-connect");
        expect(connect.dependsOn).toEqual(expect.arrayContaining([byName(plan, "cluster-kind").urn, byName(plan, "webhook-release").urn]));
        const wave = new Map(destroyPlan(plan.resources).map((s) => [s.name, s.wave]));
        expect(wave.get("arc-connect")!).toBeLessThan(wave.get("webhook-release")!);
        expect(wave.get("arc-connect")!).toBeLessThan(wave.get("cluster-kind")!);
        expect(destroyPlan(plan.resources).find((s) => s.name === "arc-connect")!.how).toBe("deleted");
    });

    test("a new kind cluster is a new connection: the cluster's id is a trigger, the old connection goes first", () => {
        // A change of issuer, name or image replaces the kind Command (delete-before-replace): its new id is unknown
        // until then, so the engine replaces the connection too, deleting it while the old cluster still runs.
        const connect = byName(plan, "arc-connect");
        expect(connect.inputs.triggers).toEqual(["arc-entra-wif-arc", "rg-entra-wif-arc", expect.stringMatching(/^cluster-kind-[0-9a-f]{8}$/)]);
        expect(connect.options.deleteBeforeReplace).toBe(true);
    });

    test("the trust chain is unchanged: the same issuer, credentials and roles as the same stack without Arc", async () => {
        const without = await runProgram(
            {
                "azure-native:location": "westeurope",
                "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
                "entra-wif:sample": { enabled: true },
            },
            { stack: "arc" },
        );
        const trust = (p: Plan) =>
            p.resources
                .filter((r) => /FederatedIdentityCredential|RoleAssignment|UserAssignedIdentity|IssuerDocuments$/.test(r.type))
                .map((r) => [r.urn, r.inputs]);
        expect(trust(plan).length).toBeGreaterThan(0);
        // The issuer documents carry the kid of a freshly generated key: compare the credentials' issuer by value.
        expect(plan.outputs.issuerUrl).toBe(without.outputs.issuerUrl);
        expect(trust(plan).filter(([urn]) => !String(urn).includes("IssuerDocuments"))).toEqual(
            trust(without).filter(([urn]) => !String(urn).includes("IssuerDocuments")),
        );
    });
});

test("an existing cluster reached by a context is connected with that context, and a chosen name", async () => {
    const plan = await runProgram({
        "azure-native:location": "westeurope",
        "entra-wif:cluster": { mode: "existing", context: "k0s-platform", arc: { enabled: true, name: "arc-k0s-lab" } },
    });
    expect(env(plan)).toMatchObject({ ENTRA_WIF_ARC_NAME: "arc-k0s-lab", ENTRA_WIF_KUBE_CONTEXT: "k0s-platform" });
    expect(env(plan).ENTRA_WIF_KUBECONFIG).toBeUndefined();
    // No kind cluster to wait for: after the webhook only; and no cluster of the stack's whose replacement ends it.
    expect(byName(plan, "arc-connect").dependsOn).toContain(byName(plan, "webhook-release").urn);
    expect(byName(plan, "arc-connect").inputs.triggers).toEqual(["arc-k0s-lab", "rg-entra-wif-test"]);
});

test("without cluster.arc (or with it off) nothing is connected", async () => {
    for (const arc of [undefined, { enabled: false }]) {
        const plan = await runProgram({ "azure-native:location": "westeurope", "entra-wif:cluster": { mode: "kind", ...(arc ? { arc } : {}) } });
        expect(plan.resources.some((r) => r.type === "entra-wif:index:ArcConnection")).toBe(false);
        expect(plan.outputs).not.toHaveProperty("arcConnectedClusterId");
    }
});
