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

/**
 * The kubeconfig in a 0600 file for the duration of the script (removed on exit), and the arguments that name it:
 * az connectedk8s's (`--kube-config`, `--kube-context`) and kubectl's (`--kubeconfig`, `--context`).
 */
const KUBE_ACCESS = [
    "umask 077",
    'kube_args=""',
    'kubectl_args=""',
    `if [ -n "\${${e.kubeconfig}:-}" ]; then kubeconfig_file="$(mktemp)"; trap 'rm -f "$kubeconfig_file"' EXIT; ` +
        `printf '%s' "$${e.kubeconfig}" > "$kubeconfig_file"; kube_args="--kube-config $kubeconfig_file"; kubectl_args="--kubeconfig $kubeconfig_file"; fi`,
    `if [ -n "\${${e.context}:-}" ]; then kube_args="$kube_args --kube-context $${e.context}"; kubectl_args="$kubectl_args --context $${e.context}"; fi`,
];

/**
 * The resource providers `az connectedk8s connect` requires registered in the subscription
 * (azext_connectedk8s/_utils.py check_provider_registrations: Microsoft.Kubernetes always, Microsoft.KubernetesConfiguration
 * for workload identity and extensions, a warning otherwise). Registering needs `<namespace>/register/action` at the
 * subscription, which Contributor and Owner hold.
 */
export const ARC_RESOURCE_PROVIDERS = ["Microsoft.Kubernetes", "Microsoft.KubernetesConfiguration"] as const;

/** How long the connect script waits, at most, for a resource provider to finish registering. */
export const ARC_REGISTRATION_WAIT_SECONDS = 300;

/** A resource provider's registration state in the subscription. */
const registrationState = (ns: string) =>
    `"$(az provider show --namespace ${ns} --subscription "$${e.subscription}" --query registrationState -o tsv --only-show-errors 2>/dev/null)"`;

const REGISTER_PROVIDERS = ARC_RESOURCE_PROVIDERS.map(
    (ns) =>
        `state=${registrationState(ns)}; ` +
        `if [ "$state" != Registered ]; then ` +
        `echo "entra-wif: registering the resource provider ${ns} in the subscription (az connectedk8s connect requires it)" >&2; ` +
        `az provider register --namespace ${ns} --subscription "$${e.subscription}" --only-show-errors 1>&2 || ` +
        fail(
            `the resource provider ${ns} is not registered in the subscription and could not be registered; ` +
                `az connectedk8s connect requires ${ARC_RESOURCE_PROVIDERS.join(" and ")}: ask an owner to run az provider register --namespace ${ns}`,
        ) +
        `; i=0; until [ ${registrationState(ns)} = Registered ]; do ` +
        `i=$((i+5)); [ $i -le ${ARC_REGISTRATION_WAIT_SECONDS} ] || ` +
        fail(`the resource provider ${ns} did not finish registering in ${ARC_REGISTRATION_WAIT_SECONDS} s; run pulumi up again in a few minutes`) +
        `; sleep 5; done; fi`,
);

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
 * Connects the cluster. A connection of this name that already exists is adopted only when the cluster's own Arc agents
 * say they belong to it (their config map azure-arc/azure-clusterconfig names this group and name, as `az connectedk8s`
 * itself compares them, azext_connectedk8s/custom.py): then it is this cluster, connected by an earlier run that failed
 * later or by hand. A connection of this name whose agents are not in this cluster belongs to a cluster that is gone
 * (a kind cluster replaced by a new issuer, name or image): it is deleted in Azure and this cluster connected anew,
 * since connectedk8s treats such a connection as another cluster's. A cluster whose agents name another connection
 * is not taken over: the script stops and says which.
 */
export function arcConnectScript(): string {
    const stale = `/subscriptions/$${e.subscription}/resourceGroups/$${e.resourceGroup}/providers/Microsoft.Kubernetes/connectedClusters/$${e.name}`;
    const lower = (v: string) => `$(printf '%s' "${v}" | tr '[:upper:]' '[:lower:]')`;
    return [
        "set -uo pipefail",
        ...TOOLS,
        ...KUBE_ACCESS,
        ...REGISTER_PROVIDERS,
        // What the cluster's Arc agents were connected as: "<group>/<name>", empty when it runs none.
        `agents="$(kubectl $kubectl_args get configmap azure-clusterconfig -n azure-arc ` +
            `-o jsonpath='{.data.AZURE_RESOURCE_GROUP}/{.data.AZURE_RESOURCE_NAME}' 2>/dev/null || true)"`,
        `this="$${e.resourceGroup}/$${e.name}"`,
        `if az connectedk8s show ${target} -o none >/dev/null 2>&1; then`,
        `  if [ -n "$agents" ] && [ "${lower("$agents")}" = "${lower("$this")}" ]; then`,
        `    echo "entra-wif: the cluster's Arc agents already belong to $${e.name}; adopting that connection" >&2; exit 0`,
        "  fi",
        `  echo "entra-wif: the Arc connection $${e.name} belongs to another cluster (its agents are not in this one: a cluster that was replaced); ` +
            `deleting it in Azure and connecting this cluster" >&2`,
        `  az resource delete --ids "${stale}" --only-show-errors 1>&2 || ` +
            fail(`deleting the stale Arc connection failed; delete it (az resource delete --ids ${stale}) and run pulumi up again`),
        "fi",
        `if [ -n "$agents" ] && [ "${lower("$agents")}" != "${lower("$this")}" ]; then ` +
            fail(
                "the cluster is already connected to Azure Arc as $agents, another connection; disconnect it there " +
                    "(az connectedk8s delete) or set cluster.arc.name and the resource group to that connection",
            ) +
            "; fi",
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
