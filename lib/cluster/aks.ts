/**
 * AKS's side of workload identity: what an existing cluster must have enabled, and its kubeconfig made usable by the
 * deployer (components/aksCluster.ts).
 */
import { parse, stringify } from "yaml";

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

/**
 * kubelogin's own hint when it is missing (Azure/kubelogin pkg/internal/converter/convert.go execInstallHint), in
 * this project's words: client-go prints the exec config's installHint when the command is not found.
 */
export const KUBELOGIN_INSTALL_HINT =
    "entra-wif: this AKS cluster signs users in with Microsoft Entra ID, so Pulumi's Kubernetes provider reaches it through kubelogin, " +
    "which is not on the PATH of the machine running pulumi; install it (az aks install-cli, or https://azure.github.io/kubelogin/install.html), " +
    "sign in with az login, and run pulumi again.";

/** What kubelogin is asked for: a token from the Azure CLI's sign-in, for the cluster's Entra server application. */
export const KUBELOGIN_LOGIN = "azurecli";

interface KubeconfigUser {
    name: string;
    user: {
        exec?: { command?: string; args?: string[]; apiVersion?: string; installHint?: string; env?: unknown; provideClusterInfo?: boolean };
        "auth-provider"?: { name?: string; config?: Record<string, string> };
        [key: string]: unknown;
    };
}

const argAfter = (args: string[] | undefined, flag: string) => {
    const i = (args ?? []).indexOf(flag);
    return i >= 0 ? args![i + 1] : undefined;
};

/**
 * The kubeconfig an AKS cluster hands out, made usable by `pulumi up` on any machine where the deployer is signed in
 * with the Azure CLI. A cluster with Microsoft Entra integration answers listClusterUserCredential with a kubelogin
 * exec kubeconfig (format "exec"; the legacy "azure" auth provider was removed from client-go in Kubernetes 1.26)
 * whose default login is devicecode, which waits for a person at a browser. Each such user is converted as
 * `kubelogin convert-kubeconfig -l azurecli` converts it (Azure/kubelogin pkg/internal/converter/convert.go: get-token
 * --login azurecli --server-id <the cluster's server id>, tenant and client ids dropped), with an install hint naming the
 * fix. A kubeconfig with client certificates (a cluster with local accounts, as the stack creates) is returned as is.
 */
export function kubeconfigForDeployer(kubeconfig: string): { kubeconfig: string; usesKubelogin: boolean } {
    const doc = parse(kubeconfig) as { users?: KubeconfigUser[] } | null;
    const users = doc?.users ?? [];
    let usesKubelogin = false;
    for (const entry of users) {
        const exec = entry.user.exec;
        const provider = entry.user["auth-provider"];
        const viaKubelogin = exec?.command !== undefined && /kubelogin/i.test(exec.command);
        const viaAzureProvider = provider?.name === "azure";
        if (!viaKubelogin && !viaAzureProvider) continue;
        const serverId = viaKubelogin ? argAfter(exec!.args, "--server-id") : provider!.config?.["apiserver-id"];
        if (!serverId) {
            throw new Error(
                `the kubeconfig of user ${entry.name} signs in with Microsoft Entra ID but names no server id (--server-id); ` +
                    "get a fresh one with az aks get-credentials and check the cluster's aadProfile",
            );
        }
        usesKubelogin = true;
        const { "auth-provider": _legacy, exec: _old, ...rest } = entry.user;
        entry.user = {
            ...rest,
            exec: {
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "kubelogin",
                args: ["get-token", "--login", KUBELOGIN_LOGIN, "--server-id", serverId],
                installHint: KUBELOGIN_INSTALL_HINT,
                provideClusterInfo: false,
            },
        };
    }
    return { kubeconfig: usesKubelogin ? stringify(doc) : kubeconfig, usesKubelogin };
}
