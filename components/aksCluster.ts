import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { aksWorkloadIdentityProblem, kubeconfigForDeployer } from "../lib/cluster/aks";

export interface AksClusterArgs {
    /** The AKS cluster's name. */
    clusterName: string;
    /** Create the cluster (true) or use an existing one (false). Plain: it decides whether a cluster is created. */
    create: boolean;
    /** The cluster's resource group: the stack's (created cluster) or the existing cluster's. */
    resourceGroupName: pulumi.Input<string>;
    /** Region of a created cluster. */
    location: pulumi.Input<string>;
    /** Kubernetes version of a created cluster; AKS's default when absent. */
    kubernetesVersion?: string;
    /** VM size of a created cluster's system node pool. */
    nodeSize: string;
    /** Node count of a created cluster's system node pool. */
    nodeCount: number;
}

/**
 * An AKS cluster that hosts its own OIDC issuer and runs the workload identity webhook itself: created with
 * oidcIssuerProfile and securityProfile.workloadIdentity enabled, or an existing one that must have both.
 */
export class AksCluster extends pulumi.ComponentResource {
    /** The cluster resource when the stack created it: cluster objects are deletedWith it. */
    public readonly cluster: containerservice.ManagedCluster | undefined;
    public readonly clusterName: string;
    /** The cluster's OIDC issuer URL, exactly as AKS reports it: every federated credential uses this Output. */
    public readonly issuerUrl: pulumi.Output<string>;
    /** The user kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:AksCluster", name, {}, opts);
        this.clusterName = args.clusterName;

        let resourceName: pulumi.Output<string>;
        if (args.create) {
            this.cluster = new containerservice.ManagedCluster(
                `${name}-aks`,
                {
                    resourceName: args.clusterName,
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    dnsPrefix: args.clusterName,
                    kubernetesVersion: args.kubernetesVersion,
                    identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
                    enableRBAC: true,
                    agentPoolProfiles: [
                        {
                            name: "system",
                            mode: containerservice.AgentPoolMode.System,
                            count: args.nodeCount,
                            vmSize: args.nodeSize,
                            osType: containerservice.OSType.Linux,
                            type: containerservice.AgentPoolType.VirtualMachineScaleSets,
                        },
                    ],
                    // The two settings workload identity needs: AKS publishes an issuer and runs the webhook.
                    oidcIssuerProfile: { enabled: true },
                    securityProfile: { workloadIdentity: { enabled: true } },
                },
                { parent: this },
            );
            resourceName = this.cluster.name;
            this.issuerUrl = this.cluster.oidcIssuerProfile.apply((p) => p!.issuerURL);
        } else {
            this.cluster = undefined;
            const existing = containerservice.getManagedClusterOutput(
                { resourceGroupName: args.resourceGroupName, resourceName: args.clusterName },
                { parent: this },
            );
            resourceName = existing.name;
            this.issuerUrl = pulumi.all([existing, args.resourceGroupName]).apply(([cluster, group]) => {
                // Fails the preview with the fix, before any credential names an issuer that does not exist.
                const problem = aksWorkloadIdentityProblem(cluster, args.clusterName, group);
                if (problem) throw new pulumi.RunError(problem);
                return cluster.oidcIssuerProfile!.issuerURL;
            });
        }

        // A cluster with Microsoft Entra integration answers with a kubelogin kubeconfig (format "exec"; "azure", the
        // removed auth provider, is never asked for); it is converted to sign in with the deployer's Azure CLI
        // (lib/cluster/aks.ts). A cluster with local accounts, like the one the stack creates, answers with certificates.
        const credentials = containerservice.listManagedClusterUserCredentialsOutput(
            { resourceGroupName: args.resourceGroupName, resourceName, format: "exec" },
            { parent: this },
        );
        this.kubeconfig = pulumi.secret(
            credentials.kubeconfigs.apply((k) => kubeconfigForDeployer(Buffer.from(k[0].value, "base64").toString("utf8")).kubeconfig),
        );

        this.registerOutputs({ clusterName: this.clusterName, issuerUrl: this.issuerUrl, kubeconfig: this.kubeconfig });
    }
}
