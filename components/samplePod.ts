import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AzureEnvironment } from "../lib/config";
import { SAMPLE_POD_NAME, samplePod } from "../lib/cluster/workloads";

/** The Kubernetes provider's annotation that registers an object without waiting for it to become ready. */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

export interface SamplePodArgs {
    /** The cluster's provider. */
    provider: k8s.Provider;
    /** The cluster the stack created, if it did: the pod is deleted with it instead of on its own. */
    deletedWith?: pulumi.Resource;
    namespace: string;
    serviceAccount: string;
    image: string;
    /** The sample vault's URL (KEYVAULT_URL). */
    keyVaultUrl: pulumi.Input<string>;
    /** The demo secret's name (SECRET_NAME). */
    secretName: pulumi.Input<string>;
    /** webhook: the webhook injects the token; projected: the pod declares it (no webhook on the cluster). Plain: it shapes the pod. */
    injection: "webhook" | "projected";
    /** The identity's client id and tenant (used by projected injection). */
    clientId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    azureEnvironment: AzureEnvironment;
    /** The projected token's lifetime in seconds (projected injection). */
    tokenExpiration?: number;
    /** What must be in place before the pod starts: the webhook release, its service account, the Entra side. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** azure-workload-identity's quickstart pod: logs the sample secret it reads from Key Vault with no stored credential. */
export class SamplePod extends pulumi.ComponentResource {
    public readonly podName: string;

    constructor(name: string, args: SamplePodArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:SamplePod", name, {}, opts);

        const pod = pulumi.all([args.keyVaultUrl, args.secretName, args.clientId, args.tenantId]).apply(([keyVaultUrl, secretName, clientId, tenantId]) =>
            samplePod({
                podName: SAMPLE_POD_NAME,
                serviceAccount: args.serviceAccount,
                image: args.image,
                keyVaultUrl,
                secretName,
                injection: args.injection,
                clientId,
                tenantId,
                azureEnvironment: args.azureEnvironment,
                tokenExpiration: args.tokenExpiration,
            }),
        );
        this.podName = SAMPLE_POD_NAME;
        new k8s.core.v1.Pod(
            `${name}-pod`,
            {
                metadata: {
                    name: SAMPLE_POD_NAME,
                    namespace: args.namespace,
                    labels: pod.labels,
                    // The sample exits on its first failed read (azure-workload-identity examples/msal-go/main.go:
                    // os.Exit(1)), and a new role assignment can take minutes to apply, so the pod may restart a few
                    // times before it reads the secret. Waiting for it to be Ready would hold `pulumi up` for that long,
                    // up to the provider's 10-minute timeout, and then fail the update; the pod's progress is what
                    // sampleCommands.waitForSecret shows instead.
                    annotations: { [SKIP_AWAIT_ANNOTATION]: "true" },
                },
                // lib/cluster/workloads.ts builds the spec in the API's shape without depending on the SDK.
                spec: pod.spec,
            },
            {
                parent: this,
                provider: args.provider,
                deletedWith: args.deletedWith,
                dependsOn: args.dependsOn,
                // A pod's spec is immutable and its name fixed: a change replaces it, the old one first.
                deleteBeforeReplace: true,
            },
        );
        this.registerOutputs({ podName: this.podName });
    }
}
