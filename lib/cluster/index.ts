/**
 * The cluster side: the service-account flags and key files, the kind cluster's config and scripts, the snippets for
 * a cluster you run, AKS and Arc, and what workload identity puts in the cluster (annotations, the sample pod).
 */
export * from "./flags";
export * from "./kind";
export * from "./snippets";
export * from "./aks";
export * from "./arc";
export * from "./workloads";
