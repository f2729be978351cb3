/** Processes the tests start and wait for without blocking the jest worker, so that several can run side by side. */
import { execFile } from "node:child_process";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface ProcessResult {
    /** The exit code; null when the process was killed (its timeout, a signal). */
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `file` with `args` to its end, bounded by `timeoutMs`, in exactly the environment given. */
export function runProcess(file: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ProcessResult> {
    return new Promise((resolve) => {
        execFile(
            file,
            args,
            { cwd: options.cwd, env: options.env, encoding: "utf8", timeout: options.timeoutMs ?? 60000, maxBuffer: 64 * 1024 * 1024 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
        );
    });
}

/**
 * One of the repository's TypeScript tools (tools/doctor.ts, tools/offline/plan.ts) in a Node process of its own, as
 * a user runs it from the repository root: this process's environment plus `env`.
 */
export function runTool(tool: string, args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
    return runProcess(process.execPath, ["-r", "ts-node/register/transpile-only", tool, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
}
