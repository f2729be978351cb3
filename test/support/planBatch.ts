/**
 * Many offline plans in one Node process: the CLI's own `runPlan` for each argument list, the SDK loaded once and the
 * program's modules loaded fresh for each (as a new process would), each with fresh mocks. What a separate process
 * per plan would report — exit code, stdout, stderr — plus what the program registered, in a fraction of the time.
 * `planBatch` runs it from a test; the process itself reads the argument lists as JSON on stdin.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { PassThrough } from "node:stream";

export interface BatchResult {
    argv: string[];
    code: number;
    stdout: string;
    stderr: string;
    /** type::name of every resource the program registered. */
    registered: string[];
}

const ROOT = path.resolve(__dirname, "..", "..");

export function planBatch(argvs: string[][], timeoutMs = 120000): Promise<BatchResult[]> {
    return new Promise((resolve, reject) => {
        const child = execFile(process.execPath, ["-r", "ts-node/register/transpile-only", __filename], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PLAN_DEBUG: "" } }, (err, stdout, stderr) => {
            if (err) reject(new Error(`the plan batch failed: ${err.message}\n${stderr}`));
            else resolve(JSON.parse(stdout) as BatchResult[]);
        });
        child.stdin!.end(JSON.stringify(argvs));
    });
}

async function main(): Promise<void> {
    // Imported here, not at the top: the test that calls planBatch must not load the SDK itself.
    const { runPlan } = await import("../../tools/offline/plan");
    const { AzureMocks } = await import("../../tools/offline/mocks");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const argvs = JSON.parse(Buffer.concat(chunks).toString("utf8")) as string[][];
    const results: BatchResult[] = [];
    for (const argv of argvs) {
        const out = new PassThrough();
        const err = new PassThrough();
        let stdout = "";
        let stderr = "";
        out.on("data", (c) => (stdout += c));
        err.on("data", (c) => (stderr += c));
        const mocks = new AzureMocks({ prefetchKey: true });
        const load = (program: string) => {
            for (const key of Object.keys(require.cache)) if (key.startsWith(ROOT + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`) && !key.includes(`${path.sep}tools${path.sep}`)) delete require.cache[key];
            return require(program) as Record<string, unknown>;
        };
        const code = await runPlan(argv, out, err, { load, mocks });
        results.push({ argv, code, stdout, stderr, registered: [...mocks.registered] });
    }
    process.stdout.write(JSON.stringify(results), () => process.exit(0));
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    });
}
