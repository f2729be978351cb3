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
    /** Shell, complete: write the key files, copy them into the minikube node, start minikube with --extra-config. */
    minikube: string;
    /** Shell, complete: write the key files, write the kind config, create the cluster with it. */
    kind: string;
    /** Shell, complete: write the key files, copy them into k0s's PKI folder, write the ClusterConfig fragment, restart k0s. */
    k0s: string;
    /** Shell, complete: write the key files, copy them into kubeadm's PKI folder, write the ClusterConfiguration, restart the static pods. */
    kubeadm: string;
    /** YAML: the kind cluster config the kind steps write (mounting the key folder). */
    kindConfig: string;
    /** YAML: the k0s ClusterConfig fragment the k0s steps write, to merge into k0s.yaml. */
    k0sConfig: string;
    /** YAML: the kubeadm ClusterConfiguration (v1beta4) the kubeadm steps write. */
    kubeadmConfig: string;
    /**
     * Shell: checks that the published JWKS holds every key of the stack (the doctor, as Entra reads it), then writes
     * sa.key (0600) and sa.pub from the stack outputs into the key folder. With the cluster's own keys it writes
     * nothing and says so.
     */
    writeKeyFiles: string;
    /** The order of a key change on a cluster you run: publish, confirm, then switch the cluster; empty with its own keys. */
    keyChange: string;
}

/** kind passes hostPath to docker as it is written, without expanding `~` (kind pkg/cluster/internal/providers/docker/provision.go, generateMountBindings). */
export const KIND_TILDE_NOTE =
    '# kind takes hostPath literally: write this file with ~ replaced by your home folder, e.g. sed "s|~/|$HOME/|" kind.yaml > kind-resolved.yaml';

/** What writeKeyFiles says with the cluster's own keys, instead of silently doing nothing. */
export const NO_KEY_FILES =
    "entra-wif: signingKey.publicKeys: the cluster keeps its own keys, so there are no key files to write; " +
    "only --service-account-issuer changes (pulumi stack output kubeApiServerFlags)";

/**
 * A procedure in a subshell: `set -e` stops it at the first failing step without ending the shell it is pasted
 * into, and a failed step leaves the later ones undone.
 */
const procedure = (title: string, steps: string[][]): string => [`# ${title}`, "(", "set -e", ...steps.flat(), ")"].join("\n");

/** A file written by the procedure, its content quoted so the shell expands nothing in it. */
const heredoc = (file: string, content: string): string[] => [`cat > ${file} <<'ENTRA_WIF_EOF'`, content.replace(/\n$/, ""), "ENTRA_WIF_EOF"];

/**
 * `keyDir` is the folder the admin keeps the stack's key files in, as a person writes it (`~/.entra-wif/...`): the
 * same on every machine, so the snippets are stack outputs that never differ between the machines that plan them.
 */
export function existingClusterSnippets(issuer: string, ownsKey: boolean, keyDir: string): ClusterSnippets {
    const keyFile = shellPath(`${keyDir}/${KIND_KEY_FILES.signingKey}`);
    const pubFile = shellPath(`${keyDir}/${KIND_KEY_FILES.publicKeys}`);
    const dir = shellPath(keyDir);

    // The cluster must never sign with a kid Entra cannot find: the files are written only once the JWKS `pulumi up`
    // published holds every key of the stack (azure-workload-identity's key-rotation guide: publish, then switch).
    const writeSteps = [
        `mkdir -p ${dir} && chmod 700 ${dir}`,
        `(umask 077 && pulumi stack output --show-secrets serviceAccountSigningKey > ${keyFile})`,
        `pulumi stack output serviceAccountPublicKeys > ${pubFile}`,
    ];
    // No `exit`: a person may paste this into their own shell.
    const writeKeyFiles = ownsKey
        ? [`if ${PUBLISHED_CHECK}; then`, ...writeSteps.map((l) => `  ${l}`), "else", `  echo ${shellQuote(NOT_PUBLISHED)} >&2`, "  false", "fi"].join("\n")
        : `echo ${shellQuote(NO_KEY_FILES)} >&2`;
    /** Step 1 of every procedure: write the key files, once the published JWKS holds every key. */
    const write = ownsKey
        ? [
              "# 1. write: sa.key (0600) and sa.pub from the stack, once the published JWKS holds every key of the stack",
              `${PUBLISHED_CHECK} || { echo ${shellQuote(NOT_PUBLISHED)} >&2; false; }`,
              ...writeSteps,
          ]
        : ["# 1. write: nothing, the cluster keeps its own keys (signingKey.publicKeys); only the issuer changes"];
    /** Step 2 for a distribution with a PKI folder on its control-plane nodes. */
    const copyInto = (pkiDir: string, where: string) =>
        ownsKey
            ? [
                  `# 2. copy: into ${pkiDir} on ${where} (run this there, or scp the two files there first)`,
                  `sudo install -m 0600 ${keyFile} ${pkiDir}/sa.key`,
                  `sudo install -m 0644 ${pubFile} ${pkiDir}/sa.pub`,
              ]
            : ["# 2. copy: nothing"];

    const minikube = serviceAccountSettings(issuer, ownsKey, PKI_DIRS.minikube);
    const minikubeStart = [
        "minikube start \\",
        ...[
            ...apiServerSettings(minikube).map(([k, v]) => `apiserver.${k}=${v}`),
            ...controllerManagerSettings(minikube).map(([k, v]) => `controller-manager.${k}=${v}`),
        ].map((setting, i, all) => `  --extra-config=${shellQuote(setting)}${i < all.length - 1 ? " \\" : ""}`),
    ];
    const minikubeSteps = procedure("minikube, in this order: write the key files, copy them into the node, configure and restart", [
        write,
        ownsKey
            ? [
                  "# 2. copy: into the minikube node (minikube running; `minikube start` first on a new profile)",
                  `minikube cp ${keyFile} ${PKI_DIRS.minikube}/sa.key`,
                  `minikube cp ${pubFile} ${PKI_DIRS.minikube}/sa.pub`,
              ]
            : ["# 2. copy: nothing"],
        ["# 3. configure and 4. restart: minikube start applies the flags and restarts the control plane with them", ...minikubeStart],
    ]);

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
    const k0sSteps = procedure("k0s, on every controller node, in this order: write, copy, configure, restart", [
        write,
        copyInto(PKI_DIRS.k0s, "every controller node"),
        [
            "# 3. configure: merge spec.api.extraArgs (and spec.controllerManager.extraArgs) of k0s-entra-wif.yaml into the",
            "#    ClusterConfig k0s was installed with (k0s install controller --config /etc/k0s/k0s.yaml)",
            ...heredoc("k0s-entra-wif.yaml", k0sConfig),
        ],
        ["# 4. restart: the controller reads its config and the key files when it starts", "sudo k0s stop && sudo k0s start"],
    ]);

    const kubeadm = serviceAccountSettings(issuer, ownsKey, PKI_DIRS.kubeadm);
    const asList = (settings: Array<[string, string]>) => settings.map(([name, value]) => ({ name, value }));
    const kubeadmControllerManager = controllerManagerSettings(kubeadm);
    const kubeadmConfig = stringify({
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        apiServer: { extraArgs: asList(apiServerSettings(kubeadm)) },
        ...(kubeadmControllerManager.length > 0 ? { controllerManager: { extraArgs: asList(kubeadmControllerManager) } } : {}),
    });
    const manifests = "/etc/kubernetes/manifests";
    const staticPods = ["kube-apiserver", ...(kubeadmControllerManager.length > 0 ? ["kube-controller-manager"] : [])];
    const kubeadmSteps = procedure("kubeadm, on every control-plane node, in this order: write, copy, configure, restart", [
        write,
        copyInto(PKI_DIRS.kubeadm, "every control-plane node"),
        [
            "# 3. configure: a new cluster: kubeadm init --config kubeadm-entra-wif.yaml (merged into your ClusterConfiguration);",
            `#    a running one: the same flags in ${manifests}/kube-apiserver.yaml (and kube-controller-manager.yaml), and in`,
            "#    the kubeadm-config ConfigMap (kubectl -n kube-system edit configmap kubeadm-config) so kubeadm upgrade keeps them",
            ...heredoc("kubeadm-entra-wif.yaml", kubeadmConfig),
        ],
        [
            "# 4. restart: the kubelet restarts a static pod when its manifest leaves and comes back (after an edit, it already has)",
            ...staticPods.map((pod) => {
                const aside = `/etc/kubernetes/${pod}.yaml.entra-wif`;
                return `sudo mv ${manifests}/${pod}.yaml ${aside} && sleep 20 && sudo mv ${aside} ${manifests}/${pod}.yaml`;
            }),
        ],
    ]);

    const kindConfig =
        ownsKey && keyDir.startsWith("~")
            ? `${KIND_TILDE_NOTE}\n${kindClusterConfig({ issuer, keyDir })}`
            : kindClusterConfig({ issuer, keyDir: ownsKey ? keyDir : undefined });
    const kindSteps = procedure("kind, in this order: write the key files, write the config that mounts them, create the cluster", [
        write,
        ["# 2. copy: nothing, the node mounts the key folder (extraMounts)"],
        [
            "# 3. configure: kind-entra-wif.yaml, with ~ resolved to this machine's home folder (kind takes hostPath literally)",
            ...heredoc("kind-entra-wif.yaml", kindClusterConfig({ issuer, keyDir: ownsKey ? keyDir : undefined })),
            ...(ownsKey && keyDir.startsWith("~") ? ['sed -i.bak "s|~/|$HOME/|" kind-entra-wif.yaml'] : []),
        ],
        ["# 4. restart: kind applies a config only when it creates a cluster", "kind create cluster --config kind-entra-wif.yaml"],
    ]);

    const keyChange = ownsKey
        ? [
              "# A change of signingKey.keys on a cluster you run, in this order (azure-workload-identity's key-rotation guide):",
              "# 1. pulumi up: publishes the JWKS with every key and reads it back as Entra does (the issuer gate)",
              "# 2. writeKeyFiles (or step 1 of your distribution's snippet): checks the published JWKS once more, then writes sa.key and sa.pub",
              `# 3. copy both to every control-plane node (minikube ${PKI_DIRS.minikube}, kubeadm ${PKI_DIRS.kubeadm}, k0s ${PKI_DIRS.k0s}) ` +
                  "and restart kube-apiserver and kube-controller-manager: new tokens carry the new kid",
              "# 4. to remove the old key: wait out the longest token lifetime after step 3, remove its name, and repeat 1-3",
          ].join("\n")
        : "";

    return {
        minikube: minikubeSteps,
        kind: kindSteps,
        k0s: k0sSteps,
        kubeadm: kubeadmSteps,
        kindConfig,
        k0sConfig,
        kubeadmConfig,
        writeKeyFiles,
        keyChange,
    };
}

/** The doctor's endpoint checks against the stack's outputs: the documents readable, every key of the stack published. */
export const PUBLISHED_CHECK = 'npm run --silent doctor -- --stack "$(pulumi stack --show-name)" --endpoints-only >&2';
const NOT_PUBLISHED =
    "entra-wif: the published JWKS does not hold every key of the stack yet (see the doctor's report above); " +
    "run pulumi up, and write the key files once it has published them";
