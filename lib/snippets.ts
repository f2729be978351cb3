/**
 * What the admin of a cluster the stack does not create must set, ready to paste: flags and config snippets for
 * minikube, kind, k0s and kubeadm, and the command that writes the key files from the stack's outputs.
 * Pure: every snippet is built from the same settings as the flags, so the issuer string is typed once.
 */
import { stringify } from "yaml";
import { apiServerSettings, controllerManagerSettings, KUBEADM_PKI_DIR, serviceAccountSettings } from "./flags";
import { KIND_KEY_FILES, kindClusterConfig, shellPath, shellQuote } from "./kind";

/** Where each distribution keeps the service-account key pair on its control-plane nodes. */
export const PKI_DIRS = {
    minikube: "/var/lib/minikube/certs",
    kubeadm: KUBEADM_PKI_DIR,
    k0s: "/var/lib/k0s/pki",
} as const;

export interface ClusterSnippets {
    /** Shell: copy the keys into the minikube node and restart it with --extra-config. */
    minikube: string;
    /** YAML: a kind cluster config for a kind cluster you create yourself. */
    kind: string;
    /** YAML: the k0s ClusterConfig fragment (k0s.yaml). */
    k0s: string;
    /** YAML: a kubeadm ClusterConfiguration (v1beta4) for `kubeadm init --config`. */
    kubeadm: string;
    /** Shell: writes sa.key (0600) and sa.pub from the stack outputs into the key folder; empty with the cluster's own keys. */
    writeKeyFiles: string;
}

/** kind passes hostPath to docker as it is written, without expanding `~` (kind pkg/cluster/internal/providers/docker/provision.go, generateMountBindings). */
export const KIND_TILDE_NOTE =
    '# kind takes hostPath literally: write this file with ~ replaced by your home folder, e.g. sed "s|~/|$HOME/|" kind.yaml > kind-resolved.yaml';

/**
 * `keyDir` is the folder the admin keeps the stack's key files in, as a person writes it (`~/.entra-wif/...`): the
 * same on every machine, so the snippets are stack outputs that never differ between the machines that plan them.
 */
export function existingClusterSnippets(issuer: string, ownsKey: boolean, keyDir: string): ClusterSnippets {
    const minikube = serviceAccountSettings(issuer, ownsKey, PKI_DIRS.minikube);
    const minikubeLines = [
        ...(ownsKey
            ? [
                  "# with minikube running: copy the stack's key pair into the node",
                  `minikube cp ${shellPath(`${keyDir}/${KIND_KEY_FILES.signingKey}`)} ${PKI_DIRS.minikube}/sa.key`,
                  `minikube cp ${shellPath(`${keyDir}/${KIND_KEY_FILES.publicKeys}`)} ${PKI_DIRS.minikube}/sa.pub`,
              ]
            : []),
        "minikube start \\",
        ...[
            ...apiServerSettings(minikube).map(([k, v]) => `apiserver.${k}=${v}`),
            ...controllerManagerSettings(minikube).map(([k, v]) => `controller-manager.${k}=${v}`),
        ].map((setting, i, all) => `  --extra-config=${shellQuote(setting)}${i < all.length - 1 ? " \\" : ""}`),
    ];

    const k0s = serviceAccountSettings(issuer, ownsKey, PKI_DIRS.k0s);
    const k0sControllerManager = controllerManagerSettings(k0s);
    const k0sConfig = stringify({
        apiVersion: "k0s.k0sproject.io/v1beta1",
        kind: "ClusterConfig",
        metadata: { name: "k0s" },
        spec: {
            api: { extraArgs: Object.fromEntries(apiServerSettings(k0s)) },
            ...(k0sControllerManager.length > 0 ? { controllerManager: { extraArgs: Object.fromEntries(k0sControllerManager) } } : {}),
        },
    });

    const kubeadm = serviceAccountSettings(issuer, ownsKey, PKI_DIRS.kubeadm);
    const asList = (settings: Array<[string, string]>) => settings.map(([name, value]) => ({ name, value }));
    const kubeadmControllerManager = controllerManagerSettings(kubeadm);
    const kubeadmConfig = stringify({
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        apiServer: { extraArgs: asList(apiServerSettings(kubeadm)) },
        ...(kubeadmControllerManager.length > 0 ? { controllerManager: { extraArgs: asList(kubeadmControllerManager) } } : {}),
    });

    const dir = shellPath(keyDir);
    const writeKeyFiles = ownsKey
        ? [
              `mkdir -p ${dir} && chmod 700 ${dir}`,
              `(umask 077 && pulumi stack output --show-secrets serviceAccountSigningKey > ${shellPath(`${keyDir}/${KIND_KEY_FILES.signingKey}`)})`,
              `pulumi stack output serviceAccountPublicKeys > ${shellPath(`${keyDir}/${KIND_KEY_FILES.publicKeys}`)}`,
          ].join("\n")
        : "";

    return {
        minikube: minikubeLines.join("\n"),
        kind:
            ownsKey && keyDir.startsWith("~")
                ? `${KIND_TILDE_NOTE}\n${kindClusterConfig({ issuer, keyDir })}`
                : kindClusterConfig({ issuer, keyDir: ownsKey ? keyDir : undefined }),
        k0s: k0sConfig,
        kubeadm: kubeadmConfig,
        writeKeyFiles,
    };
}
