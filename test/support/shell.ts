/**
 * Runs the program's shell scripts for real, with stand-in binaries: a temp folder holding symlinks to the few
 * system tools the scripts use and small fakes (POSIX sh scripts) for docker, kind or pulumi, and nothing else on
 * PATH — so a test controls exactly which tools "exist", whatever the machine has installed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "./processes";

const SYSTEM_TOOLS = ["bash", "sh", "sleep", "mkdir", "chmod", "grep", "rm", "cat", "env", "tr", "sed"];

function which(tool: string): string {
    for (const dir of ["/usr/bin", "/bin", "/usr/local/bin"]) {
        const p = path.join(dir, tool);
        if (fs.existsSync(p)) return p;
    }
    throw new Error(`${tool} not found in /usr/bin or /bin`);
}

export interface Sandbox {
    root: string;
    bin: string;
    /** Adds a fake tool: a POSIX sh script that logs its arguments to <root>/calls.log and then runs `body`. */
    fake(tool: string, body: string): void;
    /**
     * The same as a bash function the scripts inherit (BASH_FUNC_<tool>%%): for a tool a script calls in a loop
     * hundreds of times, where a process a call would be most of the test's time. It logs its calls the same way.
     */
    fakeFunction(tool: string, body: string): void;
    calls(): string[];
    run(script: string, env: Record<string, string>): { code: number | null; stdout: string; stderr: string };
    /** The same, without blocking: tests whose scripts wait can run side by side. */
    runAsync(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
    cleanup(): void;
}

/** How long a script may run in the sandbox. */
const SCRIPT_TIMEOUT_MS = 20000;

export function sandbox(): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-sh-"));
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    for (const tool of SYSTEM_TOOLS) fs.symlinkSync(which(tool), path.join(bin, tool));
    const log = path.join(root, "calls.log");
    const functions: Record<string, string> = {};
    /** What a script sees: the sandbox's PATH and HOME, the fake functions, and what the test adds. */
    const scriptEnv = (env: Record<string, string>) => ({ PATH: bin, HOME: root, ...functions, ...env });
    return {
        root,
        bin,
        fake(tool, body) {
            const file = path.join(bin, tool);
            // Never write through a symlink to a system tool: replace the link itself.
            fs.rmSync(file, { force: true });
            // POSIX sh (dash on Debian): a fake starts several times faster than under bash, which matters where a
            // script calls one in a loop (kind delete's bounded wait calls sleep 300 times).
            fs.writeFileSync(file, `#!${which("sh")}\nprintf '%s\\n' "${tool} $*" >> '${log}'\n${body}\n`, { mode: 0o755 });
        },
        fakeFunction(tool, body) {
            functions[`BASH_FUNC_${tool}%%`] = `() { printf '%s\\n' "${tool} $*" >> '${log}'; ${body}\n}`;
        },
        calls() {
            return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
        },
        run(script, env) {
            const r = spawnSync(which("bash"), ["-c", script], { env: scriptEnv(env), encoding: "utf8", timeout: SCRIPT_TIMEOUT_MS });
            return { code: r.status, stdout: r.stdout, stderr: r.stderr };
        },
        runAsync(script, env) {
            return runProcess(which("bash"), ["-c", script], { env: scriptEnv(env), timeoutMs: SCRIPT_TIMEOUT_MS });
        },
        cleanup() {
            fs.rmSync(root, { recursive: true, force: true });
        },
    };
}

/** The permission bits of a file, e.g. 0o600. */
export const mode = (file: string) => fs.statSync(file).mode & 0o777;
