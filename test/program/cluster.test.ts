/**
 * The cluster half under realistic mocks: the kind cluster the stack creates, the one provider every cluster object
 * uses, the webhook release, the annotated service accounts and the sample pod; and an existing cluster's flags and
 * snippets.
 */
import { parse } from "yaml";
import { kindCreateScript, kindDeleteScript } from "../../lib/cluster/kind";
import { existingClusterSnippets } from "../../lib/cluster/snippets";
import { projectedTokenVolumeName, verifyCommands } from "../../lib/cluster/workloads";
import { Plan, PlannedResource } from "../../tools/offline/harness";
import { MOCK_AZURE } from "../../tools/offline/mocks";
import { byName, issuerOfDiscovery, runProgram, runStackFile } from "../support/program";
import { k8s } from "../support/vectors";

const LOCATION = { "azure-native:location": "westeurope" };
const DEMO = { "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }], "entra-wif:sample": { enabled: true } };
const KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: prod",
    "  cluster: {server: 'https://10.0.0.1:6443'}",
    "contexts:",
    "- name: prod",
    "  context: {cluster: prod, user: admin}",
    "users:",
    "- name: admin",
    "  user: {token: very-secret-token}",
    "",
].join("\n");

const inCluster = (plan: Plan) => plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
const env = (r: PlannedResource) => r.inputs.environment as Record<string, string>;

describe("kind mode (the dev default)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({ ...LOCATION, ...DEMO });
    });

    test("the cluster is a Command running the create and delete scripts, values in the environment", () => {
        const kind = byName(plan, "cluster-kind");
        expect(kind.inputs.create).toBe(kindCreateScript());
        expect(kind.inputs.delete).toBe(kindDeleteScript());
        expect(kind.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
        expect(kind.inputs.logging).toBe("stderr");
        expect(Object.keys(env(kind)).sort()).toEqual([
            "ENTRA_WIF_CLUSTER",
            "ENTRA_WIF_KEY_DIR",
            "ENTRA_WIF_KIND_CONFIG",
            "ENTRA_WIF_PUBLIC_KEYS",
            "ENTRA_WIF_SIGNING_KEY",
        ]);
        expect(env(kind).ENTRA_WIF_CLUSTER).toBe("entra-wif-test");
        // Planned with ~, the same on every machine: the script resolves it against $HOME when it runs.
        expect(env(kind).ENTRA_WIF_KEY_DIR).toBe("~/.entra-wif/entra-wif-test");
    });

    test("the private key reaches the cluster only as a secret; the kubeconfig comes back as one", () => {
        const kind = byName(plan, "cluster-kind");
        expect(env(kind).ENTRA_WIF_SIGNING_KEY).toBe("[secret]");
        expect(kind.options).toEqual({ deleteBeforeReplace: true, replaceOnChanges: ["triggers[*]"], additionalSecretOutputs: ["stdout"] });
        // What a running kind cluster cannot change replaces it; keys do not (a rotation is an update).
        expect(kind.inputs.triggers).toEqual(["entra-wif-test", "", plan.outputs.kindConfig]);
        expect(JSON.stringify(plan)).not.toMatch(/PRIVATE KEY/);
        expect(plan.outputs.kubeconfig).toBe("[secret]");
        expect(byName(plan, "kubernetes").inputs).toEqual({ kubeconfig: "[secret]", deleteUnreachable: "true" });
    });

    test("the kind config: issuer byte-identical to the discovery document, every flag and mount", () => {
        const text = env(byName(plan, "cluster-kind")).ENTRA_WIF_KIND_CONFIG;
        expect(text).toBe(plan.outputs.kindConfig);
        const config = parse(text);
        const dir = "~/.entra-wif/entra-wif-test";
        expect(config.nodes[0].extraMounts).toEqual([
            { hostPath: `${dir}/sa.pub`, containerPath: "/etc/kubernetes/pki/sa.pub", readOnly: true },
            { hostPath: `${dir}/sa.key`, containerPath: "/etc/kubernetes/pki/sa.key", readOnly: true },
        ]);
        const patch = parse(config.kubeadmConfigPatches[0]);
        expect(patch.apiServer.extraArgs["service-account-issuer"]).toBe(issuerOfDiscovery(plan));
        expect(patch.apiServer.extraArgs["service-account-issuer"]).toBe(plan.outputs.issuerUrl);
        expect(patch.apiServer.extraArgs["service-account-key-file"]).toBe("/etc/kubernetes/pki/sa.pub");
        expect(patch.apiServer.extraArgs["service-account-signing-key-file"]).toBe("/etc/kubernetes/pki/sa.key");
        expect(patch.controllerManager.extraArgs["service-account-private-key-file"]).toBe("/etc/kubernetes/pki/sa.key");
    });

    test("the public keys written for the cluster are the ones the JWKS publishes", () => {
        expect(env(byName(plan, "cluster-kind")).ENTRA_WIF_PUBLIC_KEYS).toBe((plan.outputs.signingPublicKeys as string[]).join(""));
        expect(env(byName(plan, "cluster-kind")).ENTRA_WIF_PUBLIC_KEYS).toBe(plan.outputs.serviceAccountPublicKeys);
    });

    test("every cluster object is on the one provider, built from the cluster's kubeconfig, and deleted with the cluster", () => {
        const provider = byName(plan, "kubernetes");
        expect(provider.dependsOn).toEqual([byName(plan, "cluster-kind").urn]);
        const objects = inCluster(plan);
        expect(objects.map((r) => r.name).sort()).toEqual([
            "sample-pod",
            "webhook-namespace",
            "webhook-release",
            "workloads-ns-demo",
            "workloads-sa-demo_workload-sa",
        ]);
        for (const r of objects) {
            expect(r.provider).toMatch(new RegExp(`^${provider.urn.replace(/[$]/g, "\\$")}::`));
            expect(r.deletedWith).toBe(byName(plan, "cluster-kind").urn);
        }
    });

    test("the webhook: the pinned chart from azure-workload-identity's repository, in its own namespace, told the tenant", () => {
        expect(byName(plan, "webhook-namespace").inputs.metadata).toEqual({ name: "azure-workload-identity-system" });
        const release = byName(plan, "webhook-release");
        expect(release.inputs).toMatchObject({
            name: "workload-identity-webhook",
            chart: "workload-identity-webhook",
            version: "1.6.0",
            repositoryOpts: { repo: "https://azure.github.io/azure-workload-identity/charts" },
            namespace: "azure-workload-identity-system",
            values: { azureTenantID: MOCK_AZURE.tenantId, azureEnvironment: "AzurePublicCloud" },
            skipAwait: false,
        });
        expect(release.dependsOn).toContain(byName(plan, "webhook-namespace").urn);
    });

    test("the workload's namespace and its service account, annotated with its identity's client id and the tenant", () => {
        expect(byName(plan, "workloads-ns-demo").inputs.metadata).toEqual({ name: "demo" });
        const sa = byName(plan, "workloads-sa-demo_workload-sa");
        const identities = plan.outputs.identities as Record<string, { clientId: string }>;
        expect(sa.inputs.metadata).toEqual({
            name: "workload-sa",
            namespace: "demo",
            annotations: {
                "azure.workload.identity/client-id": identities["id-entra-wif-test"].clientId,
                "azure.workload.identity/tenant-id": MOCK_AZURE.tenantId,
            },
        });
        expect(sa.dependsOn).toContain(byName(plan, "workloads-ns-demo").urn);
    });

    test("the sample pod asks the webhook for injection and starts only after the webhook, its account and its Azure access exist", () => {
        const pod = byName(plan, "sample-pod");
        // Not awaited: the sample exits on its first 403 while its role assignment propagates (msal-go's main.go), and
        // waiting for Ready would hold pulumi up for minutes and then fail it; sampleCommands.waitForSecret shows it.
        expect(pod.inputs.metadata).toEqual({
            name: "entra-wif-sample",
            namespace: "demo",
            labels: { "azure.workload.identity/use": "true" },
            annotations: { "pulumi.com/skipAwait": "true" },
        });
        expect(pod.inputs.spec).toEqual({
            serviceAccountName: "workload-sa",
            containers: [
                {
                    name: "oidc",
                    image: "ghcr.io/azure/azure-workload-identity/msal-go:latest",
                    env: [
                        { name: "KEYVAULT_URL", value: plan.outputs.keyVaultUrl },
                        { name: "SECRET_NAME", value: "demo-secret" },
                    ],
                },
            ],
            nodeSelector: { "kubernetes.io/os": "linux" },
        });
        expect(pod.dependsOn).toEqual(
            expect.arrayContaining([
                byName(plan, "webhook-release").urn,
                byName(plan, "workloads-sa-demo_workload-sa").urn,
                byName(plan, "id-entra-wif-test-fic-demo_workload-sa").urn,
                byName(plan, "id-entra-wif-test-role-key-vault-secrets-user-sampleKeyVault").urn,
                byName(plan, "sample-secret").urn,
            ]),
        );
        expect(pod.options).toEqual({ deleteBeforeReplace: true });
    });

    test("outputs: cluster name, and the commands that show it working", () => {
        expect(plan.outputs.clusterMode).toBe("kind");
        expect(plan.outputs.clusterName).toBe("entra-wif-test");
        expect(plan.outputs.sampleCommands).toEqual(
            verifyCommands({ context: "kind-entra-wif-test", namespace: "demo", serviceAccount: "workload-sa", podName: "entra-wif-sample" }),
        );
        expect(plan.outputs.sampleCommands).toMatchObject({
            podLogs: "kubectl --context kind-entra-wif-test logs -n demo entra-wif-sample",
            mintToken: "kubectl --context kind-entra-wif-test create token workload-sa -n demo --audience api://AzureADTokenExchange",
        });
        expect(plan.outputs).not.toHaveProperty("clusterSnippets");
    });

    test("a configured name and node image reach the cluster", async () => {
        const named = await runProgram({ ...LOCATION, "entra-wif:cluster": { name: "wif-demo", nodeImage: "kindest/node:v1.33.1" } });
        expect(env(byName(named, "cluster-kind"))).toMatchObject({ ENTRA_WIF_CLUSTER: "wif-demo", ENTRA_WIF_NODE_IMAGE: "kindest/node:v1.33.1" });
    });
});

describe("without the webhook", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({
            ...LOCATION,
            "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa", tokenExpiration: 7200 }],
            "entra-wif:sample": { enabled: true },
            "entra-wif:webhook": { enabled: false },
        });
    });

    test("no release and no webhook namespace", () => {
        expect(plan.resources.filter((r) => /helm|WorkloadIdentityWebhook/.test(r.type))).toEqual([]);
        expect(plan.resources.some((r) => r.name === "webhook-namespace")).toBe(false);
    });

    test("the pod projects its own token for Entra's audience and sets the AZURE_* variables the webhook would have", () => {
        const pod = byName(plan, "sample-pod");
        const identities = plan.outputs.identities as Record<string, { clientId: string }>;
        const spec = pod.inputs.spec as { containers: Array<{ env: Array<{ name: string; value: string }>; volumeMounts: unknown[] }>; volumes: unknown[] };
        expect(spec.containers[0].env.slice(2)).toEqual([
            { name: "AZURE_CLIENT_ID", value: identities["id-entra-wif-test"].clientId },
            { name: "AZURE_TENANT_ID", value: MOCK_AZURE.tenantId },
            { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/wi/token/azure-identity-token" },
            { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
        ]);
        expect(spec.volumes).toEqual([
            {
                name: projectedTokenVolumeName("entra-wif-sample"),
                projected: {
                    sources: [{ serviceAccountToken: { path: "token/azure-identity-token", audience: "api://AzureADTokenExchange", expirationSeconds: 7200 } }],
                },
            },
        ]);
        expect((pod.inputs.metadata as { labels?: object }).labels).toEqual({});
        expect(pod.dependsOn.some((d) => d.includes("Release"))).toBe(false);
    });

    test("the service account still carries the identity, and the token lifetime", () => {
        expect(
            (byName(plan, "workloads-sa-demo_workload-sa").inputs.metadata as { annotations: Record<string, string> }).annotations[
                "azure.workload.identity/service-account-token-expiration"
            ],
        ).toBe("7200");
    });
});

describe("existing mode", () => {
    test("with a secret kubeconfig: no kind cluster, the provider uses it, nothing is deletedWith", async () => {
        const plan = await runProgram({ ...LOCATION, ...DEMO, "entra-wif:cluster": { mode: "existing" }, "entra-wif:kubeconfig": KUBECONFIG });
        expect(plan.resources.filter((r) => /KindCluster/.test(r.type) || r.name === "cluster-kind")).toEqual([]);
        expect(byName(plan, "kubernetes").inputs).toEqual({ kubeconfig: "[secret]", deleteUnreachable: "false" });
        for (const r of inCluster(plan)) {
            expect(r.deletedWith).toBeNull();
            expect(r.provider).toMatch(/::pulumi:providers:kubernetes::kubernetes::/);
        }
        expect(plan.outputs.kubeconfig).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toContain("very-secret-token");
    });

    test("with a context: the provider names it; existing and built-in namespaces are used, not created", async () => {
        const plan = await runProgram({
            ...LOCATION,
            "entra-wif:cluster": { mode: "existing", context: "minikube", existingNamespaces: ["apps"] },
            "entra-wif:workloads": [
                { namespace: "apps", serviceAccount: "api" },
                { namespace: "default", serviceAccount: "job" },
                { namespace: "fresh", serviceAccount: "worker" },
            ],
        });
        expect(byName(plan, "kubernetes").inputs).toEqual({ context: "minikube", deleteUnreachable: "false" });
        expect(plan.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => r.name)).toEqual(["webhook-namespace", "workloads-ns-fresh"]);
        expect(byName(plan, "workloads-sa-apps_api").inputs.metadata).toMatchObject({ namespace: "apps" });
        expect(byName(plan, "workloads-sa-apps_api").dependsOn.some((d) => d.includes("Namespace"))).toBe(false);
        expect(plan.outputs.clusterName).toBe("minikube");
        expect(plan.outputs).not.toHaveProperty("kubeconfig");
    });

    test("flags and snippets for the admin, the issuer byte-identical everywhere", async () => {
        const plan = await runProgram({ ...LOCATION, "entra-wif:cluster": { mode: "existing", context: "kubeadm-prod" } });
        const issuer = issuerOfDiscovery(plan);
        expect(plan.outputs.kubeApiServerFlags).toEqual([
            // The stack's issuer signs; kubeadm's own stays accepted, and its own key keeps verifying (never written over).
            `--service-account-issuer=${issuer}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/etc/kubernetes/pki/entra-wif/sa.pub",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/entra-wif/sa.key",
        ]);
        expect(plan.outputs.kubeControllerManagerFlags).toEqual(["--service-account-private-key-file=/etc/kubernetes/pki/entra-wif/sa.key"]);
        const snippets = plan.outputs.clusterSnippets as Record<string, string>;
        expect(snippets).toEqual(existingClusterSnippets(issuer, true, "~/.entra-wif/entra-wif-test", { distribution: "kubeadm" }));
        expect(parse(snippets.kubeadmConfig).apiServer.extraArgs[0]).toEqual({ name: "service-account-issuer", value: issuer });
        expect(parse(snippets.k0sConfig).spec.api.extraArgs["service-account-issuer"]).toBe(issuer);
        expect(parse(parse(snippets.kindConfig).kubeadmConfigPatches[0]).apiServer.extraArgs["service-account-issuer"]).toBe(issuer);
        expect(snippets.minikube).toContain(`--extra-config='apiserver.service-account-issuer=${issuer}'`);
        expect(plan.outputs.serviceAccountSigningKey).toBe("[secret]");
    });

    test("with the cluster's own keys only the issuer changes, and no key files are written", async () => {
        const plan = await runProgram({
            ...LOCATION,
            "entra-wif:cluster": { mode: "existing", context: "k0s" },
            "entra-wif:signingKey": { publicKeys: [k8s.rsaPublic()] },
        });
        const snippets = plan.outputs.clusterSnippets as Record<string, string>;
        expect(parse(snippets.k0sConfig).spec).toEqual({ api: { extraArgs: { "service-account-issuer": issuerOfDiscovery(plan) } } });
        expect(snippets.writeKeyFiles).toMatch(/^echo 'entra-wif: signingKey\.publicKeys: the cluster keeps its own keys, so there are no key files to write/);
        expect(plan.outputs.kubeApiServerFlags).toEqual([
            `--service-account-issuer=${issuerOfDiscovery(plan)}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        ]);
    });
});

test("the dev stack: cluster, webhook release, service account and pod in one graph", async () => {
    const plan = await runStackFile("Pulumi.dev.yaml");
    const types = plan.resources.map((r) => `${r.type} ${r.name}`);
    expect(types).toEqual(
        expect.arrayContaining([
            "command:local:Command cluster-kind",
            "pulumi:providers:kubernetes kubernetes",
            "kubernetes:helm.sh/v3:Release webhook-release",
            "kubernetes:core/v1:ServiceAccount workloads-sa-demo_workload-sa",
            "kubernetes:core/v1:Pod sample-pod",
        ]),
    );
    // One graph: the pod reaches the cluster through the provider, and the Azure side through its dependencies.
    const pod = byName(plan, "sample-pod");
    expect(pod.deletedWith).toBe(byName(plan, "cluster-kind").urn);
    expect(pod.dependsOn).toContain(byName(plan, "id-entra-wif-dev-fic-demo_workload-sa").urn);
});
