/**
 * The kind cluster: its config parsed as kind and kubeadm read it, and the create/delete scripts run for real
 * against stand-in docker and kind binaries.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    KIND_DELETE_WAIT_SECONDS,
    KIND_ENV,
    kindClusterConfig,
    kindCreateScript,
    kindDeleteScript,
    kindApplyKeysScript,
    kindKubeconfigScript,
} from "../../lib/cluster/kind";
import { joinedPattern } from "../support/patterns";
import { mode, sandbox, Sandbox } from "../support/shell";
import { k8s } from "../support/vectors";

const ISSUER = "https://entrawif0123456789abcdef.blob.core.windows.net/oidc/";
/** As planned: the same on every machine; the scripts resolve ~ against $HOME. */
const KEY_DIR = "~/.entra-wif/entra-wif-dev";

describe("kind cluster config", () => {
    const config = parse(kindClusterConfig({ issuer: ISSUER, keyDir: KEY_DIR }));
    const patch = parse(config.kubeadmConfigPatches[0]);

    test("a kind v1alpha4 Cluster with one control-plane node", () => {
        expect(config.kind).toBe("Cluster");
        expect(config.apiVersion).toBe("kind.x-k8s.io/v1alpha4");
        expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(["control-plane"]);
    });

    test("the key files are mounted read-only where kubeadm keeps the service-account key pair", () => {
        expect(config.nodes[0].extraMounts).toEqual([
            { hostPath: `${KEY_DIR}/sa.pub`, containerPath: "/etc/kubernetes/pki/sa.pub", readOnly: true },
            { hostPath: `${KEY_DIR}/sa.key`, containerPath: "/etc/kubernetes/pki/sa.key", readOnly: true },
        ]);
    });

    test("the kubeadm patch sets the issuer byte-identically, the key files and the controller manager's key", () => {
        // Unversioned: kind applies it to the kubeadm config version it generates (translating for v1beta4).
        expect(Object.keys(patch)).toEqual(["kind", "apiServer", "controllerManager"]);
        expect(patch.kind).toBe("ClusterConfiguration");
        expect(patch.apiServer.extraArgs).toEqual({
            "service-account-issuer": ISSUER,
            "service-account-key-file": "/etc/kubernetes/pki/sa.pub",
            "service-account-signing-key-file": "/etc/kubernetes/pki/sa.key",
        });
        expect(patch.controllerManager.extraArgs).toEqual({ "service-account-private-key-file": "/etc/kubernetes/pki/sa.key" });
        expect(config.kubeadmConfigPatches[0]).toContain(`service-account-issuer: ${ISSUER}\n`);
    });

    test("without our keys (the cluster's own), only the issuer: no mounts, no key flags", () => {
        const own = parse(kindClusterConfig({ issuer: ISSUER }));
        expect(own.nodes).toEqual([{ role: "control-plane" }]);
        expect(parse(own.kubeadmConfigPatches[0])).toEqual({ kind: "ClusterConfiguration", apiServer: { extraArgs: { "service-account-issuer": ISSUER } } });
    });
});

describe("create and delete scripts, run with stand-in docker and kind", () => {
    let box: Sandbox;
    let keyDir: string;
    const kubeconfigText = "apiVersion: v1\nkind: Config\nclusters: []\n";
    const env = () => ({
        [KIND_ENV.clusterName]: "entra-wif-dev",
        [KIND_ENV.keyDir]: KEY_DIR,
        [KIND_ENV.kindConfig]: kindClusterConfig({ issuer: ISSUER, keyDir: KEY_DIR }),
        [KIND_ENV.publicKeys]: k8s.rsaPublic() + k8s.ecdsaPublic(),
        [KIND_ENV.signingKey]: k8s.rsaPrivate(),
    });
    const fakeKind = (existing = "") =>
        box.fake(
            "kind",
            `
case "$1" in
  get) if [ "$2" = clusters ]; then printf '%s' "${existing}"; else printf '%s' '${kubeconfigText}'; fi ;;
  create) echo "Creating cluster ..." >&2 ;;
  delete) echo "Deleting cluster ..." >&2 ;;
esac`,
        );

    beforeEach(() => {
        box = sandbox();
        // The sandbox's HOME is its root: where the scripts must put the planned ~/.entra-wif/entra-wif-dev.
        keyDir = path.join(box.root, ".entra-wif", "entra-wif-dev");
    });
    afterEach(() => box.cleanup());

    test("writes the keys (private 0600 in a 0700 folder) and the config, creates the cluster, prints only the kubeconfig", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        const r = box.run(kindCreateScript(), env());
        expect(r.stderr).toContain("Creating cluster");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(kubeconfigText);
        expect(mode(keyDir)).toBe(0o700);
        expect(mode(path.join(keyDir, "sa.key"))).toBe(0o600);
        expect(mode(path.join(keyDir, "sa.pub"))).toBe(0o644);
        expect(fs.readFileSync(path.join(keyDir, "sa.key"), "utf8")).toBe(k8s.rsaPrivate());
        expect(fs.readFileSync(path.join(keyDir, "sa.pub"), "utf8")).toBe(k8s.rsaPublic() + k8s.ecdsaPublic());
        // kind takes hostPath literally: the file on disk names the resolved folder, the planned config the ~ form.
        expect(fs.readFileSync(path.join(keyDir, "kind.yaml"), "utf8")).toBe(kindClusterConfig({ issuer: ISSUER, keyDir }));
        expect(parse(fs.readFileSync(path.join(keyDir, "kind.yaml"), "utf8")).nodes[0].extraMounts.map((m: { hostPath: string }) => m.hostPath)).toEqual([
            path.join(keyDir, "sa.pub"),
            path.join(keyDir, "sa.key"),
        ]);
        expect(box.calls()).toEqual([
            "docker info",
            "kind get clusters",
            `kind create cluster --name entra-wif-dev --config ${keyDir}/kind.yaml --wait 180s`,
            "kind get kubeconfig --name entra-wif-dev",
        ]);
        // The private key travels in the environment only, never on a command line.
        expect(box.calls().join("\n")).not.toContain("PRIVATE KEY");
    });

    test("the key folder follows the HOME of the machine that runs the script, not the one that planned it", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        const elsewhere = path.join(box.root, "other home");
        fs.mkdirSync(elsewhere);
        expect(box.run(kindCreateScript(), { ...env(), HOME: elsewhere }).code).toBe(0);
        const dir = path.join(elsewhere, ".entra-wif", "entra-wif-dev");
        expect(mode(path.join(dir, "sa.key"))).toBe(0o600);
        expect(fs.readFileSync(path.join(dir, "kind.yaml"), "utf8")).toContain(`hostPath: ${dir}/sa.pub`);
        expect(fs.existsSync(keyDir)).toBe(false);
    });

    test("without HOME the script stops before writing anything", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        const r = box.run(kindCreateScript(), { ...env(), HOME: "" });
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("entra-wif: HOME is not set");
        expect(box.calls().some((c) => c.startsWith("kind create"))).toBe(false);
    });

    test("passes the node image when one is configured", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        expect(box.run(kindCreateScript(), { ...env(), [KIND_ENV.nodeImage]: "kindest/node:v1.33.1" }).code).toBe(0);
        expect(box.calls()).toContain(`kind create cluster --name entra-wif-dev --config ${keyDir}/kind.yaml --wait 180s --image kindest/node:v1.33.1`);
    });

    test.each<[string, () => void, RegExp]>([
        ["docker missing", () => fakeKind(), /^entra-wif: docker is not on the PATH of the machine running pulumi up; .*set cluster\.mode to existing$/],
        [
            "kind missing",
            () => box.fake("docker", "exit 0"),
            /^entra-wif: kind is not on the PATH of the machine running pulumi up\. Install it \(https:\/\/kind\.sigs\.k8s\.io/,
        ],
        [
            "docker daemon down",
            () => {
                box.fake("docker", "exit 1");
                fakeKind();
            },
            /^entra-wif: docker is installed but its daemon does not answer/,
        ],
        [
            "a cluster of that name exists",
            () => {
                box.fake("docker", "exit 0");
                fakeKind("other\nentra-wif-dev\n");
            },
            /^entra-wif: a kind cluster with this name already exists/,
        ],
    ])("fails early, before writing anything, when %s", (_what, setup, message) => {
        setup();
        const r = box.run(kindCreateScript(), env());
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr.trim()).toMatch(message);
        expect(fs.existsSync(keyDir)).toBe(false);
        expect(box.calls().some((c) => c.startsWith("kind create"))).toBe(false);
    });

    test("a rotation rewrites the mounted key files in place and restarts the control plane, bounded", () => {
        box.fake("docker", "exit 0");
        fakeKind("entra-wif-dev\n");
        fs.mkdirSync(keyDir, { recursive: true });
        fs.writeFileSync(path.join(keyDir, "sa.key"), "old", { mode: 0o600 });
        fs.writeFileSync(path.join(keyDir, "sa.pub"), "old", { mode: 0o644 });
        const inodes = ["sa.key", "sa.pub"].map((f) => fs.statSync(path.join(keyDir, f)).ino);
        const r = box.run(kindApplyKeysScript(), env());
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("");
        // Bind mounts follow the inode: the node sees the new keys only if the files are rewritten, not replaced.
        expect(["sa.key", "sa.pub"].map((f) => fs.statSync(path.join(keyDir, f)).ino)).toEqual(inodes);
        expect(fs.readFileSync(path.join(keyDir, "sa.key"), "utf8")).toBe(k8s.rsaPrivate());
        expect(fs.readFileSync(path.join(keyDir, "sa.pub"), "utf8")).toBe(k8s.rsaPublic() + k8s.ecdsaPublic());
        expect(mode(path.join(keyDir, "sa.key"))).toBe(0o600);
        const calls = box.calls();
        expect(calls.slice(0, 2)).toEqual(["docker info", "kind get clusters"]);
        // The in-node script spans lines in the log: read it whole.
        const log = calls.join("\n");
        expect(log).toMatch(
            joinedPattern(
                /docker exec entra-wif-dev-control-plane sh -c set -e\n/,
                /for c in kube-apiserver kube-controller-manager; do\n {2}mv \/etc\/kubernetes\/manifests\/\$c\.yaml /,
            ),
        );
        expect(log).toMatch(/\[ \$i -lt 60 \]/);
        expect(log).toMatch(/get --raw \/readyz/);
        expect(calls.some((c) => c.startsWith("kind create") || c.startsWith("kind delete"))).toBe(false);
    });

    test("keys the cluster was created with are left as they are: no file written, no restart", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        expect(box.run(kindCreateScript(), env()).code).toBe(0);
        fakeKind("entra-wif-dev\n");
        const before = ["sa.key", "sa.pub"].map((f) => fs.statSync(path.join(keyDir, f)).mtimeMs);
        const r = box.run(kindApplyKeysScript(), env());
        expect(r.code).toBe(0);
        expect(r.stdout).toBe("");
        expect(r.stderr.trim()).toBe("entra-wif: the cluster already signs with these keys");
        expect(["sa.key", "sa.pub"].map((f) => fs.statSync(path.join(keyDir, f)).mtimeMs)).toEqual(before);
        expect(box.calls().some((c) => c.startsWith("docker exec"))).toBe(false);
        // The old key dropped from sa.pub alone (the rotation's last step) is a change: written, and restarted.
        const dropped = box.run(kindApplyKeysScript(), { ...env(), [KIND_ENV.publicKeys]: k8s.rsaPublic() });
        expect(dropped.code).toBe(0);
        expect(fs.readFileSync(path.join(keyDir, "sa.pub"), "utf8")).toBe(k8s.rsaPublic());
        expect(box.calls().some((c) => c.startsWith("docker exec"))).toBe(true);
    });

    test("the cluster's own update only prints the kubeconfig: it writes no key and restarts nothing", () => {
        box.fake("docker", "exit 0");
        fakeKind("entra-wif-dev\n");
        const r = box.run(kindKubeconfigScript(), env());
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(kubeconfigText);
        expect(fs.existsSync(keyDir)).toBe(false);
        expect(box.calls().some((c) => c.startsWith("docker exec") || c.startsWith("kind create"))).toBe(false);
    });

    test.each([
        ["a key change", kindApplyKeysScript],
        ["the cluster's update", kindKubeconfigScript],
    ])("%s on a cluster that is gone says so instead of creating one", (_what, script) => {
        box.fake("docker", "exit 0");
        fakeKind("");
        const r = box.run(script(), env());
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toBe("entra-wif: the stack's kind cluster is gone; run pulumi refresh, then pulumi up to create it again");
    });

    test("delete removes the cluster and the key folder", () => {
        box.fake("docker", "exit 0");
        fakeKind();
        expect(box.run(kindCreateScript(), env()).code).toBe(0);
        const r = box.run(kindDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(box.calls()).toContain("kind delete cluster --name entra-wif-dev");
        expect(fs.existsSync(keyDir)).toBe(false);
    });

    test("delete without kind still removes the keys and says what is left, without failing the destroy", () => {
        fs.mkdirSync(keyDir, { recursive: true });
        fs.writeFileSync(path.join(keyDir, "sa.key"), "x");
        const r = box.run(kindDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(
            joinedPattern(
                /kind is not on the PATH of this machine; /,
                /the kind cluster entra-wif-dev \(a Docker container\) and its kubeconfig context kind-entra-wif-dev /,
                /stay on the machine that created them, /,
                /with the key folder ~\/\.entra-wif\/entra-wif-dev; /,
                /there run: kind delete cluster --name entra-wif-dev && rm -rf ~\/\.entra-wif\/entra-wif-dev/,
            ),
        );
        expect(fs.existsSync(keyDir)).toBe(false);
    });

    test("a kind delete that never finishes is stopped after a bounded wait, and the destroy goes on", () => {
        box.fake("kind", `[ "$1" = delete ] && exec /bin/sleep 600`);
        // One tick of the wait loop a call: the bound is counted, not waited for (a function, not 300 processes).
        box.fakeFunction("sleep", "return 0");
        const started = Date.now();
        const r = box.run(kindDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(Date.now() - started).toBeLessThan(15000);
        expect(r.stderr).toContain(`entra-wif: kind delete cluster did not finish in ${KIND_DELETE_WAIT_SECONDS} s`);
        expect(box.calls().filter((c) => c === "sleep 1")).toHaveLength(KIND_DELETE_WAIT_SECONDS);
    });
});

describe("the nightly destroy of a kind stack runs on a CI runner, not on the laptop with the cluster", () => {
    const cases: Array<[string, (b: Sandbox) => void]> = [
        ["without kind or docker", () => undefined],
        [
            "with kind, but no such cluster there (kind answers a missing cluster with success)",
            (b) => b.fake("kind", `[ "$1" = delete ] && echo "Deleting cluster $3 ..." >&2; exit 0`),
        ],
        [
            "with kind and a Docker daemon that is not running",
            (b) => b.fake("kind", `echo "ERROR: failed to delete cluster: failed to list nodes" >&2; exit 1`),
        ],
    ];
    // Each case in a sandbox of its own, the three run side by side: the script polls kind once a second.
    const boxes: Sandbox[] = [];
    const runs = new Map<string, { code: number | null; stdout: string; ms: number }>();
    beforeAll(async () => {
        await Promise.all(
            cases.map(async ([what, setup]) => {
                const box = sandbox();
                boxes.push(box);
                setup(box);
                const runnerHome = path.join(box.root, "home", "runner");
                fs.mkdirSync(runnerHome, { recursive: true });
                const started = Date.now();
                const r = await box.runAsync(kindDeleteScript(), { [KIND_ENV.clusterName]: "entra-wif-dev", [KIND_ENV.keyDir]: KEY_DIR, HOME: runnerHome });
                runs.set(what, { ...r, ms: Date.now() - started });
            }),
        );
    });
    afterAll(() => boxes.forEach((b) => b.cleanup()));

    test.each(cases)("%s: the delete script ends at once with exit 0, so the Azure side is destroyed", (what) => {
        const r = runs.get(what)!;
        expect(r.code).toBe(0);
        expect(r.ms).toBeLessThan(5000);
        expect(r.stdout).toBe("");
    });
});
