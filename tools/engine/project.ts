/**
 * This program run by the real Pulumi engine, in a throwaway folder: a copy of the project file whose backend is a
 * file backend in the folder and whose `plugins.providers` names the stand-in providers, beside links to the
 * program's own files (index.ts, components, lib, provider, tools, node_modules, tsconfig.json, package.json). The user's
 * Pulumi.yaml, stacks and state are never touched; HOME and PULUMI_HOME are the folder's, so the kind scripts' key
 * folder and the CLI's plugin cache are too. Every command is bounded in time and stopped by PID.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "../goBuild";
import { writeStandInPlugins } from "./standins/plugins";

/** What the throwaway project links from the repository: the program and what it loads at run time. */
export const PROGRAM_FILES = ["index.ts", "components", "lib", "provider", "tools", "node_modules", "tsconfig.json", "package.json"] as const;

/**
 * The program files of `commit`, from this repository's history, in a temporary folder with this checkout's installed
 * packages: an earlier version to deploy (the upgrade tests) or to time (the bench's "before"). The caller removes it.
 */
export function programAt(commit: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-old-program-"));
    const files = [...PROGRAM_FILES.filter((f) => f !== "node_modules"), "Pulumi.yaml"];
    const present = files.filter((f) => {
        try {
            execFileSync("git", ["cat-file", "-e", `${commit}:${f}`], { cwd: REPO_ROOT, stdio: "ignore" });
            return true;
        } catch {
            return false;
        }
    });
    const archive = execFileSync("git", ["archive", "--format=tar", commit, ...present], { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** A passphrase for the throwaway stacks' secrets: they hold test keys only, in a folder removed afterwards. */
export const THROWAWAY_PASSPHRASE = "entra-wif throwaway stack (tests only)";

export interface PulumiResult {
    code: number | null;
    stdout: string;
    stderr: string;
    seconds: number;
}

export interface EngineEvent {
    sequence: number;
    timestamp: number;
    /** preludeEvent, resourcePreEvent, resOutputsEvent, resOpFailedEvent, diagnosticEvent, summaryEvent, … */
    kind: string;
    /** For resource events: the step (create, update, delete, replace, create-replacement, delete-replaced, same, refresh, read, …). */
    op?: string;
    urn?: string;
    type?: string;
    raw: Record<string, unknown>;
}

export interface EngineProjectOptions {
    /** The folders holding pulumi and pulumi-language-nodejs (tools/engine/build.ts enginePath). */
    enginePath: string[];
    /** Extra folders first on PATH: stand-in tools (kind, docker, az). */
    toolPath?: string[];
    /** Environment the engine, the program and the providers see besides the project's own. */
    env?: Record<string, string>;
    /** Bound on one pulumi command (default 5 minutes). */
    timeoutMs?: number;
    /** The program to run (default: this checkout); `useProgram` switches it later. */
    programRoot?: string;
}

/**
 * Process groups and PIDs to stop if this process ends before their owner stops them: a `pulumi` command (with the
 * plugins it started, in its own process group), Azurite, the endpoints in front of it. A tool stopped by a signal
 * (a CI timeout, Ctrl-C) stops them too, by PID, instead of leaving them running.
 */
const running = new Set<number>();
let handlersInstalled = false;
export function stopOnExit(pid: number): () => void {
    if (!handlersInstalled) {
        handlersInstalled = true;
        const stopAll = () => {
            for (const p of running) {
                for (const target of [-p, p]) {
                    try {
                        process.kill(target, "SIGKILL");
                    } catch {
                        // already gone
                    }
                }
            }
            running.clear();
        };
        process.once("exit", stopAll);
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
            process.once(signal, () => {
                stopAll();
                process.exit(signal === "SIGINT" ? 130 : 143);
            });
        }
    }
    running.add(pid);
    return () => running.delete(pid);
}

export class EngineProject {
    readonly root: string;
    readonly dir: string;
    readonly home: string;
    readonly standInState: string;
    readonly callLog: string;
    private readonly env: NodeJS.ProcessEnv;
    private readonly standIns: Array<{ name: string; path: string }>;
    private readonly timeoutMs: number;
    private events = 0;

    constructor(opts: EngineProjectOptions) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-engine-"));
        this.dir = path.join(this.root, "project");
        this.home = path.join(this.root, "home");
        this.standInState = path.join(this.root, "standins");
        this.callLog = path.join(this.root, "provider-calls.jsonl");
        for (const d of [this.dir, this.home, this.standInState, path.join(this.root, "state")]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
        this.standIns = writeStandInPlugins(path.join(this.root, "plugins"));
        this.useProgram(opts.programRoot ?? REPO_ROOT);
        this.timeoutMs = opts.timeoutMs ?? 5 * 60 * 1000;
        this.env = {
            // The dynamic-provider plugin (pulumi-resource-pulumi-nodejs) ships inside @pulumi/pulumi.
            PATH: [
                ...(opts.toolPath ?? []),
                ...opts.enginePath,
                path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"),
                path.dirname(process.execPath),
                "/usr/local/bin",
                "/usr/bin",
                "/bin",
            ].join(":"),
            HOME: this.home,
            PULUMI_HOME: path.join(this.root, "pulumi-home"),
            PULUMI_CONFIG_PASSPHRASE: THROWAWAY_PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // --event-log is accepted only with debug commands on (pulumi/pulumi pkg/cmd/pulumi: hidden flag).
            PULUMI_DEBUG_COMMANDS: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            ENTRA_WIF_STANDIN_STATE: this.standInState,
            ENTRA_WIF_STANDIN_LOG: this.callLog,
            TMPDIR: os.tmpdir(),
            LANG: "C.UTF-8",
            ...opts.env,
        };
    }

    /**
     * Runs the program found at `programRoot` from now on: its files linked into the project, and a copy of its
     * Pulumi.yaml with this project's file backend and plugins — the program's own plugin as its Pulumi.yaml names it
     * (it runs for real), and the stand-ins for the rest. The state and the stacks stay: an older checkout's program,
     * then this one, is an upgrade as a user makes it.
     */
    useProgram(programRoot: string): void {
        for (const f of PROGRAM_FILES) {
            const link = path.join(this.dir, f);
            fs.rmSync(link, { force: true });
            if (fs.existsSync(path.join(programRoot, f))) fs.symlinkSync(path.join(programRoot, f), link);
        }
        const project = parse(fs.readFileSync(path.join(programRoot, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        project.backend = { url: `file://${path.join(this.root, "state")}` };
        const own = ((project.plugins as { providers?: Array<{ name: string; path: string }> } | undefined)?.providers ?? []).map((p) => ({
            ...p,
            path: path.resolve(programRoot, p.path),
        }));
        project.plugins = { providers: [...own, ...this.standIns] };
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), stringify(project));
    }

    /** Writes Pulumi.<stack>.yaml in the throwaway project. */
    writeStack(stack: string, config: Record<string, unknown>): void {
        fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), stringify({ config }));
    }

    /** Runs `pulumi <args>` in the project, bounded; the child and anything it started are stopped by PID on time-out. */
    pulumi(args: string[], extraEnv: Record<string, string> = {}): Promise<PulumiResult> {
        const started = Date.now();
        return new Promise((resolve) => {
            const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], {
                cwd: this.dir,
                env: { ...this.env, ...extraEnv },
                stdio: ["ignore", "pipe", "pipe"],
                detached: true,
            });
            let stdout = "";
            let stderr = "";
            const forget = child.pid !== undefined ? stopOnExit(child.pid) : () => undefined;
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            const timer = setTimeout(() => {
                stderr += `\n(stopped after ${this.timeoutMs} ms)`;
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // already gone
                }
            }, this.timeoutMs);
            child.on("error", (err) => {
                clearTimeout(timer);
                forget();
                resolve({ code: null, stdout, stderr: `${stderr}${err.message}`, seconds: (Date.now() - started) / 1000 });
            });
            child.on("close", (code) => {
                clearTimeout(timer);
                forget();
                resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
            });
        });
    }

    /** A fresh event log file for the next command: `--event-log <file>`. */
    eventLogFile(): string {
        return path.join(this.root, `events-${++this.events}.jsonl`);
    }

    /** The state file of a stack, as the file backend keeps it. */
    stateFile(stack: string): string {
        const base = path.join(this.root, "state", ".pulumi", "stacks");
        const project = parse(fs.readFileSync(path.join(this.dir, "Pulumi.yaml"), "utf8")).name as string;
        const candidates = [path.join(base, project, `${stack}.json`), path.join(base, `${stack}.json`)];
        const found = candidates.find((f) => fs.existsSync(f));
        if (!found) throw new Error(`no state for stack ${stack} under ${base}`);
        return found;
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** The engine's events from an event log (`--event-log`), in sequence order. */
export function readEvents(file: string): EngineEvent[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .map((raw) => {
            const kind = Object.keys(raw).find((k) => k.endsWith("Event")) ?? "unknown";
            const body = (raw[kind] ?? {}) as { metadata?: { op?: string; urn?: string; type?: string } };
            return {
                sequence: Number(raw.sequence ?? 0),
                timestamp: Number(raw.timestamp ?? 0),
                kind,
                op: body.metadata?.op,
                urn: body.metadata?.urn,
                type: body.metadata?.type,
                raw,
            };
        })
        .sort((a, b) => a.sequence - b.sequence);
}
