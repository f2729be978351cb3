/**
 * The clusters people run, as their control planes set up service-account tokens out of the box: where their own key
 * pair lives (never written over: the stack's keys go to a folder of the project's own beside it, inside what the
 * apiserver can read), the issuer they start with (kept accepted after the stack's, so tokens already in the cluster
 * keep working), and how their flags are given. Each row cites the source it is read from. Pure.
 */

export const DISTRIBUTIONS = ["kubeadm", "minikube", "k0s", "k3s", "rke2"] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export interface DistributionFacts {
    /** The folder the distribution keeps its service-account key pair in, on every control-plane node. */
    pkiDir: string;
    /** Its own public key file, which keeps verifying the tokens it signed before the switch. */
    ownPublicKeyFile: string;
    /** The folder of the stack's key files: the project's own, inside pkiDir, which the apiserver already reads. */
    keyDir: string;
    /** The issuer the distribution sets by default (with the default cluster domain, cluster.local). */
    defaultIssuer: string;
    /**
     * How a flag that can be repeated reaches kube-apiserver: `repeat` (each value its own flag: kubeadm's v1beta4
     * extraArgs list, a static pod manifest), `one` (one value per flag: minikube's --extra-config, k0s's extraArgs map),
     * `k3s` (kube-apiserver-arg entries, where `name+=v` appends to the default and `name-=v` puts v before it).
     */
    flagForm: "repeat" | "one" | "k3s";
    source: string;
}

const CLUSTER_LOCAL_ISSUER = "https://kubernetes.default.svc.cluster.local";

export const DISTRIBUTION_FACTS: Readonly<Record<Distribution, DistributionFacts>> = {
    kubeadm: {
        pkiDir: "/etc/kubernetes/pki",
        ownPublicKeyFile: "/etc/kubernetes/pki/sa.pub",
        keyDir: "/etc/kubernetes/pki/entra-wif",
        defaultIssuer: CLUSTER_LOCAL_ISSUER,
        flagForm: "repeat",
        source:
            "kubernetes v1.36.5 cmd/kubeadm/app/phases/controlplane/manifests.go (service-account-key-file <CertificatesDir>/sa.pub, " +
            "service-account-issuer https://kubernetes.default.svc.<dnsDomain>); volumes.go mounts CertificatesDir into the apiserver",
    },
    minikube: {
        pkiDir: "/var/lib/minikube/certs",
        ownPublicKeyFile: "/var/lib/minikube/certs/sa.pub",
        keyDir: "/var/lib/minikube/certs/entra-wif",
        defaultIssuer: CLUSTER_LOCAL_ISSUER,
        flagForm: "one",
        source: "minikube bootstraps with kubeadm, its CertificatesDir /var/lib/minikube/certs (minikube pkg/minikube/vmpath)",
    },
    k0s: {
        pkiDir: "/var/lib/k0s/pki",
        ownPublicKeyFile: "/var/lib/k0s/pki/sa.pub",
        keyDir: "/var/lib/k0s/pki/entra-wif",
        defaultIssuer: "api",
        flagForm: "one",
        source: "k0s pkg/component/controller/apiserver.go (service-account-key-file <CertRootDir>/sa.pub, service-account-issuer api; extraArgs a map)",
    },
    k3s: {
        pkiDir: "/var/lib/rancher/k3s/server/tls",
        ownPublicKeyFile: "/var/lib/rancher/k3s/server/tls/service.key",
        keyDir: "/var/lib/rancher/k3s/server/tls/entra-wif",
        defaultIssuer: CLUSTER_LOCAL_ISSUER,
        flagForm: "k3s",
        source:
            "k3s pkg/daemons/control/server.go (service-account-key-file <data-dir>/server/tls/service.key, service-account-issuer " +
            "https://kubernetes.default.svc.<cluster-domain>); pkg/util/args.go GetArgs (name+= appends, name-= prepends, name= replaces); " +
            "pkg/configfilearg/parser.go (config.yaml.d drop-ins, a key ending in + appends)",
    },
    rke2: {
        pkiDir: "/var/lib/rancher/rke2/server/tls",
        ownPublicKeyFile: "/var/lib/rancher/rke2/server/tls/service.key",
        keyDir: "/var/lib/rancher/rke2/server/tls/entra-wif",
        defaultIssuer: CLUSTER_LOCAL_ISSUER,
        flagForm: "k3s",
        source: "RKE2 runs k3s's server code with data-dir /var/lib/rancher/rke2 (the same flags and kube-apiserver-arg handling as k3s)",
    },
};
