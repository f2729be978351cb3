/** AKS's side of workload identity: what an existing cluster must have enabled (components/aksCluster.ts). */

/** What an existing cluster lacks for workload identity, and the command that adds it. */
export function aksWorkloadIdentityProblem(
    cluster: { oidcIssuerProfile?: { enabled?: boolean; issuerURL?: string }; securityProfile?: { workloadIdentity?: { enabled?: boolean } } },
    name: string,
    group: string,
): string | undefined {
    const missing: string[] = [];
    if (!cluster.oidcIssuerProfile?.enabled || !cluster.oidcIssuerProfile.issuerURL) missing.push("--enable-oidc-issuer");
    if (!cluster.securityProfile?.workloadIdentity?.enabled) missing.push("--enable-workload-identity");
    return missing.length === 0
        ? undefined
        : `AKS cluster ${name} in ${group} is not set up for workload identity: run az aks update -g ${group} -n ${name} ${missing.join(" ")}`;
}
