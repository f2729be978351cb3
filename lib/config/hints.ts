/** Near misses: the words users write for a mode, a type, a hosting or a cloud, and what to write instead. */
import { PROJECT } from "./types";

/** Distributions users name as a cluster mode: each is a cluster they run, so mode existing and its snippet. */
export const EXISTING_DISTRIBUTIONS: Record<string, string> = {
    minikube: "minikube",
    k0s: "k0s",
    kubeadm: "kubeadm",
    k3s: "k3s",
    k3d: "k3s",
    rke2: "rke2",
    microk8s: "kubeadm",
    dockerdesktop: "kubeadm",
    rancherdesktop: "kubeadm",
    arc: "kubeadm",
    azurearc: "kubeadm",
    connectedcluster: "kubeadm",
};

export const CLUSTER_MODE_HINTS: Record<string, string> = Object.fromEntries(
    Object.entries(EXISTING_DISTRIBUTIONS).map(([word, snippet]) => {
        const what = word.includes("arc") || word === "connectedcluster" ? "an Arc-connected cluster" : word;
        const apply =
            snippet === word
                ? `the ${snippet} snippet of \`pulumi stack output clusterSnippets\``
                : "the kube-apiserver and kube-controller-manager flags of `pulumi stack output kubeApiServerFlags` / `kubeControllerManagerFlags` " +
                  "(clusterSnippets.kubeadm shows them in kubeadm's form)";
        const distribution = snippet === word || word === "k3d" ? ` and cluster.distribution ${snippet}` : "";
        return [
            word,
            `${what} is a cluster you run: set cluster.mode existing${distribution} (reach it with cluster.context or ${PROJECT}:kubeconfig) ` +
                `and apply ${apply}; examples/Pulumi.existing.yaml shows the stack`,
        ];
    }),
);
const OTHER_CLOUDS_CLUSTER =
    "this program federates Azure workloads; an EKS or GKE cluster is a cluster you run: set cluster.mode existing and apply the flags your " +
    "provider allows (managed control planes usually do not: use the cluster's own issuer with signingKey.publicKeys)";
Object.assign(CLUSTER_MODE_HINTS, {
    eks: OTHER_CLOUDS_CLUSTER,
    gke: OTHER_CLOUDS_CLUSTER,
    managedcluster: "an AKS cluster is mode aks",
    azurekubernetesservice: "an AKS cluster is mode aks",
});

/** What people write for a distribution, and which one it is. */
export const DISTRIBUTION_HINTS: Record<string, string> = {
    k3d: "k3d runs k3s: cluster.distribution k3s",
    microk8s: "MicroK8s takes kube-apiserver flags in /var/snap/microk8s/current/args/kube-apiserver: use the kubeadm snippet's flags there",
    kind: "a kind cluster you run is kubeadm inside: cluster.distribution kubeadm (or let the stack create it: cluster.mode kind)",
    rancher: "Rancher's own clusters run RKE2: cluster.distribution rke2",
};

export const IDENTITY_TYPE_HINTS: Record<string, string> = {
    ...Object.fromEntries(
        ["userassigned", "userassignedidentity", "userassignedmanagedidentity", "uami", "msi", "managed", "mi"].map((w) => [
            w,
            'a user-assigned managed identity is type "managedIdentity"',
        ]),
    ),
    ...Object.fromEntries(
        ["systemassigned", "systemassignedidentity"].map((w) => [
            w,
            'a system-assigned identity belongs to one Azure resource and cannot federate with a cluster; use a user-assigned one, type "managedIdentity"',
        ]),
    ),
    ...Object.fromEntries(
        ["app", "appregistration", "serviceprincipal", "sp", "spn", "entraapp", "aadapp"].map((w) => [
            w,
            'an app registration (with its service principal) is type "application"',
        ]),
    ),
};

export const HOSTING_HINTS: Record<string, string> = {
    ...Object.fromEntries(
        ["static", "website", "web", "staticsite", "$web"].map((w) => [w, 'the storage account\'s static website ($web) is hosting "staticWebsite"']),
    ),
    ...Object.fromEntries(["blobs", "container", "blobcontainer", "storage", "blobstorage"].map((w) => [w, 'a public-read blob container is hosting "blob"'])),
    ...Object.fromEntries(
        ["cdn", "frontdoor", "afd", "customdomain"].map((w) => [
            w,
            "a CDN or custom domain in front of the storage keeps hosting blob or staticWebsite and sets issuer.customUrl to its URL",
        ]),
    ),
};

/** The Azure CLI's cloud names (az cloud list) differ from the webhook's: map them. */
export const AZURE_ENVIRONMENT_HINTS: Record<string, string> = {
    azurecloud: 'the Azure CLI calls the public cloud AzureCloud; the webhook calls it "AzurePublicCloud"',
    public: 'the public cloud is "AzurePublicCloud"',
    azurepublic: 'the public cloud is "AzurePublicCloud"',
    azureusgovernment: 'the Azure CLI calls it AzureUSGovernment; the webhook calls it "AzureUSGovernmentCloud"',
    usgov: 'US Government is "AzureUSGovernmentCloud"',
    usgovernment: 'US Government is "AzureUSGovernmentCloud"',
    china: 'Azure China (21Vianet) is "AzureChinaCloud"',
    azurechina: 'Azure China (21Vianet) is "AzureChinaCloud"',
    azuregermancloud: "Azure Germany was closed in 2021; its regions are in the public cloud, AzurePublicCloud",
};
