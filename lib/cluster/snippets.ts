/**
 * What the admin of a cluster the stack does not create must set, ready to paste: flags and config snippets for
 * kubeadm, minikube, k0s, k3s, RKE2 and kind, and the command that writes the key files from the stack's outputs.
 * A running cluster is taken over without breaking a token (lib/cluster/flags.ts adoptionSettings): the stack's key
 * files go to a folder of the project's own, never over the distribution's; its own key keeps verifying and its
 * previous issuer stays accepted, until `dropPrevious` says they can go.
 * Pure: every snippet is built from the same settings as the flags, so the issuer string is typed once.
 */
import { stringify } from "yaml";
import { Distribution, DISTRIBUTION_FACTS } from "./distributions";
import { adoptionSettings, apiServerSettings, controllerManagerSettings, ServiceAccountSettings } from "./flags";
import { KIND_KEY_FILES, kindClusterConfig, shellPath, shellQuote } from "./kind";

/** For a cluster you run (cluster mode existing): its procedure and the files it writes, per distribution. */
export interface ClusterSnippets {
    // A string, not the Distribution union: this is also the package's output type (schema.json), and the SDK's
    // analyzer that writes the schema takes no unions.
    /** The distribution the stack names (cluster.distribution), whose procedure `steps` is: one of the snippets below. */
    distribution: string;
    steps: string;
    /** Shell, complete: k3s's config drop-in (kube-apiserver-arg entries) written, k3s restarted. */
    k3s: string;
    /** Shell, complete: the same for RKE2. */
    rke2: string;
    /** YAML: the drop-in the k3s steps write (/etc/rancher/k3s/config.yaml.d/entra-wif.yaml). */
    k3sConfig: string;
    /** YAML: the drop-in the RKE2 steps write (/etc/rancher/rke2/config.yaml.d/entra-wif.yaml). */
    rke2Config: string;
    /** When and how the cluster's previous key and issuer can be dropped, with the command that checks it. */
    dropPrevious: string;
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
const procedure = (title: string, steps: string[][]): string => [`# ${title}`, "(", "set -e -o pipefail", ...steps.flat(), ")"].join("\n");

/** A file written by the procedure, its content quoted so the shell expands nothing in it. */
const heredoc = (file: string, content: string): string[] => [`cat > ${file} <<'ENTRA_WIF_EOF'`, content.replace(/\n$/, ""), "ENTRA_WIF_EOF"];

/** Which distribution and previous issuer the stack names (cluster.distribution, cluster.previousIssuer). */
export interface AdoptionOptions {
    distribution: Distribution;
    previousIssuer?: string;
}

/**
 * `keyDir` is the folder the admin keeps the stack's key files in, as a person writes it (`~/.entra-wif/...`): the
 * same on every machine, so the snippets are stack outputs that never differ between the machines that plan them.
 */
export function existingClusterSnippets(
    issuer: string,
    ownsKey: boolean,
    keyDir: string,
    adoption: AdoptionOptions = { distribution: "kubeadm" },
): ClusterSnippets {
    const keyFile = shellPath(`${keyDir}/${KIND_KEY_FILES.signingKey}`);
    const pubFile = shellPath(`${keyDir}/${KIND_KEY_FILES.publicKeys}`);
    const dir = shellPath(keyDir);
    /** A distribution's settings: the stack's previous issuer for the one it names, each other one's own default. */
    const settingsOf = (d: Distribution): ServiceAccountSettings =>
        adoptionSettings(issuer, ownsKey, d, d === adoption.distribution ? adoption.previousIssuer : undefined);

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
    /**
     * Step 2 on a control-plane node: the stack's key files into the project's own folder beside the distribution's
     * keys (which the apiserver already reads); the distribution's own files are never written. Where one key file is
     * all a flag takes (`one`), the cluster's own public key goes into the stack's sa.pub there, so it keeps verifying.
     */
    const copyInto = (d: Distribution, where: string) => {
        const f = DISTRIBUTION_FACTS[d];
        if (!ownsKey) return ["# 2. copy: nothing"];
        return [
            `# 2. copy: into ${f.keyDir} on ${where}, the project's own folder beside ${d}'s keys (${f.ownPublicKeyFile} is never written)`,
            `sudo install -d -m 0700 ${f.keyDir}`,
            `sudo install -m 0600 ${keyFile} ${f.keyDir}/sa.key`,
            f.flagForm === "one"
                ? `sudo cat ${f.ownPublicKeyFile} | cat ${pubFile} - | sudo tee ${f.keyDir}/sa.pub >/dev/null  # ${d}'s own key, in it, keeps verifying`
                : `sudo install -m 0644 ${pubFile} ${f.keyDir}/sa.pub`,
        ];
    };
    /** What a distribution that takes one value per flag cannot keep: its previous issuer. */
    const oneIssuerNote = (d: Distribution) => {
        const previous = d === adoption.distribution && adoption.previousIssuer !== undefined ? adoption.previousIssuer : DISTRIBUTION_FACTS[d].defaultIssuer;
        return [
            `# ${d} takes one value per flag: tokens it issued under ${previous} stop verifying at the restart, until their pods`,
            "# get new ones (the kubelet renews projected tokens within their lifetime, at 24 h at the latest); restart workloads that cannot wait",
        ];
    };

    const minikubeFacts = DISTRIBUTION_FACTS.minikube;
    const minikube = settingsOf("minikube");
    const minikubeStart = [
        "minikube start \\",
        ...[
            ...apiServerSettings(minikube).map(([k, v]) => `apiserver.${k}=${v}`),
            ...controllerManagerSettings(minikube).map(([k, v]) => `controller-manager.${k}=${v}`),
        ].map((setting, i, all) => `  --extra-config=${shellQuote(setting)}${i < all.length - 1 ? " \\" : ""}`),
    ];
    const withClusterKey = shellPath(`${keyDir}/sa.with-minikube.pub`);
    const minikubeSteps = procedure("minikube, in this order: write the key files, copy them into the node, configure and restart", [
        write,
        ownsKey
            ? [
                  `# 2. copy: into ${minikubeFacts.keyDir} in the minikube node (minikube running; \`minikube start\` first on a new profile);`,
                  `#    minikube's own ${minikubeFacts.ownPublicKeyFile} is never written, and goes into the stack's sa.pub so it keeps verifying`,
                  `minikube ssh -- sudo install -d -m 0700 ${minikubeFacts.keyDir}`,
                  `minikube cp ${keyFile} ${minikubeFacts.keyDir}/sa.key`,
                  `{ cat ${pubFile}; minikube ssh -- sudo cat ${minikubeFacts.ownPublicKeyFile} | tr -d '\\r'; } > ${withClusterKey}`,
                  `minikube cp ${withClusterKey} ${minikubeFacts.keyDir}/sa.pub`,
              ]
            : ["# 2. copy: nothing"],
        [
            "# 3. configure and 4. restart: minikube start applies the flags and restarts the control plane with them",
            ...oneIssuerNote("minikube"),
            ...minikubeStart,
        ],
    ]);

    const k0sConfig = k0sClusterConfig(settingsOf("k0s"));
    const k0sSteps = procedure("k0s, on every controller node, in this order: write, copy, configure, restart", [
        write,
        copyInto("k0s", "every controller node"),
        [
            "# 3. configure: merge spec.api.extraArgs (and spec.controllerManager.extraArgs) of k0s-entra-wif.yaml into the",
            "#    ClusterConfig k0s was installed with (k0s install controller --config /etc/k0s/k0s.yaml)",
            ...oneIssuerNote("k0s"),
            ...heredoc("k0s-entra-wif.yaml", k0sConfig),
        ],
        ["# 4. restart: the controller reads its config and the key files when it starts", "sudo k0s stop && sudo k0s start"],
    ]);

    const kubeadm = settingsOf("kubeadm");
    const kubeadmControllerManager = controllerManagerSettings(kubeadm);
    const kubeadmConfig = kubeadmClusterConfiguration(kubeadm);
    const manifests = "/etc/kubernetes/manifests";
    const staticPods = ["kube-apiserver", ...(kubeadmControllerManager.length > 0 ? ["kube-controller-manager"] : [])];
    const kubeadmSteps = procedure("kubeadm, on every control-plane node, in this order: write, copy, configure, restart", [
        write,
        copyInto("kubeadm", "every control-plane node"),
        [
            "# 3. configure: a new cluster: kubeadm init --config kubeadm-entra-wif.yaml (merged into your ClusterConfiguration);",
            `#    a running one: the same flags in ${manifests}/kube-apiserver.yaml (and kube-controller-manager.yaml), in place of`,
            "#    the service-account ones there (the first --service-account-issuer signs, every one listed is accepted), and in the",
            "#    kubeadm-config ConfigMap (kubectl -n kube-system edit configmap kubeadm-config) so kubeadm upgrade keeps them",
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

    const rancherConfig = (d: "k3s" | "rke2") => rancherDropIn(d, issuer, ownsKey);
    const rancherSteps = (d: "k3s" | "rke2", service: string) => {
        const dropIn = `/etc/rancher/${d}/config.yaml.d/entra-wif.yaml`;
        return procedure(`${d}, on every server node, in this order: write, copy, configure, restart`, [
            write,
            copyInto(d, "every server node"),
            [
                `# 3. configure: a drop-in beside /etc/rancher/${d}/config.yaml (kube-apiserver-arg+ adds to the args set there)`,
                `sudo install -d /etc/rancher/${d}/config.yaml.d`,
                `sudo tee ${dropIn} >/dev/null <<'ENTRA_WIF_EOF'`,
                rancherConfig(d).replace(/\n$/, ""),
                "ENTRA_WIF_EOF",
            ],
            [`# 4. restart: ${d} reads its config and starts kube-apiserver with it`, `sudo systemctl restart ${service}`],
        ]);
    };

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

    const keyDirs = (["kubeadm", "minikube", "k0s", "k3s", "rke2"] as const).map((d) => `${d} ${DISTRIBUTION_FACTS[d].keyDir}`).join(", ");
    const keyChange = ownsKey
        ? [
              "# A change of signingKey.keys on a cluster you run, in this order (azure-workload-identity's key-rotation guide):",
              "# 1. pulumi up: publishes the JWKS with every key and reads it back as Entra does (the issuer gate)",
              "# 2. writeKeyFiles (or step 1 of your distribution's snippet): checks the published JWKS once more, then writes sa.key and sa.pub",
              `# 3. copy both to every control-plane node (step 2 of the snippet: ${keyDirs}) ` +
                  "and restart kube-apiserver and kube-controller-manager: new tokens carry the new kid",
              "# 4. to remove the old key: wait out the longest token lifetime after step 3, remove its name, and repeat 1-3",
          ].join("\n")
        : "";

    const chosen = DISTRIBUTION_FACTS[adoption.distribution];
    const previous = settingsOf(adoption.distribution).acceptedIssuers ?? [];
    const previousParts = [...(ownsKey ? ["key"] : []), ...(previous.length > 0 ? [`issuer (${previous.join(", ")})`] : [])];
    const dropPrevious = [
        `# The cluster's previous ${previousParts.join(" and ") || "settings"} can go once no token issued before the switch is in use:`,
        "# - projected tokens (every pod's): the kubelet renews them at 80% of their lifetime, and at 24 h at the latest: wait 24 h after the restart;",
        "# - legacy token Secrets never expire and were signed with the previous key: this lists them (re-create any still used, or keep the key):",
        "kubectl get secrets -A --field-selector type=kubernetes.io/service-account-token",
        `# Then remove ${
            [
                ...(previous.length > 0 ? ["the second --service-account-issuer"] : []),
                ...(ownsKey
                    ? [
                          chosen.flagForm === "one"
                              ? `the cluster's own key from ${chosen.keyDir}/sa.pub (install the stack's sa.pub there again)`
                              : `--service-account-key-file=${chosen.ownPublicKeyFile}`,
                      ]
                    : []),
            ].join(" and ") || "nothing more"
        }, and restart kube-apiserver (step 4 of the snippet).`,
    ].join("\n");

    const snippets = {
        minikube: minikubeSteps,
        kind: kindSteps,
        k0s: k0sSteps,
        kubeadm: kubeadmSteps,
        k3s: rancherSteps("k3s", "k3s"),
        rke2: rancherSteps("rke2", "rke2-server"),
    };
    return {
        distribution: adoption.distribution,
        steps: snippets[adoption.distribution],
        ...snippets,
        kindConfig,
        k0sConfig,
        kubeadmConfig,
        k3sConfig: rancherConfig("k3s"),
        rke2Config: rancherConfig("rke2"),
        writeKeyFiles,
        keyChange,
        dropPrevious,
    };
}

/** kubeadm's ClusterConfiguration (v1beta4: extraArgs as name/value lists, so a flag can repeat) for these settings. */
export function kubeadmClusterConfiguration(settings: ServiceAccountSettings): string {
    const asList = (list: Array<[string, string]>) => list.map(([name, value]) => ({ name, value }));
    const controllerManager = controllerManagerSettings(settings);
    return stringify({
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        apiServer: { extraArgs: asList(apiServerSettings(settings)) },
        ...(controllerManager.length > 0 ? { controllerManager: { extraArgs: asList(controllerManager) } } : {}),
    });
}

/** The k0s ClusterConfig fragment (extraArgs maps: one value per flag) for these settings. */
export function k0sClusterConfig(settings: ServiceAccountSettings): string {
    const controllerManager = controllerManagerSettings(settings);
    return stringify({
        apiVersion: "k0s.k0sproject.io/v1beta1",
        kind: "ClusterConfig",
        metadata: { name: "k0s" },
        spec: {
            api: { extraArgs: Object.fromEntries(apiServerSettings(settings)) },
            ...(controllerManager.length > 0 ? { controllerManager: { extraArgs: Object.fromEntries(controllerManager) } } : {}),
        },
    });
}

/**
 * k3s and RKE2 read kube-apiserver-arg entries from config.yaml and its config.yaml.d drop-ins (a key ending in `+`
 * appends to the list the other files set: k3s pkg/configfilearg/parser.go readConfigFile, dotDFiles); in an
 * entry, `name-=v` puts v before the distribution's own value and `name+=v` after it, keeping both (k3s
 * pkg/util/args.go GetArgs). So the stack's issuer signs with the distribution's still accepted, and the
 * distribution's own key keeps verifying. The drop-in, config.yaml.d/entra-wif.yaml.
 */
export function rancherDropIn(d: "k3s" | "rke2", issuer: string, ownsKey: boolean): string {
    const f = DISTRIBUTION_FACTS[d];
    return stringify({
        "kube-apiserver-arg+": [
            `service-account-issuer-=${issuer}`,
            ...(ownsKey ? [`service-account-key-file+=${f.keyDir}/sa.pub`, `service-account-signing-key-file=${f.keyDir}/sa.key`] : []),
        ],
        ...(ownsKey ? { "kube-controller-manager-arg+": [`service-account-private-key-file=${f.keyDir}/sa.key`] } : {}),
    });
}

/** The doctor's endpoint checks against the stack's outputs: the documents readable, every key of the stack published. */
export const PUBLISHED_CHECK = 'npm run --silent doctor -- --stack "$(pulumi stack --show-name)" --endpoints-only >&2';
const NOT_PUBLISHED =
    "entra-wif: the published JWKS does not hold every key of the stack yet (see the doctor's report above); " +
    "run pulumi up, and write the key files once it has published them";
