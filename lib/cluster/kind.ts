/**
 * The kind cluster the stack creates: its config file and the shell scripts `pulumi up` / `pulumi destroy` run.
 * Pure text builders, so tests can parse the YAML and run the scripts with stand-in `docker` and `kind` binaries.
 */
import { stringify } from "yaml";
import { apiServerSettings, controllerManagerSettings, serviceAccountSettings } from "./flags";

/** Files the create script writes into the stack's key folder, mounted into the control-plane node. */
export const KIND_KEY_FILES = {
    /** Every public key the apiserver accepts tokens from, concatenated PEM blocks. */
    publicKeys: "sa.pub",
    /** The private key that signs (mode 0600). */
    signingKey: "sa.key",
    config: "kind.yaml",
} as const;

/** Environment variables the scripts read: values never appear in the command text, so never in logs. */
export const KIND_ENV = {
    clusterName: "ENTRA_WIF_CLUSTER",
    nodeImage: "ENTRA_WIF_NODE_IMAGE",
    keyDir: "ENTRA_WIF_KEY_DIR",
    signingKey: "ENTRA_WIF_SIGNING_KEY",
    publicKeys: "ENTRA_WIF_PUBLIC_KEYS",
    kindConfig: "ENTRA_WIF_KIND_CONFIG",
} as const;

export interface KindConfigInput {
    /** The issuer URL, byte-identical to the discovery document's. */
    issuer: string;
    /**
     * The folder on the host holding sa.pub and sa.key, as planned (`~/...`, the same on every machine); absent when
     * the cluster keeps its own keys. kind takes hostPath literally, so the scripts write the config with `~` resolved.
     */
    keyDir?: string;
}

/** kubeadm's map form of extraArgs (kind translates an unversioned patch for kubeadm v1beta4 itself). */
const extraArgs = (settings: Array<[string, string]>) => Object.fromEntries(settings);

/**
 * The kind cluster config: the key files mounted read-only where kubeadm keeps the service-account key pair (kubeadm
 * then uses them instead of generating its own), and a ClusterConfiguration patch setting the apiserver's issuer and
 * key flags and the controller manager's private key.
 */
export function kindClusterConfig(input: KindConfigInput): string {
    // Our keys mounted at kubeadm's own paths (when we own them), where kubeadm then uses them.
    const settings = serviceAccountSettings(input.issuer, input.keyDir !== undefined);
    const keyFiles = settings.keyFiles;
    const controllerManager = controllerManagerSettings(settings);
    const patch = stringify({
        kind: "ClusterConfiguration",
        apiServer: { extraArgs: extraArgs(apiServerSettings(settings)) },
        ...(controllerManager.length > 0 ? { controllerManager: { extraArgs: extraArgs(controllerManager) } } : {}),
    });
    const controlPlane = keyFiles
        ? {
              role: "control-plane",
              extraMounts: [
                  { hostPath: `${input.keyDir}/${KIND_KEY_FILES.publicKeys}`, containerPath: keyFiles.publicKeyFiles[0], readOnly: true },
                  { hostPath: `${input.keyDir}/${KIND_KEY_FILES.signingKey}`, containerPath: keyFiles.signingKeyFile, readOnly: true },
              ],
          }
        : { role: "control-plane" };
    return stringify(
        {
            kind: "Cluster",
            apiVersion: "kind.x-k8s.io/v1alpha4",
            nodes: [controlPlane],
            kubeadmConfigPatches: [patch],
        },
        { blockQuote: "literal" },
    );
}

/** Single-quoted for a POSIX shell. */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * A path for a shell command a person pastes: a leading `~/` stays outside the quotes so the shell expands it;
 * the rest is quoted only when it needs to be.
 */
export function shellPath(p: string): string {
    const [prefix, rest] = p.startsWith("~/") ? ["~/", p.slice(2)] : ["", p];
    return prefix + (/^[A-Za-z0-9._/-]+$/.test(rest) ? rest : shellQuote(rest));
}

/**
 * Resolves the planned key folder (`~/...`) against the $HOME of the machine running the script, into $key_dir,
 * so no machine's home folder is ever part of a resource input.
 */
const RESOLVE_KEY_DIR = (e: typeof KIND_ENV) => [
    `: "\${HOME:?entra-wif: HOME is not set, and the key folder of the stack lives under it}"`,
    `key_dir="\${${e.keyDir}/#\\~/$HOME}"`,
];

const fail = (message: string) => `{ echo ${JSON.stringify(`entra-wif: ${message}`)} >&2; exit 1; }`;

const TOOL_CHECKS = () => [
    "command -v docker >/dev/null 2>&1 || " +
        fail("docker is not on the PATH of the machine running pulumi up; kind runs the cluster in Docker. Install Docker, or set cluster.mode to existing"),
    "command -v kind >/dev/null 2>&1 || " +
        fail(
            "kind is not on the PATH of the machine running pulumi up. " +
                "Install it (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or set cluster.mode to existing",
        ),
    "docker info >/dev/null 2>&1 || " + fail("docker is installed but its daemon does not answer (docker info failed); start Docker and run pulumi up again"),
];

/** Writes sa.key (0600) and sa.pub in place: the files are bind-mounted into the node, so their inodes must stay. */
const WRITE_KEYS = (e: typeof KIND_ENV, f: typeof KIND_KEY_FILES) => [
    "umask 077",
    `mkdir -p "$key_dir"`,
    `chmod 700 "$key_dir"`,
    `printf '%s' "$${e.signingKey}" > "$key_dir/${f.signingKey}"`,
    `chmod 600 "$key_dir/${f.signingKey}"`,
    `printf '%s' "$${e.publicKeys}" > "$key_dir/${f.publicKeys}"`,
    `chmod 644 "$key_dir/${f.publicKeys}"`,
];

/**
 * Creates the cluster: checks the tools first (before anything is written), writes the key files (private key 0600
 * in a 0700 folder) and the config, creates the cluster and prints its kubeconfig on stdout — the only thing on
 * stdout, which the program keeps as a secret.
 */
export function kindCreateScript(): string {
    const e = KIND_ENV;
    const f = KIND_KEY_FILES;
    return [
        "set -euo pipefail",
        ...TOOL_CHECKS(),
        `if kind get clusters 2>/dev/null | grep -qx "$${e.clusterName}"; then ` +
            fail(
                "a kind cluster with this name already exists and was not created by this stack's state; " +
                    "delete it (kind delete cluster --name <name>) or set cluster.name",
            ) +
            "; fi",
        ...RESOLVE_KEY_DIR(e),
        ...WRITE_KEYS(e, f),
        // The planned config names the key folder as `~/...`; kind takes hostPath literally, so write it resolved.
        `printf '%s' "\${${e.kindConfig}//"$${e.keyDir}"/"$key_dir"}" > "$key_dir/${f.config}"`,
        // kind's progress goes to stderr, so stdout carries the kubeconfig alone.
        `kind create cluster --name "$${e.clusterName}" --config "$key_dir/${f.config}" --wait 180s \${${e.nodeImage}:+--image "$${e.nodeImage}"} 1>&2`,
        `kind get kubeconfig --name "$${e.clusterName}"`,
    ].join("\n");
}

/** What the keys Command says when the cluster already has its keys; the change preview knows that Command by it. */
export const KEYS_IN_PLACE = "entra-wif: the cluster already signs with these keys";

/** Fails unless the stack's kind cluster exists: an update or a key change never creates one. */
const CLUSTER_EXISTS = (e: typeof KIND_ENV) =>
    `kind get clusters 2>/dev/null | grep -qx "$${e.clusterName}" || ` +
    fail("the stack's kind cluster is gone; run pulumi refresh, then pulumi up to create it again");

/**
 * The cluster Command's update: what it can change on a running cluster is nothing (a new issuer, name or image
 * replaces it), and a key change is the keys Command's (kindApplyKeysScript), which waits for the JWKS. Its key
 * inputs change with a rotation only so that a cluster created later starts with the current keys; the update
 * prints the kubeconfig again, as create does, and touches nothing.
 */
export function kindKubeconfigScript(): string {
    const e = KIND_ENV;
    return ["set -euo pipefail", ...TOOL_CHECKS(), CLUSTER_EXISTS(e), `kind get kubeconfig --name "$${e.clusterName}"`].join("\n");
}

/**
 * The keys a running cluster signs with, applied after the JWKS holding them is published (the keys Command depends
 * on the issuer's gate): when the mounted key files already hold them (a cluster just created with them) it changes
 * nothing; otherwise (a rotation) it rewrites the files in place and restarts kube-apiserver and
 * kube-controller-manager (static pods read their keys at start) by moving their manifests out and back, waiting,
 * bounded, for each to stop and for the apiserver to be ready again. Pods keep running; tokens signed by a key still
 * in sa.pub stay valid. Prints nothing on stdout.
 */
export function kindApplyKeysScript(): string {
    const e = KIND_ENV;
    const f = KIND_KEY_FILES;
    const inNode = [
        "set -e",
        "for c in kube-apiserver kube-controller-manager; do",
        "  mv /etc/kubernetes/manifests/$c.yaml /etc/kubernetes/$c.yaml.entra-wif",
        '  i=0; while crictl ps --name "^$c$" -q | grep -q .; do i=$((i+1)); [ $i -lt 60 ] || { echo "$c did not stop" >&2; exit 1; }; sleep 2; done',
        "  mv /etc/kubernetes/$c.yaml.entra-wif /etc/kubernetes/manifests/$c.yaml",
        "done",
        "i=0; until kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw /readyz >/dev/null 2>&1; do i=$((i+1)); " +
            '[ $i -lt 90 ] || { echo "kube-apiserver not ready after the key change" >&2; exit 1; }; sleep 2; done',
    ].join("\n");
    return [
        "set -euo pipefail",
        ...TOOL_CHECKS(),
        CLUSTER_EXISTS(e),
        ...RESOLVE_KEY_DIR(e),
        // The file's bytes, trailing newlines included, against the variable's (bash alone: no cmp on minimal machines).
        `same() { local current=""; [ -f "$2" ] || return 1; IFS= read -r -d '' current < "$2" || true; [ "$current" == "$1" ]; }`,
        `if same "$${e.signingKey}" "$key_dir/${f.signingKey}" && same "$${e.publicKeys}" "$key_dir/${f.publicKeys}"; then`,
        `  echo "${KEYS_IN_PLACE}" >&2`,
        "  exit 0",
        "fi",
        ...WRITE_KEYS(e, f),
        `docker exec "$${e.clusterName}-control-plane" sh -c ${shellQuote(inNode)} 1>&2`,
    ].join("\n");
}

/** How long a destroy waits for `kind delete cluster` before it goes on without it (a Docker that never answers). */
export const KIND_DELETE_WAIT_SECONDS = 300;

/**
 * Deletes the cluster and the key folder. It never fails or hangs a destroy: without kind on the PATH (a destroy run
 * from CI, while the cluster lives on a laptop) it says what is left and where; a `kind delete` that does not finish
 * in KIND_DELETE_WAIT_SECONDS is stopped. The Azure side is deleted either way, and the cluster's objects, deleted
 * with the cluster, need no API server.
 */
export function kindDeleteScript(): string {
    const e = KIND_ENV;
    const leftOver =
        `the kind cluster $${e.clusterName} (a Docker container) and its kubeconfig context kind-$${e.clusterName} stay on the machine ` +
        `that created them, with the key folder $${e.keyDir}; there run: kind delete cluster --name $${e.clusterName} && rm -rf $${e.keyDir}`;
    return [
        "set -uo pipefail",
        "if command -v kind >/dev/null 2>&1; then",
        `  kind delete cluster --name "$${e.clusterName}" 1>&2 & pid=$!`,
        `  i=0; while kill -0 $pid 2>/dev/null; do i=$((i+1)); if [ $i -gt ${KIND_DELETE_WAIT_SECONDS} ]; then kill $pid 2>/dev/null; ` +
            `echo "entra-wif: kind delete cluster did not finish in ${KIND_DELETE_WAIT_SECONDS} s; ${leftOver}" >&2; break; fi; sleep 1; done`,
        "  wait $pid 2>/dev/null || true",
        "else",
        `  echo "entra-wif: kind is not on the PATH of this machine; ${leftOver}" >&2`,
        "fi",
        ...RESOLVE_KEY_DIR(e),
        `rm -rf "$key_dir"`,
        "exit 0",
    ].join("\n");
}
