/**
 * Builds Go programs from the Go module proxy by exact version, for the deeper test suites: each from a wrapper module
 * (a folder with go.mod and go.sum pinning every module) into bin/<suite>/<component>-<version>/ (git-ignored), rebuilt
 * only when the wrapper, its pins or the Go toolchain change. Go's module and build caches are Go's own, so a second
 * build on the same machine takes seconds. tools/cluster/build.ts (test:cluster) and tools/engine/build.ts
 * (test:engine) each list their components.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** A thing to build: its wrapper module, the module whose version names it, and the packages that become binaries. */
export interface GoComponent {
    name: string;
    /** Folder under the suite's wrappers folder. */
    wrapper: string;
    /** The module required by the wrapper whose version is the component's version. */
    module: string;
    /** Packages to build; each becomes a binary named after its last path element ("." after the component). */
    packages: string[];
    /** -X assignments for the linker, given the version (what the component's own release build stamps). */
    stamps?: (version: string) => string[];
    /** The binary's name for the wrapper's own package ("."): the component's name unless given. */
    mainBinary?: string;
}

/** A suite's components and where they live. */
export interface GoSuite {
    components: readonly GoComponent[];
    /** The folder holding one wrapper module per component. */
    wrappers: string;
    /** Where the binaries go: <bin>/<component>-<version>/. */
    bin: string;
    /** What to say when `go` is missing: what the suite needs Go for. */
    needsGo: string;
    /** Pins that must agree before anything is built (empty when they do). */
    versionProblems?: (goMods: Record<string, string>) => string[];
}

/** `go` is not on the PATH: the suite cannot be built (the tools exit 2 on it). */
export class ToolchainMissing extends Error {}

/** The version of `module` a go.mod requires (directly or as an indirect requirement). */
export function requiredVersion(goMod: string, module: string): string {
    const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s]+)`, "m").exec(goMod);
    if (!m) throw new Error(`go.mod does not require ${module}`);
    return m[1];
}

export function readWrapper(suite: GoSuite, c: GoComponent): { dir: string; goMod: string; version: string } {
    const dir = path.join(suite.wrappers, c.wrapper);
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

export function goEnv(): NodeJS.ProcessEnv {
    // The pinned go.mod and go.sum decide; never a newer toolchain fetched behind the user's back.
    return { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
}

function goVersion(needsGo: string): string {
    const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env: goEnv() });
    if (r.error || r.status !== 0) throw new ToolchainMissing(`${needsGo}; \`go\` is not on PATH`);
    return r.stdout.trim();
}

/** Where a component's binaries are. */
export function componentDir(suite: GoSuite, c: GoComponent): string {
    return path.join(suite.bin, `${c.name}-${readWrapper(suite, c).version}`);
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
export function buildSuite(suite: GoSuite, log: (line: string) => void = () => undefined): BuildResult[] {
    const goMods = Object.fromEntries(suite.components.map((c) => [c.wrapper, readWrapper(suite, c).goMod]));
    const problems = suite.versionProblems?.(goMods) ?? [];
    const where = path.relative(REPO_ROOT, suite.wrappers);
    if (problems.length) throw new Error(`${where}: versions disagree:\n  ${problems.join("\n  ")}`);
    const go = goVersion(suite.needsGo);
    return suite.components.map((c) => {
        const { dir, version } = readWrapper(suite, c);
        const out = componentDir(suite, c);
        const binaries = c.packages.map((p) => path.join(out, p === "." ? (c.mainBinary ?? c.name) : path.basename(p)));
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
                if (r.status !== 0) throw new Error(`go build ${pkg} (${where}/${c.wrapper}) failed:\n${r.stderr || r.error?.message}`);
            }
            fs.writeFileSync(stamp, want);
        }
        const seconds = (Date.now() - started) / 1000;
        log(`${c.name} ${version}: ${current ? "current" : `built in ${seconds.toFixed(1)} s`} — ${path.relative(REPO_ROOT, out)}/`);
        return { component: c.name, version, dir: out, binaries, seconds, built: !current };
    });
}

/** The entry of a build tool: builds, printing each line; exit 2 without Go, 1 when a build fails. */
export function runBuild(build: (log: (line: string) => void) => unknown): void {
    try {
        build((line) => process.stdout.write(`${line}\n`));
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(err instanceof ToolchainMissing ? 2 : 1);
    }
}
