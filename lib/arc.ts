/**
 * Azure Arc for a kind or existing cluster, as seed 002 does it by hand: `az connectedk8s connect` installs Arc's
 * agents in the cluster and creates the Microsoft.Kubernetes/connectedClusters resource; `az connectedk8s delete`
 * removes both. azure-native's ConnectedCluster resource creates only the Azure resource, not the agents (the
 * connection itself is the CLI's job: Microsoft Learn, "Quickstart: Connect an existing Kubernetes cluster to Azure
 * Arc"), so the stack runs the tool made for it, through a Command, with the Azure CLI the README already requires.
 *
 * The scripts are pure text, run by tests against stand-in `az` and `kubectl`. Values travel in the environment.
 */

/** Environment variables the scripts read. */
export const ARC_ENV = {
    name: "ENTRA_WIF_ARC_NAME",
    resourceGroup: "ENTRA_WIF_ARC_RESOURCE_GROUP",
    location: "ENTRA_WIF_ARC_LOCATION",
    subscription: "ENTRA_WIF_SUBSCRIPTION",
    /** The cluster's kubeconfig (secret), when the stack has one (kind, or entra-wif:kubeconfig). */
    kubeconfig: "ENTRA_WIF_KUBECONFIG",
    /** A context of the ambient kubeconfig, when the cluster is reached by context. */
    context: "ENTRA_WIF_KUBE_CONTEXT",
} as const;

const e = ARC_ENV;
const fail = (message: string) => `{ echo ${JSON.stringify(`entra-wif: ${message}`)} >&2; exit 1; }`;
const target = `--name "$${e.name}" --resource-group "$${e.resourceGroup}" --subscription "$${e.subscription}" --only-show-errors`;

/** The kubeconfig in a 0600 file for the duration of the script (removed on exit), and kubectl's arguments for it. */
const KUBE_ACCESS = [
    "umask 077",
    'kube_args=""',
    `if [ -n "\${${e.kubeconfig}:-}" ]; then kubeconfig_file="$(mktemp)"; trap 'rm -f "$kubeconfig_file"' EXIT; ` +
        `printf '%s' "$${e.kubeconfig}" > "$kubeconfig_file"; kube_args="--kube-config $kubeconfig_file"; fi`,
    `if [ -n "\${${e.context}:-}" ]; then kube_args="$kube_args --kube-context $${e.context}"; fi`,
];

const TOOLS = [
    "command -v az >/dev/null 2>&1 || " +
        fail(
            "az (the Azure CLI) is not on the PATH; cluster.arc connects the cluster with az connectedk8s. " +
                "Install the Azure CLI, or set cluster.arc.enabled false",
        ),
    "az extension show --name connectedk8s --only-show-errors >/dev/null 2>&1 || " +
        fail("the Azure CLI's connectedk8s extension is missing; add it once: az extension add --name connectedk8s"),
    "command -v kubectl >/dev/null 2>&1 || " +
        fail("kubectl is not on the PATH; az connectedk8s uses it (and helm, which it installs itself) to reach the cluster"),
];

/**
 * Connects the cluster. A connection of this name that already exists — left by an earlier run that failed after
 * connecting, or made by hand — is adopted, not duplicated: a second `az connectedk8s connect` of a connected cluster
 * fails, and a connection is one resource per name in the group.
 */
export function arcConnectScript(): string {
    return [
        "set -uo pipefail",
        ...TOOLS,
        ...KUBE_ACCESS,
        `if az connectedk8s show ${target} -o none >/dev/null 2>&1; then ` +
            `echo "entra-wif: the cluster is already connected to Azure Arc as $${e.name}; adopting that connection" >&2; exit 0; fi`,
        `az connectedk8s connect ${target} --location "$${e.location}" $kube_args 1>&2 || ` +
            fail(
                "az connectedk8s connect failed (its output is above); the cluster must reach Azure's Arc endpoints over https, " +
                    "and you need Contributor on the resource group",
            ),
    ].join("\n");
}

/**
 * Disconnects the cluster: removes Arc's agents from it and the Azure resource. When the cluster is already gone or
 * unreachable (a kind cluster deleted first, a destroy from CI), the agents cannot be removed: then the Azure resource
 * is deleted alone, so nothing is left in the subscription. Without the Azure CLI it says what is left.
 */
export function arcDisconnectScript(): string {
    const resourceId = `/subscriptions/$${e.subscription}/resourceGroups/$${e.resourceGroup}` + `/providers/Microsoft.Kubernetes/connectedClusters/$${e.name}`;
    return [
        "set -uo pipefail",
        `command -v az >/dev/null 2>&1 || { echo "entra-wif: az (the Azure CLI) is not on the PATH; the Arc connection $${e.name} stays in Azure: ` +
            `az connectedk8s delete --name $${e.name} --resource-group $${e.resourceGroup} --yes" >&2; exit 0; }`,
        `az connectedk8s show ${target} -o none >/dev/null 2>&1 || { echo "entra-wif: no Arc connection $${e.name} to remove" >&2; exit 0; }`,
        ...KUBE_ACCESS,
        `if az connectedk8s delete ${target} --yes $kube_args 1>&2; then exit 0; fi`,
        `echo "entra-wif: Arc's agents could not be removed from the cluster (it is gone or unreachable); ` +
            `deleting the connected cluster resource in Azure alone" >&2`,
        `az resource delete --ids "${resourceId}" --only-show-errors 1>&2 || ` +
            fail("deleting the connected cluster resource failed; delete it: az resource delete --ids " + resourceId),
    ].join("\n");
}
