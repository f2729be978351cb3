/**
 * Builds what `npm run test:cluster` runs, from the Go module proxy by exact version: etcd, kube-apiserver and kubectl,
 * and the azure-workload-identity webhook. Each comes from a wrapper module under tools/cluster/go/ whose go.mod and
 * go.sum pin every module; the binaries go to bin/cluster/<component>-v<version>/ (git-ignored) and are rebuilt only
 * when the wrapper, its pins or the Go toolchain change. Go's module and build caches are Go's own, so a second build
 * on the same machine takes seconds.
 *
 *   npm run --silent cluster:build      (prints where each binary is and how long it took)
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../lib/config/types";
import { Flag, formatHelp, INFO_FLAGS, runWithoutArguments } from "../cli";

const ROOT = path.resolve(__dirname, "../..");
const WRAPPERS = path.join(__dirname, "go");
export const CLUSTER_BIN = path.join(ROOT, "bin", "cluster");

/** A thing to build: its wrapper module, the module whose version names it, and the packages that become binaries. */
export interface ClusterComponent {
    name: string;
    /** Folder under tools/cluster/go/. */
    wrapper: string;
    /** The module required by the wrapper whose version is the component's version. */
    module: string;
    /** Packages to build; each becomes a binary named after its last path element. */
    packages: string[];
    /** -X assignments for the linker, given the version (what `make` in the component's repository stamps). */
    stamps?: (version: string) => string[];
}

export const CLUSTER_COMPONENTS: readonly ClusterComponent[] = [
    { name: "etcd", wrapper: "etcd", module: "go.etcd.io/etcd/server/v3", packages: ["."] },
    {
        name: "kubernetes",
        wrapper: "kubernetes",
        module: "k8s.io/kubernetes",
        packages: ["k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kubectl"],
        // As hack/lib/version.sh stamps a release: /version answers v1.36.5, not v0.0.0-master.
        stamps: (v) => {
            const [major, minor] = v.replace(/^v/, "").split(".");
            return [`gitVersion=${v}`, `gitMajor=${major}`, `gitMinor=${minor}`, "gitTreeState=clean"].map((s) => `k8s.io/component-base/version.${s}`);
        },
    },
    { name: "azure-workload-identity", wrapper: "webhook", module: "github.com/Azure/azure-workload-identity", packages: ["."] },
];

/** The version of `module` the wrapper's go.mod requires. */
export function requiredVersion(goMod: string, module: string): string {
    const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s]+)`, "m").exec(goMod);
    if (!m) throw new Error(`go.mod does not require ${module}`);
    return m[1];
}

/**
 * What must agree before anything is built: every staging module maps to the published version of the same
 * Kubernetes release (k8s.io/X v0.36.5 for v1.36.5), and the webhook is the chart's version the program installs.
 */
export function versionProblems(goMods: Record<string, string>): string[] {
    const problems: string[] = [];
    const kube = requiredVersion(goMods.kubernetes, "k8s.io/kubernetes");
    const staging = kube.replace(/^v1\./, "v0.");
    for (const [, from, to] of goMods.kubernetes.matchAll(/^\s*(k8s\.io\/[\w-]+) => (\S+ \S+)$/gm)) {
        if (to !== `${from} ${staging}`) problems.push(`kubernetes: ${from} is replaced by ${to}, expected ${from} ${staging} (the release of ${kube})`);
    }
    const webhook = requiredVersion(goMods.webhook, "github.com/Azure/azure-workload-identity");
    if (webhook !== `v${DEFAULTS.webhook.version}`) {
        problems.push(`webhook: the wrapper builds ${webhook}, the program installs chart ${DEFAULTS.webhook.version}`);
    }
    return problems;
}

function readWrapper(c: ClusterComponent): { dir: string; goMod: string; version: string } {
    const dir = path.join(WRAPPERS, c.wrapper);
    const goMod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
    return { dir, goMod, version: requiredVersion(goMod, c.module) };
}

/** Every file of a wrapper that decides what is built, in a stable order. */
function wrapperFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /(^|\/)(go\.mod|go\.sum|[^/]+\.go)$/.test(f))
        .sort();
}

function goVersion(): string {
    const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env: goEnv() });
    if (r.error || r.status !== 0) {
        throw new ToolchainMissing(
            "npm run test:cluster builds etcd, kube-apiserver and the webhook with Go (1.26.4 or later) from the Go module proxy; `go` is not on PATH",
        );
    }
    return r.stdout.trim();
}

export class ToolchainMissing extends Error {}

function goEnv(): NodeJS.ProcessEnv {
    // The pinned go.mod and go.sum decide; never a newer toolchain fetched behind the user's back.
    return { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
}

/** Where a component's binaries are, and whether they are current. */
export function componentDir(c: ClusterComponent): string {
    return path.join(CLUSTER_BIN, `${c.name}-${readWrapper(c).version}`);
}

function fingerprint(dir: string, go: string): string {
    const hash = crypto.createHash("sha256").update(go);
    for (const f of wrapperFiles(dir)) hash.update(`\0${f}\0`).update(fs.readFileSync(path.join(dir, f)));
    return hash.digest("hex");
}

export interface BuildResult {
    component: string;
    version: string;
    dir: string;
    binaries: string[];
    seconds: number;
    built: boolean;
}

/** Builds whatever is missing or stale; returns each component's binaries. Throws with Go's output on failure. */
export function buildCluster(log: (line: string) => void = () => undefined): BuildResult[] {
    const goMods = Object.fromEntries(CLUSTER_COMPONENTS.map((c) => [c.wrapper, readWrapper(c).goMod]));
    const problems = versionProblems(goMods);
    if (problems.length) throw new Error(`tools/cluster/go: versions disagree:\n  ${problems.join("\n  ")}`);
    const go = goVersion();
    return CLUSTER_COMPONENTS.map((c) => {
        const { dir, version } = readWrapper(c);
        const out = componentDir(c);
        const binaries = c.packages.map((p) => path.join(out, p === "." ? binaryName(c) : path.basename(p)));
        const stamp = path.join(out, ".fingerprint");
        const want = fingerprint(dir, go);
        const current = fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === want && binaries.every((b) => fs.existsSync(b));
        const started = Date.now();
        if (!current) {
            log(`building ${c.name} ${version} with ${go} …`);
            fs.rmSync(out, { recursive: true, force: true });
            fs.mkdirSync(out, { recursive: true });
            const ldflags = ["-s", "-w", ...(c.stamps?.(version) ?? []).map((s) => `-X ${s}`)].join(" ");
            for (const [pkg, binary] of c.packages.map((p, i) => [p, binaries[i]] as const)) {
                const r = spawnSync("go", ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", binary, pkg], {
                    cwd: dir,
                    encoding: "utf8",
                    env: goEnv(),
                    maxBuffer: 64 * 1024 * 1024,
                });
                if (r.status !== 0) throw new Error(`go build ${pkg} (tools/cluster/go/${c.wrapper}) failed:\n${r.stderr || r.error?.message}`);
            }
            fs.writeFileSync(stamp, want);
        }
        const seconds = (Date.now() - started) / 1000;
        log(`${c.name} ${version}: ${current ? "current" : `built in ${seconds.toFixed(1)} s`} — ${path.relative(ROOT, out)}/`);
        return { component: c.name, version, dir: out, binaries, seconds, built: !current };
    });
}

function binaryName(c: ClusterComponent): string {
    return c.name === "azure-workload-identity" ? "webhook" : c.name;
}

/** The binaries test:cluster runs, by name (etcd, kube-apiserver, kubectl, webhook), built if need be. */
export function clusterBinaries(log?: (line: string) => void): Record<string, string> {
    return Object.fromEntries(buildCluster(log).flatMap((r) => r.binaries.map((b) => [path.basename(b), b])));
}

const BUILD_USAGE = "usage: npm run --silent cluster:build [-- --help | --version]";

export const BUILD_FLAGS: readonly Flag[] = [...INFO_FLAGS];

export function buildHelpText(): string {
    return formatHelp(
        [
            "Builds etcd, kube-apiserver, kubectl and the azure-workload-identity webhook from the Go module proxy at the",
            "versions pinned in tools/cluster/go/*/go.mod, into bin/cluster/<component>-v<version>/, for npm run test:cluster.",
        ],
        BUILD_USAGE,
        BUILD_FLAGS,
        ["exit: 0 built or current, 1 a build failed, 2 bad arguments or no Go toolchain"],
    );
}

if (require.main === module) {
    runWithoutArguments(process.argv.slice(2), buildHelpText, BUILD_USAGE, () => {
        try {
            buildCluster((line) => process.stdout.write(`${line}\n`));
        } catch (err) {
            process.stderr.write(`${(err as Error).message}\n`);
            process.exit(err instanceof ToolchainMissing ? 2 : 1);
        }
    });
}
