import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AzureEnvironment } from "../lib/config";
import { WEBHOOK_CHART } from "../lib/cluster/workloads";

export interface WorkloadIdentityWebhookArgs {
    /** The cluster's provider: every object goes to that cluster. */
    provider: k8s.Provider;
    /** The cluster the stack created, if it did: its objects are deleted with it instead of one by one. */
    deletedWith?: pulumi.Resource;
    /** The chart version (pinned). */
    version: pulumi.Input<string>;
    /** The tenant the webhook tells workloads to authenticate against (azureTenantID). */
    tenantId: pulumi.Input<string>;
    /** The Azure cloud (azureEnvironment). */
    azureEnvironment: AzureEnvironment;
}

/**
 * azure-workload-identity's mutating webhook: projects the token and sets AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST in pods labelled azure.workload.identity/use.
 */
export class WorkloadIdentityWebhook extends pulumi.ComponentResource {
    /** The Helm release: pods that need injection wait for it (the webhook's failurePolicy is Fail). */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: WorkloadIdentityWebhookArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:WorkloadIdentityWebhook", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: WEBHOOK_CHART.namespace } }, childOpts);
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: WEBHOOK_CHART.releaseName,
                chart: WEBHOOK_CHART.name,
                version: args.version,
                repositoryOpts: { repo: WEBHOOK_CHART.repository },
                namespace: namespace.metadata.name,
                values: { azureTenantID: args.tenantId, azureEnvironment: args.azureEnvironment },
                // Wait until the webhook's pods are ready: a pod admitted before that would be refused (failurePolicy Fail).
                skipAwait: false,
                timeout: 600,
            },
            childOpts,
        );

        this.registerOutputs({ releaseStatus: this.release.status });
    }
}
