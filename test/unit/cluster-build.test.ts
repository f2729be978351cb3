/**
 * The pins test:cluster builds from (tools/cluster/go/*): checked here, with Node alone, so a change that lets them
 * drift apart fails `npm test` before anyone builds anything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../lib/config";
import { CLUSTER_COMPONENTS, requiredVersion, versionProblems } from "../../tools/cluster/build";
import { runTool } from "../support/processes";

const GO = path.resolve(__dirname, "../../tools/cluster/go");
const goMod = (wrapper: string) => fs.readFileSync(path.join(GO, wrapper, "go.mod"), "utf8");
const goMods = () => Object.fromEntries(CLUSTER_COMPONENTS.map((c) => [c.wrapper, goMod(c.wrapper)]));

test("the wrappers pin Kubernetes v1.36.5, etcd v3.6.16 and the webhook at the chart's version", () => {
    expect(requiredVersion(goMod("kubernetes"), "k8s.io/kubernetes")).toBe("v1.36.5");
    expect(requiredVersion(goMod("etcd"), "go.etcd.io/etcd/server/v3")).toBe("v3.6.16");
    expect(requiredVersion(goMod("webhook"), "github.com/Azure/azure-workload-identity")).toBe(`v${DEFAULTS.webhook.version}`);
    expect(versionProblems(goMods())).toEqual([]);
});

test("every staging module k8s.io/kubernetes replaces with a folder is mapped to its published release", () => {
    const replaced = [...goMod("kubernetes").matchAll(/^\t(k8s\.io\/[\w-]+) => k8s\.io\/[\w-]+ v0\.36\.5$/gm)].map((m) => m[1]);
    // k8s.io/kubernetes v1.36.5's go.mod lists 33 such replacements; sample-cli-plugin and sample-controller are required
    // by nothing and the proxy does not serve them at v0.36.5 (403), so the wrapper leaves them out.
    expect(replaced).toHaveLength(31);
    expect(replaced).toEqual(expect.arrayContaining(["k8s.io/api", "k8s.io/apiserver", "k8s.io/client-go", "k8s.io/kubectl", "k8s.io/streaming"]));
    expect(replaced).not.toContain("k8s.io/sample-cli-plugin");
    expect(replaced).not.toContain("k8s.io/sample-controller");
});

test("a staging module at another release, or a webhook other than the chart's, is named before anything is built", () => {
    const mods = goMods();
    mods.kubernetes = mods.kubernetes.replace("k8s.io/client-go => k8s.io/client-go v0.36.5", "k8s.io/client-go => k8s.io/client-go v0.34.4");
    mods.webhook = mods.webhook.replace(/github\.com\/Azure\/azure-workload-identity v[\d.]+/, "github.com/Azure/azure-workload-identity v1.5.1");
    expect(versionProblems(mods)).toEqual([
        "kubernetes: k8s.io/client-go is replaced by k8s.io/client-go v0.34.4, expected k8s.io/client-go v0.36.5 (the release of v1.36.5)",
        `webhook: the wrapper builds v1.5.1, the program installs chart ${DEFAULTS.webhook.version}`,
    ]);
});

test("the webhook's logging library stands in from the repository, the one module the proxy refuses", () => {
    expect(goMod("webhook")).toMatch(/^replace monis\.app\/mlog => \.\/mlog$/m);
    expect(fs.readFileSync(path.join(GO, "webhook", "mlog", "go.mod"), "utf8")).toMatch(/^module monis\.app\/mlog$/m);
    // Every other module is pinned with its checksum.
    for (const c of CLUSTER_COMPONENTS) expect(fs.existsSync(path.join(GO, c.wrapper, "go.sum"))).toBe(true);
});

test(".ci/run runs the README's test command, then test:cluster", () => {
    const ci = fs.readFileSync(path.resolve(__dirname, "../../.ci/run"), "utf8");
    expect(ci).toMatch(/npm ci && npm test\n[\s\S]*npm run test:cluster\n/);
});

test("without Go on the PATH, cluster:build says what test:cluster needs and exits 2, building nothing", async () => {
    const r = await runTool("tools/cluster/build.ts", [], { PATH: "/nonexistent" });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
        "npm run test:cluster builds etcd, kube-apiserver and the webhook with Go (1.26.4 or later) from the Go module proxy; `go` is not on PATH\n",
    );
});
