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
    /**
     * Shell: checks that the published JWKS holds every key of the stack (the doctor, as Entra reads it), then writes
     * sa.key (0600) and sa.pub from the stack outputs into the key folder; empty with the cluster's own keys.
     */
    writeKeyFiles: string;
    /** The order of a key change on a cluster you run: publish, confirm, then switch the cluster; empty with its own keys. */
    keyChange: string;
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
    // The cluster must never sign with a kid Entra cannot find: the files are written only once the JWKS `pulumi up`
    // published holds every key of the stack (azure-workload-identity's key-rotation guide: publish, then switch).
    // No `exit`: a person may paste this into their own shell.
    const writeKeyFiles = ownsKey
        ? [
              `if ${PUBLISHED_CHECK}; then`,
              `  mkdir -p ${dir} && chmod 700 ${dir}`,
              `  (umask 077 && pulumi stack output --show-secrets serviceAccountSigningKey > ${shellPath(`${keyDir}/${KIND_KEY_FILES.signingKey}`)})`,
              `  pulumi stack output serviceAccountPublicKeys > ${shellPath(`${keyDir}/${KIND_KEY_FILES.publicKeys}`)}`,
              "else",
              `  echo ${shellQuote(NOT_PUBLISHED)} >&2`,
              "  false",
              "fi",
          ].join("\n")
        : "";
    const keyChange = ownsKey
        ? [
              "# A change of signingKey.keys on a cluster you run, in this order (azure-workload-identity's key-rotation guide):",
              "# 1. pulumi up: publishes the JWKS with every key and reads it back as Entra does (the issuer gate)",
              "# 2. writeKeyFiles: checks the published JWKS once more, then writes sa.key and sa.pub",
              `# 3. copy both to every control-plane node (minikube ${PKI_DIRS.minikube}, kubeadm ${PKI_DIRS.kubeadm}, k0s ${PKI_DIRS.k0s}) ` +
                  "and restart kube-apiserver and kube-controller-manager: new tokens carry the new kid",
              "# 4. to remove the old key: wait out the longest token lifetime after step 3, remove its name, and repeat 1-3",
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
        keyChange,
    };
}

/** The doctor's endpoint checks against the stack's outputs: the documents readable, every key of the stack published. */
export const PUBLISHED_CHECK = 'npm run --silent doctor -- --stack "$(pulumi stack --show-name)" --endpoints-only >&2';
const NOT_PUBLISHED =
    "entra-wif: the published JWKS does not hold every key of the stack yet (see the doctor's report above); " +
    "run pulumi up, and write the key files once it has published them";
