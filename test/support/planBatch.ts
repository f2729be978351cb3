/**
 * Many offline plans in one Node process: the CLI's own `runPlan` for each argument list, the SDK loaded once and the
 * program's modules loaded fresh for each (as a new process would), each with fresh mocks. What a separate process
 * per plan would report — exit code, stdout, stderr — plus what the program registered, in a fraction of the time.
 * `planBatch` runs it from a test; the process itself reads the argument lists as JSON on stdin.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { capturedStreams } from "../../lib/capture";

export interface BatchResult {
    argv: string[];
    code: number;
    stdout: string;
    stderr: string;
    /** type::name of every resource the program registered. */
    registered: string[];
}

const ROOT = path.resolve(__dirname, "..", "..");

export interface BatchOptions {
    /** Sign with the fixed test keys of test/fixtures/keys instead of fresh ones: plans comparable byte for byte. */
    fixedKeys?: boolean;
    /** The working folder and extra environment of the batch process (another checkout, another HOME). */
    cwd?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
}

export function planBatch(argvs: string[][], options: BatchOptions = {}): Promise<BatchResult[]> {
    return new Promise((resolve, reject) => {
        const env = { ...process.env, PLAN_DEBUG: "", ...(options.env ?? {}), ...(options.fixedKeys ? { ENTRA_WIF_BATCH_FIXED_KEYS: "1" } : {}) };
        const child = execFile(
            process.execPath,
            ["-r", require.resolve("ts-node/register/transpile-only"), __filename],
            { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 120000, maxBuffer: 256 * 1024 * 1024, env },
            (err, stdout, stderr) => {
                if (err) reject(new Error(`the plan batch failed: ${err.message}\n${stderr}`));
                else resolve(JSON.parse(stdout) as BatchResult[]);
            },
        );
        child.stdin!.end(JSON.stringify(argvs));
    });
}

/** The fixed test keys by tls.PrivateKey resource name (test/fixtures/keys/<name>.TESTONLY.pem). */
export function fixedTestKeys(): Record<string, string> {
    const dir = path.join(ROOT, "test", "fixtures", "keys");
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".TESTONLY.pem"))
            .map((f) => [f.replace(/\.TESTONLY\.pem$/, ""), fs.readFileSync(path.join(dir, f), "utf8")]),
    );
}

async function main(): Promise<void> {
    // Imported here, not at the top: the test that calls planBatch must not load the SDK itself.
    const { runPlan } = await import("../../tools/offline/plan");
    const { AzureMocks } = await import("../../tools/offline/mocks");
    const { freshProgramLoader } = await import("../../tools/offline/harness");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const argvs = JSON.parse(Buffer.concat(chunks).toString("utf8")) as string[][];
    const results: BatchResult[] = [];
    for (const argv of argvs) {
        const { out, err, text } = capturedStreams();
        const mocks = new AzureMocks(process.env.ENTRA_WIF_BATCH_FIXED_KEYS === "1" ? { fixedPrivateKeys: fixedTestKeys() } : { prefetchKey: true });
        // The program's own modules anew (in this checkout or another one the program path names), the SDK kept.
        const load = (program: string) => freshProgramLoader(program)();
        const code = await runPlan(argv, out, err, { load, mocks });
        results.push({ argv, code, ...text(), registered: [...mocks.registered] });
    }
    process.stdout.write(JSON.stringify(results), () => process.exit(0));
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    });
}
