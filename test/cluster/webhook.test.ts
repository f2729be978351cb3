/**
 * The real azure-workload-identity webhook (v1.6.0, the chart the program installs) in front of a real kube-apiserver:
 * the sample pod the program plans, created through admission, comes out carrying what the webhook injects — the
 * client id from the service account the program annotated, the tenant id and cloud the program gave the chart,
 * AZURE_FEDERATED_TOKEN_FILE, and a projected token for api://AzureADTokenExchange. The sample pod the program plans
 * for a cluster without the webhook, created with no webhook registered, carries the same by itself.
 */
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../../lib/trust/oidc";
import { SAMPLE_POD_NAME, WORKLOAD_IDENTITY } from "../../lib/cluster/workloads";
import { ApiServer, collectionPath, ControlPlane, expectStatus, waitFor } from "./support/controlPlane";
import { KubeObject, kubernetesObjects, PodSpec, stackConfig } from "./support/deploy";
import { Deployed, Deployment } from "../support/deployment";
import { kindCommand, KindNode } from "./support/kindNode";
import { startWebhook, Webhook } from "./support/webhook";

let deployment: Deployment;
let withWebhook: Deployed;
let withoutWebhook: Deployed;
let api: ApiServer;
let webhook: Webhook;
let node: KindNode;
const cluster = new ControlPlane("webhook");
/** The pods as the apiserver stored them, after admission. */
const admitted = {} as Record<"webhook" | "projected", KubeObject & { spec: PodSpec }>;

/** The planned object of `kind` named `name`. */
const planned = (d: Deployed, kind: string, name: string) => {
    const found = kubernetesObjects(d, kind).find((o) => o.metadata.name === name);
    if (!found) throw new Error(`the plan has no ${kind} ${name}`);
    return found;
};

/** A pod as the apiserver stored it, after admission. */
const createPod = async (pod: KubeObject) => (await cluster.create<KubeObject & { spec: PodSpec }>([pod]))[0];

/** What workload identity adds to a pod: the AZURE_* variables, and the volumes and mounts beyond the apiserver's own. */
function identityParts(pod: KubeObject) {
    const container = pod.spec!.containers[0];
    const own = (name: string) => name.startsWith("kube-api-access-");
    return {
        env: (container.env ?? []).filter((e: { name: string }) => e.name.startsWith("AZURE_")),
        volumeMounts: (container.volumeMounts ?? []).filter((m: { name: string }) => !own(m.name)),
        volumes: (pod.spec!.volumes ?? []).filter((v: { name: string }) => !own(v.name)),
    };
}

beforeAll(async () => {
    node = new KindNode();
    deployment = await Deployment.start(__filename);
    const config = stackConfig("Pulumi.dev.yaml", deployment.azurite.accountName);
    withWebhook = await deployment.up(config);
    withoutWebhook = await deployment.up({ ...config, "entra-wif:webhook": { enabled: false } });
    node.run(kindCommand(withWebhook), "create");
    api = await cluster.start(node.apiServerFlags(kindCommand(withWebhook)));

    const release = withWebhook.plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    const releaseInputs = withWebhook.inputs.get(release.name)!;
    webhook = await startWebhook({
        dir: cluster.dir,
        api,
        release: {
            name: releaseInputs.name as string,
            namespace: releaseInputs.namespace as string,
            values: releaseInputs.values as Record<string, string>,
        },
    });
    await cluster.create([...kubernetesObjects(withWebhook, "Namespace"), ...kubernetesObjects(withWebhook, "ServiceAccount")]);
    admitted.webhook = await createPod(planned(withWebhook, "Pod", SAMPLE_POD_NAME));

    // A cluster without the webhook: none registered, the same pod name in the same namespace.
    expectStatus(
        await api.request("DELETE", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/azure-wi-webhook-mutating-webhook-configuration"),
        "removing the webhook",
        200,
    );
    const pod = planned(withoutWebhook, "Pod", SAMPLE_POD_NAME);
    expectStatus(await api.request("DELETE", `${collectionPath(pod)}/${SAMPLE_POD_NAME}?gracePeriodSeconds=0`), "deleting the first pod", 200);
    await waitFor(`the first pod gone`, async () => (await api.request("GET", `${collectionPath(pod)}/${SAMPLE_POD_NAME}`)).status === 404, 30000);
    admitted.projected = await createPod(pod);
});

afterAll(async () => {
    await webhook?.stop();
    await cluster.stop();
    await deployment?.stop();
    node?.cleanup();
});

test("the planned pod asks for injection and carries none of it", () => {
    const pod = planned(withWebhook, "Pod", SAMPLE_POD_NAME);
    expect(pod.metadata.labels).toEqual({ [WORKLOAD_IDENTITY.useLabel]: "true" });
    expect(identityParts(pod)).toEqual({ env: [], volumeMounts: [], volumes: [] });
});

test("the webhook injects the client id the program annotated, the tenant and cloud it gave the chart, and the token", () => {
    const sa = planned(withWebhook, "ServiceAccount", admitted.webhook.spec.serviceAccountName!);
    const annotations = sa.metadata.annotations ?? {};
    const values = withWebhook.inputs.get(withWebhook.plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!.name)!.values as Record<
        string,
        string
    >;
    const { env, volumeMounts, volumes } = identityParts(admitted.webhook);
    // azure-workload-identity v1.6.0 pkg/webhook/consts.go and webhook.go: the variables in this order, the token
    // under VolumeMountPath at TokenFilePath, the volume named ProjectedVolumeNamePrefix + the pod name's hash.
    expect(env).toEqual([
        { name: "AZURE_CLIENT_ID", value: annotations[WORKLOAD_IDENTITY.clientIdAnnotation] },
        { name: "AZURE_TENANT_ID", value: annotations[WORKLOAD_IDENTITY.tenantIdAnnotation] },
        { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/wi/token/azure-identity-token" },
        { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
    ]);
    expect(annotations[WORKLOAD_IDENTITY.clientIdAnnotation]).toBe((withWebhook.plan.outputs.workloadIdentities as Array<{ clientId: string }>)[0].clientId);
    expect(annotations[WORKLOAD_IDENTITY.tenantIdAnnotation]).toBe(values.azureTenantID);
    expect(values.azureEnvironment).toBe("AzurePublicCloud");
    expect(volumeMounts).toEqual([{ name: volumes[0].name, mountPath: "/var/run/secrets/azure/wi", readOnly: true }]);
    expect(volumes).toEqual([
        {
            name: expect.stringMatching(/^azure-workload-identity-reserved-[0-9a-f]+$/),
            projected: {
                defaultMode: 420,
                sources: [{ serviceAccountToken: { audience: ENTRA_TOKEN_EXCHANGE_AUDIENCE, expirationSeconds: 3600, path: "token/azure-identity-token" } }],
            },
        },
    ]);
});

test("the pod planned without the webhook carries the same environment, mount and token by itself", () => {
    expect(admitted.projected.metadata.labels ?? {}).not.toHaveProperty(WORKLOAD_IDENTITY.useLabel);
    expect(identityParts(admitted.projected)).toEqual(identityParts(admitted.webhook));
});

test("the webhook ran on this machine and logged nothing it failed at", () => {
    expect(webhook.process.exited).toBe(false);
    expect(webhook.process.tail(200)).not.toMatch(/"error":|failed to/i);
});
