import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { federatedCredentialName } from "../lib/entra/identities";
import { serviceAccountAnnotations } from "../lib/cluster/workloads";

export interface ServiceAccountWorkload {
    namespace: string;
    serviceAccount: string;
    /** The client id of the identity the workload becomes. */
    clientId: pulumi.Input<string>;
    /** The projected token's lifetime in seconds, when not the webhook's default. */
    tokenExpiration?: number;
}

export interface WorkloadServiceAccountsArgs {
    /** The cluster's provider: every object goes to that cluster. */
    provider: k8s.Provider;
    /** The cluster the stack created, if it did: its objects are deleted with it instead of one by one. */
    deletedWith?: pulumi.Resource;
    /** One service account per workload. Plain: each is a resource. */
    workloads: ServiceAccountWorkload[];
    /** The tenant of every identity. */
    tenantId: pulumi.Input<string>;
    /** Namespaces that exist already (built-in or listed in config): used, never created or deleted. Plain. */
    existingNamespaces: readonly string[];
}

/** The workloads' namespaces and service accounts, annotated with the identity each becomes. */
export class WorkloadServiceAccounts extends pulumi.ComponentResource {
    /** Service accounts by `<namespace>/<name>`. */
    public readonly serviceAccounts: ReadonlyMap<string, k8s.core.v1.ServiceAccount>;

    constructor(name: string, args: WorkloadServiceAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:WorkloadServiceAccounts", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

        const namespaces = new Map<string, k8s.core.v1.Namespace>();
        for (const ns of new Set(args.workloads.map((w) => w.namespace))) {
            if (args.existingNamespaces.includes(ns)) continue;
            namespaces.set(ns, new k8s.core.v1.Namespace(`${name}-ns-${ns}`, { metadata: { name: ns } }, childOpts));
        }

        const serviceAccounts = new Map<string, k8s.core.v1.ServiceAccount>();
        for (const w of args.workloads) {
            const namespace = namespaces.get(w.namespace);
            serviceAccounts.set(
                `${w.namespace}/${w.serviceAccount}`,
                new k8s.core.v1.ServiceAccount(
                    `${name}-sa-${federatedCredentialName(w.namespace, w.serviceAccount)}`,
                    {
                        metadata: {
                            name: w.serviceAccount,
                            // The namespace's Output when we create it, so the account waits for it.
                            namespace: namespace ? namespace.metadata.name : w.namespace,
                            annotations: pulumi
                                .all([w.clientId, args.tenantId])
                                .apply(([clientId, tenantId]) => serviceAccountAnnotations(clientId, tenantId, w.tokenExpiration)),
                        },
                    },
                    childOpts,
                ),
            );
        }
        this.serviceAccounts = serviceAccounts;
        this.registerOutputs({});
    }
}
