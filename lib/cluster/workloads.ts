/**
 * The Kubernetes side of a workload identity: service-account annotations, the sample pod (with the webhook, or
 * with the projected token the webhook would have injected), and the commands that show it working.
 * Pure: plain objects in the shape of the Kubernetes API.
 */
import { createHash } from "node:crypto";
import { AzureEnvironment } from "../config";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../trust/oidc";

/** azure-workload-identity's label and annotations. */
export const WORKLOAD_IDENTITY = {
    useLabel: "azure.workload.identity/use",
    clientIdAnnotation: "azure.workload.identity/client-id",
    tenantIdAnnotation: "azure.workload.identity/tenant-id",
    tokenExpirationAnnotation: "azure.workload.identity/service-account-token-expiration",
} as const;

/**
 * Where the webhook v1.6.0 projects the token, and so where the sample puts it without the webhook
 * (azure-workload-identity pkg/webhook/consts.go: VolumeMountPath, TokenFilePath, ProjectedVolumeNamePrefix;
 * webhook.go: AZURE_FEDERATED_TOKEN_FILE = VolumeMountPath/TokenFilePath). Workloads read the path from
 * AZURE_FEDERATED_TOKEN_FILE; nothing else in this project assumes it.
 */
export const PROJECTED_TOKEN = {
    volumeNamePrefix: "azure-workload-identity-reserved-",
    mountPath: "/var/run/secrets/azure/wi",
    path: "token/azure-identity-token",
    /** The webhook's default lifetime when a service account sets none. */
    defaultExpirationSeconds: 3600,
} as const;

/**
 * The projected volume's name as the webhook v1.6.0 names it: its prefix and the hex SHA-256 of the pod's name,
 * cut to Kubernetes' 63 characters (pkg/webhook/webhook.go buildVolumeName).
 */
export function projectedTokenVolumeName(podName: string): string {
    const hash = createHash("sha256").update(podName).digest("hex");
    return PROJECTED_TOKEN.volumeNamePrefix + hash.slice(0, 63 - PROJECTED_TOKEN.volumeNamePrefix.length);
}

/** The Entra authority of each cloud, as the webhook sets AZURE_AUTHORITY_HOST. */
export const AUTHORITY_HOSTS: Readonly<Record<AzureEnvironment, string>> = {
    AzurePublicCloud: "https://login.microsoftonline.com/",
    AzureUSGovernmentCloud: "https://login.microsoftonline.us/",
    AzureChinaCloud: "https://login.chinacloudapi.cn/",
};

/** The webhook's Helm chart. */
export const WEBHOOK_CHART = {
    name: "workload-identity-webhook",
    repository: "https://azure.github.io/azure-workload-identity/charts",
    namespace: "azure-workload-identity-system",
    releaseName: "workload-identity-webhook",
} as const;

export const SAMPLE_POD_NAME = "entra-wif-sample";

export function serviceAccountAnnotations(clientId: string, tenantId: string, tokenExpiration?: number): Record<string, string> {
    return {
        [WORKLOAD_IDENTITY.clientIdAnnotation]: clientId,
        [WORKLOAD_IDENTITY.tenantIdAnnotation]: tenantId,
        ...(tokenExpiration !== undefined ? { [WORKLOAD_IDENTITY.tokenExpirationAnnotation]: String(tokenExpiration) } : {}),
    };
}

export interface SamplePodInput {
    /** The pod's name: the webhook names the token volume after it. */
    podName: string;
    serviceAccount: string;
    image: string;
    keyVaultUrl: string;
    secretName: string;
    /** webhook: the mutating webhook injects token and variables; projected: the pod declares them itself. */
    injection: "webhook" | "projected";
    clientId: string;
    tenantId: string;
    azureEnvironment: AzureEnvironment;
    tokenExpiration?: number;
}

interface EnvVar {
    name: string;
    value: string;
}

interface Container {
    name: string;
    image: string;
    env: EnvVar[];
    volumeMounts?: Array<{ name: string; mountPath: string; readOnly: boolean }>;
}

interface ProjectedTokenVolume {
    name: string;
    projected: { sources: Array<{ serviceAccountToken: { path: string; audience: string; expirationSeconds: number } }> };
}

/** The parts of a core/v1 PodSpec the sample uses. */
export interface SamplePodSpec {
    serviceAccountName: string;
    containers: Container[];
    nodeSelector: Record<string, string>;
    volumes?: ProjectedTokenVolume[];
}

export interface PodSpecParts {
    labels: Record<string, string>;
    spec: SamplePodSpec;
}

/**
 * The quickstart pod: reads SECRET_NAME from KEYVAULT_URL with the workload's identity. With the webhook it only
 * asks for injection (the label); without it, it carries exactly what the webhook would have added.
 */
export function samplePod(input: SamplePodInput): PodSpecParts {
    const env: EnvVar[] = [
        { name: "KEYVAULT_URL", value: input.keyVaultUrl },
        { name: "SECRET_NAME", value: input.secretName },
    ];
    const container: Container = { name: "oidc", image: input.image, env };
    const spec: SamplePodSpec = {
        serviceAccountName: input.serviceAccount,
        containers: [container],
        nodeSelector: { "kubernetes.io/os": "linux" },
    };
    if (input.injection === "projected") {
        env.push(
            { name: "AZURE_CLIENT_ID", value: input.clientId },
            { name: "AZURE_TENANT_ID", value: input.tenantId },
            { name: "AZURE_FEDERATED_TOKEN_FILE", value: `${PROJECTED_TOKEN.mountPath}/${PROJECTED_TOKEN.path}` },
            { name: "AZURE_AUTHORITY_HOST", value: AUTHORITY_HOSTS[input.azureEnvironment] },
        );
        const volumeName = projectedTokenVolumeName(input.podName);
        container.volumeMounts = [{ name: volumeName, mountPath: PROJECTED_TOKEN.mountPath, readOnly: true }];
        spec.volumes = [
            {
                name: volumeName,
                projected: {
                    sources: [
                        {
                            serviceAccountToken: {
                                path: PROJECTED_TOKEN.path,
                                audience: ENTRA_TOKEN_EXCHANGE_AUDIENCE,
                                expirationSeconds: input.tokenExpiration ?? PROJECTED_TOKEN.defaultExpirationSeconds,
                            },
                        },
                    ],
                },
            },
        ];
        return { labels: {}, spec };
    }
    return { labels: { [WORKLOAD_IDENTITY.useLabel]: "true" }, spec };
}

/** What the sample logs once it has read the secret (azure-workload-identity examples/msal-go/main.go). */
export const SAMPLE_SUCCESS_LOG = "successfully got secret";

/** How long waitForSecret waits: past the minutes a new role assignment can take to apply, and bounded. */
export const SAMPLE_WAIT_SECONDS = 900;

/**
 * The commands a user runs to see the sample work: its log, a bounded wait until it has read the secret (`pulumi up`
 * does not wait for it: see SamplePod), and a token minted as Entra will receive it.
 */
export function verifyCommands(input: { context?: string; namespace: string; serviceAccount: string; podName: string }): {
    podLogs: string;
    waitForSecret: string;
    mintToken: string;
} {
    const kubectl = input.context ? `kubectl --context ${input.context}` : "kubectl";
    const logs = `${kubectl} logs -n ${input.namespace} ${input.podName}`;
    return {
        podLogs: logs,
        waitForSecret:
            `timeout ${SAMPLE_WAIT_SECONDS} sh -c 'until ${logs} 2>/dev/null | grep -q "${SAMPLE_SUCCESS_LOG}"; do sleep 10; done' ` +
            `&& echo "the sample read the secret with workload identity" ` +
            `|| { echo "the sample has not read the secret in ${SAMPLE_WAIT_SECONDS / 60} minutes; its last log:"; ${logs} --tail 5; exit 1; }`,
        mintToken: `${kubectl} create token ${input.serviceAccount} -n ${input.namespace} --audience ${ENTRA_TOKEN_EXCHANGE_AUDIENCE}`,
    };
}
