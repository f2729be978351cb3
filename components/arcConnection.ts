import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { ARC_ENV, arcConnectScript, arcDisconnectScript } from "../lib/cluster/arc";

export interface ArcConnectionArgs {
    /** The connected cluster's name in Azure. */
    name: string;
    /** The resource group the connection is created in (the stack's). */
    resourceGroupName: pulumi.Input<string>;
    /** Its Azure region. */
    location: pulumi.Input<string>;
    /** The deploying subscription. */
    subscriptionId: pulumi.Input<string>;
    /** The cluster's kubeconfig (secret), when the stack has one; otherwise `context` of the ambient kubeconfig. */
    kubeconfig?: pulumi.Input<string>;
    /** A context of the ambient kubeconfig (cluster.context). */
    context?: string;
    /**
     * The id of the cluster the stack created (the kind Command's): a new cluster — a new issuer, name or image
     * replaces it — is a new connection, so the old one is disconnected first and the new cluster connected.
     */
    clusterId?: pulumi.Input<string>;
    /**
     * What must exist first, and outlive the connection on a destroy: the cluster (the kind Command) and the
     * webhook release, so the agents install into a running cluster and are removed before it goes.
     */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The cluster connected to Azure Arc (lib/cluster/arc.ts): `az connectedk8s connect` on create, `az connectedk8s delete` on
 * destroy, before the cluster and the webhook go. The issuer stays the stack's own, so the trust chain is unchanged.
 */
export class ArcConnection extends pulumi.ComponentResource {
    public readonly connectedClusterName: string;
    /** The connected cluster's ARM id. */
    public readonly resourceId: pulumi.Output<string>;

    constructor(name: string, args: ArcConnectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:ArcConnection", name, {}, opts);

        new command.local.Command(
            `${name}-connect`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: arcConnectScript(),
                delete: arcDisconnectScript(),
                environment: {
                    [ARC_ENV.name]: args.name,
                    [ARC_ENV.resourceGroup]: args.resourceGroupName,
                    [ARC_ENV.location]: args.location,
                    [ARC_ENV.subscription]: args.subscriptionId,
                    ...(args.kubeconfig !== undefined ? { [ARC_ENV.kubeconfig]: pulumi.secret(args.kubeconfig) } : {}),
                    ...(args.context !== undefined ? { [ARC_ENV.context]: args.context } : {}),
                },
                // Another name or group is another connection, and so is another cluster: the engine deletes a
                // dependent whose replacement a delete-before-replace forces (the kind cluster's) before the
                // cluster, so its agents are removed while it still runs (pulumi/pulumi step_generator.go,
                // calculateDependentReplacements).
                triggers: [args.name, args.resourceGroupName, ...(args.clusterId !== undefined ? [args.clusterId] : [])],
                logging: command.types.enums.local.Logging.Stderr,
            },
            { parent: this, dependsOn: args.dependsOn, deleteBeforeReplace: true },
        );

        this.connectedClusterName = args.name;
        const resourceGroupId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}`;
        this.resourceId = pulumi.interpolate`${resourceGroupId}/providers/Microsoft.Kubernetes/connectedClusters/${args.name}`;
        this.registerOutputs({ connectedClusterName: this.connectedClusterName, resourceId: this.resourceId });
    }
}
