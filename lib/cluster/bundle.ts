/**
 * What a control-plane node needs to take the stack's issuer and key, as files to copy there (`npm run bundle`): the
 * key files, the distribution's config fragment, and one script that installs them and restarts the apiserver. The
 * node needs no Node, no Pulumi and no state: everything the script uses is in the folder or on every Linux node
 * (sh, install, grep, awk, cat). The adoption rules are the snippets' (lib/cluster/flags.ts adoptionSettings): the
 * stack's files go to the project's own folder, the cluster's own key and previous issuer stay accepted.
 *
 * The script runs as root (`sudo ./install.sh`). Every absolute path it writes is under `$ENTRA_WIF_ROOT` (empty on
 * a node), so it can be run against a copy of a node's files. Pure: from the stack's outputs.
 */
import { Distribution, DISTRIBUTION_FACTS } from "./distributions";
import { adoptionSettings, apiServerSettings, controllerManagerSettings } from "./flags";
import { shellQuote } from "./kind";
import { k0sClusterConfig, kubeadmClusterConfiguration, rancherDropIn } from "./snippets";

export interface BundleInput {
    distribution: Distribution;
    issuer: string;
    previousIssuer?: string;
    /** The stack's private key (serviceAccountSigningKey), only when the stack generated it. */
    privateKeyPem?: string;
    /** Every public key the stack publishes (serviceAccountPublicKeys). */
    publicKeysPem: string;
}

export interface BundleFile {
    path: string;
    mode: number;
    text: string;
}

/** Distributions a bundle serves: those whose control plane runs on a node you can copy files to. */
export const BUNDLE_DISTRIBUTIONS = ["kubeadm", "k0s", "k3s", "rke2"] as const;

/** Why a distribution gets no bundle, or undefined. */
export function bundleRefusal(distribution: Distribution): string | undefined {
    return distribution === "minikube"
        ? "minikube's node is driven from your machine (minikube cp, minikube start): " +
              "run `pulumi stack output clusterSnippets --json | jq -r .steps` there instead"
        : undefined;
}

const FLAG_NAMES = {
    apiserver: ["service-account-issuer", "service-account-key-file", "service-account-signing-key-file"],
    controllerManager: ["service-account-private-key-file"],
};

/**
 * A static pod manifest's command with the service-account flags replaced by `flags`, written back only when it
 * changed (the kubelet restarts a static pod when its manifest changes): kubeadm's manifests list one `- --flag=value`
 * per line after `- kube-apiserver` (kubernetes cmd/kubeadm/app/phases/controlplane/manifests.go).
 */
function manifestEdit(manifest: string, component: string, names: string[], flags: string[]): string[] {
    const drop = names.map((n) => `-e ${shellQuote(`--${n}=`)}`).join(" ");
    const lines = flags.map((f) => shellQuote(f)).join(" ");
    return [
        `m="$ENTRA_WIF_ROOT${manifest}"`,
        `cp "$m" "./${component}.yaml.before"`,
        // The flags reach awk through the environment (POSIX ENVIRON), one a line: -v would expand their backslashes.
        `FLAGS="$(printf '%s\\n' ${lines})" && export FLAGS`,
        // Written beside the manifest as a dotfile, which the kubelet does not read as a pod (kubernetes v1.36.5
        // pkg/kubelet/config/file_linux.go produceWatchEvent), then renamed over it at once.
        `new="$(dirname "$m")/.${component}.yaml.entra-wif"`,
        `grep -v ${drop} "$m" | awk '{ print } $0 ~ /^ *- ${component}$/ { indent = substr($0, 1, index($0, "-") - 1); ` +
            `n = split(ENVIRON["FLAGS"], f, "\\n"); for (i = 1; i <= n; i++) if (f[i] != "") print indent "- " f[i] }' > "$new"`,
        `mv "$new" "$m"`,
    ];
}

export function nodeBundle(input: BundleInput): BundleFile[] {
    const refusal = bundleRefusal(input.distribution);
    if (refusal) throw new Error(refusal);
    const d = input.distribution;
    const facts = DISTRIBUTION_FACTS[d];
    const ownsKey = input.privateKeyPem !== undefined;
    const settings = adoptionSettings(input.issuer, ownsKey, d, input.previousIssuer);
    const files: BundleFile[] = [];
    if (input.privateKeyPem) files.push({ path: "sa.key", mode: 0o600, text: input.privateKeyPem });
    files.push({ path: "sa.pub", mode: 0o644, text: input.publicKeysPem });

    const install = ownsKey
        ? [
              `# the stack's key files into ${facts.keyDir}, the project's own folder (${facts.ownPublicKeyFile} is never written)`,
              `install -d -m 0700 "$ENTRA_WIF_ROOT${facts.keyDir}"`,
              `install -m 0600 sa.key "$ENTRA_WIF_ROOT${facts.keyDir}/sa.key"`,
              facts.flagForm === "one"
                  ? `cat sa.pub "$ENTRA_WIF_ROOT${facts.ownPublicKeyFile}" > "$ENTRA_WIF_ROOT${facts.keyDir}/sa.pub"  # ${d}'s own key keeps verifying`
                  : `install -m 0644 sa.pub "$ENTRA_WIF_ROOT${facts.keyDir}/sa.pub"`,
              `chmod 0644 "$ENTRA_WIF_ROOT${facts.keyDir}/sa.pub"`,
          ]
        : ["# no key files: the cluster keeps its own keys (signingKey.publicKeys); only the issuer changes"];

    let configure: string[];
    if (d === "kubeadm") {
        const apiserver = apiServerSettings(settings).map(([k, v]) => `--${k}=${v}`);
        const controllerManager = controllerManagerSettings(settings).map(([k, v]) => `--${k}=${v}`);
        configure = [
            "# the static pods' service-account flags replaced (a copy of each manifest is kept beside this script);",
            "# the kubelet restarts a static pod when its manifest changes",
            ...manifestEdit("/etc/kubernetes/manifests/kube-apiserver.yaml", "kube-apiserver", FLAG_NAMES.apiserver, apiserver),
            ...(controllerManager.length > 0
                ? manifestEdit(
                      "/etc/kubernetes/manifests/kube-controller-manager.yaml",
                      "kube-controller-manager",
                      FLAG_NAMES.controllerManager,
                      controllerManager,
                  )
                : []),
            'echo "entra-wif: done. So that kubeadm upgrade keeps these flags, put them in the kubeadm-config ConfigMap too:' +
                ' kubectl -n kube-system edit configmap kubeadm-config (kubeadm-entra-wif.yaml lists them)"',
        ];
        files.push({ path: "kubeadm-entra-wif.yaml", mode: 0o644, text: kubeadmClusterConfiguration(settings) });
    } else if (d === "k3s" || d === "rke2") {
        const dropIn = rancherDropIn(d, input.issuer, ownsKey);
        files.push({ path: "entra-wif.yaml", mode: 0o644, text: dropIn });
        const service = d === "k3s" ? "k3s" : "rke2-server";
        configure = [
            `# a drop-in beside /etc/rancher/${d}/config.yaml: its args keep ${d}'s own issuer and key (-= before, += after)`,
            `install -d "$ENTRA_WIF_ROOT/etc/rancher/${d}/config.yaml.d"`,
            `install -m 0644 entra-wif.yaml "$ENTRA_WIF_ROOT/etc/rancher/${d}/config.yaml.d/entra-wif.yaml"`,
            `systemctl restart ${service}`,
        ];
    } else {
        files.push({ path: "k0s-entra-wif.yaml", mode: 0o644, text: k0sClusterConfig(settings) });
        configure = [
            "# k0s's ClusterConfig is yours to merge: spec.api.extraArgs (and spec.controllerManager.extraArgs) of",
            "# k0s-entra-wif.yaml into /etc/k0s/k0s.yaml; this script stops here so that a half-merged config is never started",
            `echo "entra-wif: key files installed; merge k0s-entra-wif.yaml into /etc/k0s/k0s.yaml, then: k0s stop && k0s start (tokens issued` +
                ` under ${input.previousIssuer ?? facts.defaultIssuer} stop verifying then: k0s takes one issuer)"`,
        ];
    }

    const script = [
        "#!/bin/sh",
        `# entra-wif for a ${d} control-plane node: run it there as root (sudo ./install.sh), from this folder.`,
        `# Issuer: ${input.issuer}${settings.acceptedIssuers?.length ? ` (still accepting ${settings.acceptedIssuers.join(", ")})` : ""}`,
        "set -eu",
        'cd "$(dirname "$0")"',
        'ENTRA_WIF_ROOT="${ENTRA_WIF_ROOT:-}"',
        ...install,
        ...configure,
        "",
    ].join("\n");
    files.push({ path: "install.sh", mode: 0o755, text: script });
    files.push({
        path: "README.txt",
        mode: 0o644,
        text: [
            `entra-wif bundle for a ${d} control-plane node. Copy this folder there (scp -r) and run: sudo ./install.sh`,
            ownsKey
                ? "It holds the stack's PRIVATE signing key (sa.key, 0600): keep it as you keep the cluster's own keys, and delete the folder after."
                : "It holds no private key: the cluster keeps its own keys (signingKey.publicKeys).",
            `Files: ${files.map((f) => f.path).join(", ")}.`,
            "",
        ].join("\n"),
    });
    return files;
}
