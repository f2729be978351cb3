/**
 * An AKS cluster's kubeconfig as `pulumi up` uses it: with Microsoft Entra integration AKS hands out a kubelogin exec
 * kubeconfig that signs in by device code (a person at a browser); it is converted as `kubelogin convert-kubeconfig
 * -l azurecli` converts it, so the deployer's `az login` is used. Certificates (local accounts) pass through.
 */
import { parse } from "yaml";
import { aksWorkloadIdentityProblem, KUBELOGIN_INSTALL_HINT, kubeconfigForDeployer } from "../../lib/cluster/aks";

const SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** What listClusterUserCredential returns with format=exec for an Entra-integrated cluster (as az aks get-credentials writes it). */
const ENTRA_EXEC = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://aks-dev-1a2b3c4d.hcp.westeurope.azmk8s.io:443
  name: aks-dev
contexts:
- context:
    cluster: aks-dev
    user: clusterUser_rg-dev_aks-dev
  name: aks-dev
current-context: aks-dev
kind: Config
preferences: {}
users:
- name: clusterUser_rg-dev_aks-dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - ${SERVER_ID}
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 72f988bf-0000-4000-8000-00000000a11e
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.
      provideClusterInfo: false
`;

test("an Entra-integrated cluster's exec kubeconfig signs in with the Azure CLI, for the cluster's server id, with the fix if kubelogin is missing", () => {
    const { kubeconfig, usesKubelogin } = kubeconfigForDeployer(ENTRA_EXEC);
    expect(usesKubelogin).toBe(true);
    const doc = parse(kubeconfig);
    expect(doc.users[0]).toEqual({
        name: "clusterUser_rg-dev_aks-dev",
        user: {
            exec: {
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "kubelogin",
                // kubelogin's converter for azurecli: no device code, no client or tenant id (az's sign-in decides).
                args: ["get-token", "--login", "azurecli", "--server-id", SERVER_ID],
                installHint: KUBELOGIN_INSTALL_HINT,
                provideClusterInfo: false,
            },
        },
    });
    // Clusters and contexts untouched.
    expect(doc.clusters).toEqual(parse(ENTRA_EXEC).clusters);
    expect(doc["current-context"]).toBe("aks-dev");
    expect(KUBELOGIN_INSTALL_HINT).toMatch(/install it \(az aks install-cli/);
});

test("the legacy azure auth provider (removed from client-go in 1.26) becomes the same exec", () => {
    const provider = [
        "    auth-provider:",
        "      name: azure",
        "      config:",
        `        apiserver-id: ${SERVER_ID}`,
        "        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        '        config-mode: "1"',
        "        environment: AzurePublicCloud",
        "        tenant-id: 72f988bf-0000-4000-8000-00000000a11e",
        "",
    ].join("\n");
    const legacy = ENTRA_EXEC.replace(/ {4}exec:[\s\S]*$/, provider);
    const doc = parse(kubeconfigForDeployer(legacy).kubeconfig);
    expect(doc.users[0].user["auth-provider"]).toBeUndefined();
    expect(doc.users[0].user.exec.args).toEqual(["get-token", "--login", "azurecli", "--server-id", SERVER_ID]);
});

test("a certificate kubeconfig (local accounts: the cluster the stack creates) is returned byte for byte", () => {
    const certs = ENTRA_EXEC.replace(
        / {4}exec:[\s\S]*$/,
        "    client-certificate-data: TU9DSw==\n    client-key-data: TU9DSw==\n    token: 0123456789abcdef\n",
    );
    expect(kubeconfigForDeployer(certs)).toEqual({ kubeconfig: certs, usesKubelogin: false });
});

test("an Entra kubeconfig without a server id is refused with the fix", () => {
    const broken = ENTRA_EXEC.replace(`      - --server-id\n      - ${SERVER_ID}\n`, "");
    expect(() => kubeconfigForDeployer(broken)).toThrow(/names no server id \(--server-id\); get a fresh one with az aks get-credentials/);
});

test("an existing cluster without the issuer or workload identity is refused with the az aks update that fixes it", () => {
    expect(aksWorkloadIdentityProblem({ oidcIssuerProfile: { enabled: false } }, "aks-dev", "rg-dev")).toBe(
        "AKS cluster aks-dev in rg-dev is not set up for workload identity: " +
            "run az aks update -g rg-dev -n aks-dev --enable-oidc-issuer --enable-workload-identity",
    );
});
