/**
 * The stack's kind cluster as test:cluster plays it, without Docker: the program's own scripts (the kind Commands'
 * create and update — the cluster's, and the keys' — with the environment the command provider hands them) run with
 * stand-in `docker` and `kind`,
 * and write the key files and the kind config for real. What kind would then do — mount each extraMount's host file at
 * its container path, and give kubeadm the ClusterConfiguration patch — is read back from the config the script
 * wrote: kube-apiserver gets the patch's extraArgs, each container path mapped to the host file mounted there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { KIND_ENV, KIND_KEY_FILES } from "../../../lib/cluster/kind";
import { Sandbox, sandbox } from "../../support/shell";
import type { Deployed } from "../../support/deployment";

/** A kind Command's inputs as the command provider receives them. */
export interface KindCommandInputs {
    create: string;
    update: string;
    environment: Record<string, string>;
}

export class KindNode {
    private readonly box: Sandbox = sandbox();

    constructor() {
        // docker answers; kind remembers whether "its" cluster exists, and prints a kubeconfig.
        this.box.fake("docker", "exit 0");
        const created = path.join(this.box.root, "kind-created");
        this.box.fake(
            "kind",
            [
                'case "$1 $2" in',
                `  "get clusters") [ -f '${created}' ] && cat '${created}'; exit 0 ;;`,
                `  "create cluster") printf '%s\\n' "$ENTRA_WIF_CLUSTER" > '${created}' ;;`,
                '  "get kubeconfig") echo "apiVersion: v1" ;;',
                "esac",
            ].join("\n"),
        );
    }

    /** Runs a Command's create (first up) or update (a later up that changed its environment); fails with its stderr, else returns it. */
    run(inputs: KindCommandInputs, step: "create" | "update"): string {
        const r = this.box.run(inputs[step], inputs.environment);
        if (r.code !== 0) throw new Error(`the kind Command's ${step} failed (${r.code}):\n${r.stderr}`);
        return r.stderr;
    }

    /** The key folder the script resolved (`~` is the sandbox's HOME). */
    keyDir(inputs: KindCommandInputs): string {
        return inputs.environment[KIND_ENV.keyDir].replace(/^~(?=\/)/, this.box.root);
    }

    /** The file the script wrote, by its name in the key folder (sa.pub, sa.key, kind.yaml). */
    file(inputs: KindCommandInputs, name: string): string {
        return path.join(this.keyDir(inputs), name);
    }

    /**
     * kube-apiserver's flags as kind and kubeadm would set them from the written config: the patch's extraArgs, in
     * order, each value that is a mounted container path replaced by the host file behind it.
     */
    apiServerFlags(inputs: KindCommandInputs): string[] {
        const config = parse(fs.readFileSync(this.file(inputs, KIND_KEY_FILES.config), "utf8"));
        const controlPlane = config.nodes.find((n: { role: string }) => n.role === "control-plane");
        const mounts = new Map<string, string>(
            (controlPlane.extraMounts ?? []).map((m: { containerPath: string; hostPath: string }) => [m.containerPath, m.hostPath]),
        );
        for (const hostPath of mounts.values()) {
            if (!fs.existsSync(hostPath)) throw new Error(`kind would mount ${hostPath}, which the script did not write`);
        }
        const patches = (config.kubeadmConfigPatches as string[]).map((p) => parse(p));
        const cluster = patches.find((p) => p.kind === "ClusterConfiguration");
        return Object.entries(cluster.apiServer.extraArgs as Record<string, string>).map(([k, v]) => {
            if (v.startsWith("/") && !mounts.has(v)) throw new Error(`--${k}=${v}: a file in the node that nothing mounts`);
            return `--${k}=${mounts.get(v) ?? v}`;
        });
    }

    cleanup(): void {
        this.box.cleanup();
    }
}

/** The kind Command's inputs in a deployment. */
export function kindCommand(d: Deployed): KindCommandInputs {
    const found = d.inputs.get("cluster-kind");
    if (!found) throw new Error(`the plan has no kind Command (cluster-kind); resources: ${[...d.inputs.keys()].join(", ")}`);
    return found as unknown as KindCommandInputs;
}

/** The Command that puts the stack's keys on the running kind cluster (cluster-keys), in a deployment. */
export function keysCommand(d: Deployed): KindCommandInputs {
    const found = d.inputs.get("cluster-keys");
    if (!found) throw new Error(`the plan has no kind keys Command (cluster-keys); resources: ${[...d.inputs.keys()].join(", ")}`);
    return found as unknown as KindCommandInputs;
}
