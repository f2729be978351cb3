import { execFileSync } from "node:child_process";
import {
    AUTHORITY_HOSTS,
    projectedTokenVolumeName,
    SAMPLE_SUCCESS_LOG,
    SAMPLE_WAIT_SECONDS,
    samplePod,
    serviceAccountAnnotations,
    verifyCommands,
} from "../../lib/cluster/workloads";
import { sandbox, Sandbox } from "../support/shell";

const CLIENT = "a97c6d31-ec71-5064-8b75-0c151aa029c1";
const TENANT = "72f988bf-0000-4000-8000-00000000a11e";

test("service-account annotations: client id, tenant id, and the token lifetime only when set", () => {
    expect(serviceAccountAnnotations(CLIENT, TENANT)).toEqual({
        "azure.workload.identity/client-id": CLIENT,
        "azure.workload.identity/tenant-id": TENANT,
    });
    expect(serviceAccountAnnotations(CLIENT, TENANT, 7200)["azure.workload.identity/service-account-token-expiration"]).toBe("7200");
});

const input = {
    podName: "entra-wif-sample",
    serviceAccount: "workload-sa",
    image: "ghcr.io/azure/azure-workload-identity/msal-go:latest",
    keyVaultUrl: "https://kv-entrawif-0123456789ab.vault.azure.net/",
    secretName: "demo-secret",
    clientId: CLIENT,
    tenantId: TENANT,
    azureEnvironment: "AzurePublicCloud" as const,
};

test("with the webhook: the label asks for injection; the pod carries no token or identity of its own", () => {
    const pod = samplePod({ ...input, injection: "webhook" });
    expect(pod.labels).toEqual({ "azure.workload.identity/use": "true" });
    expect(pod.spec).toEqual({
        serviceAccountName: "workload-sa",
        containers: [
            {
                name: "oidc",
                image: input.image,
                env: [
                    { name: "KEYVAULT_URL", value: input.keyVaultUrl },
                    { name: "SECRET_NAME", value: "demo-secret" },
                ],
            },
        ],
        nodeSelector: { "kubernetes.io/os": "linux" },
    });
});

/** The webhook v1.6.0's volume name for a pod (pkg/webhook/webhook.go buildVolumeName), computed with openssl. */
const webhookVolumeName = (podName: string) => {
    const prefix = "azure-workload-identity-reserved-";
    const hex = execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: podName }).toString().split(" ")[0];
    return prefix + hex.slice(0, 63 - prefix.length);
};

test("the token volume is named as the webhook v1.6.0 names it: its prefix and the pod name's SHA-256, 63 characters", () => {
    for (const pod of ["entra-wif-sample", "a", "x".repeat(253)]) {
        expect(projectedTokenVolumeName(pod)).toBe(webhookVolumeName(pod));
        expect(projectedTokenVolumeName(pod)).toHaveLength(63);
    }
});

test("without the webhook: exactly what the webhook v1.6.0 would inject, the projected token for Entra's audience", () => {
    const pod = samplePod({ ...input, injection: "projected", tokenExpiration: 5400 });
    const volume = webhookVolumeName("entra-wif-sample");
    expect(pod.labels).toEqual({});
    expect(pod.spec.containers[0].env).toEqual([
        { name: "KEYVAULT_URL", value: input.keyVaultUrl },
        { name: "SECRET_NAME", value: "demo-secret" },
        { name: "AZURE_CLIENT_ID", value: CLIENT },
        { name: "AZURE_TENANT_ID", value: TENANT },
        // pkg/webhook/consts.go v1.6.0: VolumeMountPath /var/run/secrets/azure/wi, TokenFilePath token/azure-identity-token.
        { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/wi/token/azure-identity-token" },
        { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
    ]);
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: volume, mountPath: "/var/run/secrets/azure/wi", readOnly: true }]);
    expect(pod.spec.volumes).toEqual([
        {
            name: volume,
            projected: {
                sources: [{ serviceAccountToken: { path: "token/azure-identity-token", audience: "api://AzureADTokenExchange", expirationSeconds: 5400 } }],
            },
        },
    ]);
    expect(samplePod({ ...input, injection: "projected" }).spec.volumes![0].projected.sources[0].serviceAccountToken.expirationSeconds).toBe(3600);
});

test("the authority follows the cloud", () => {
    expect(samplePod({ ...input, injection: "projected", azureEnvironment: "AzureChinaCloud" }).spec.containers[0].env.at(-1)).toEqual({
        name: "AZURE_AUTHORITY_HOST",
        value: AUTHORITY_HOSTS.AzureChinaCloud,
    });
    expect(AUTHORITY_HOSTS.AzureUSGovernmentCloud).toBe("https://login.microsoftonline.us/");
});

test("commands to see it work, with the cluster's context when known", () => {
    expect(verifyCommands({ context: "kind-entra-wif-dev", namespace: "demo", serviceAccount: "workload-sa", podName: "entra-wif-sample" })).toMatchObject({
        podLogs: "kubectl --context kind-entra-wif-dev logs -n demo entra-wif-sample",
        mintToken: "kubectl --context kind-entra-wif-dev create token workload-sa -n demo --audience api://AzureADTokenExchange",
    });
    expect(verifyCommands({ namespace: "demo", serviceAccount: "sa", podName: "p" }).podLogs).toBe("kubectl logs -n demo p");
});

describe("waitForSecret: a bounded wait until the sample has read the secret, run against a stand-in kubectl", () => {
    const commands = verifyCommands({ context: "kind-entra-wif-dev", namespace: "demo", serviceAccount: "workload-sa", podName: "entra-wif-sample" });
    let box: Sandbox;
    beforeEach(() => {
        box = sandbox();
    });
    afterEach(() => box.cleanup());

    test("is bounded and names what it waits for", () => {
        expect(commands.waitForSecret).toMatch(new RegExp(`^timeout ${SAMPLE_WAIT_SECONDS} sh -c `));
        expect(commands.waitForSecret).toContain(`grep -q "${SAMPLE_SUCCESS_LOG}"`);
    });

    test("succeeds once the log shows the secret was read, after restarts that did not", () => {
        // Two 403s first (the role assignment still propagating), then the read.
        box.fake(
            "kubectl",
            `n=$(cat "${"$"}{0%/*}/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${"$"}{0%/*}/n"
if [ $n -ge 3 ]; then echo 'I1201 "successfully got secret" secret="Hello"'; else echo 'E1201 "failed to get secret from keyvault" err="403 Forbidden"'; fi`,
        );
        box.fake("timeout", `shift; exec "$@"`);
        box.fake("sleep", "exit 0");
        const r = box.run(commands.waitForSecret, {});
        expect(r.stdout.trim()).toBe("the sample read the secret with workload identity");
        expect(r.code).toBe(0);
        expect(box.calls().filter((c) => c.startsWith("kubectl")).length).toBe(3);
    });

    test("when time runs out it says so, shows the last log lines and fails", () => {
        box.fake("kubectl", `echo 'E1201 "failed to get secret from keyvault" err="403 Forbidden"'`);
        // The real timeout would wait 15 minutes: this one answers as timeout does when the time is up.
        box.fake("timeout", "exit 124");
        const r = box.run(commands.waitForSecret, {});
        expect(r.code).toBe(1);
        expect(r.stdout).toContain("the sample has not read the secret in 15 minutes; its last log:");
        expect(r.stdout).toContain("403 Forbidden");
        expect(box.calls()).toContain("kubectl --context kind-entra-wif-dev logs -n demo entra-wif-sample --tail 5");
    });
});
