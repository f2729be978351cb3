/**
 * Many offline plans in one Node process: the CLI's own `runPlan` for each argument list, the SDK loaded once and the
 * program's modules loaded fresh for each (as a new process would), each with fresh mocks. What a separate process
 * per plan would report — exit code, stdout, stderr — plus what the program registered, in a fraction of the time.
 *
 * `planBatch` runs the batch in the jest worker itself, with the tooling Node loads there (test/support/native.ts), or,
 * when the plans must see another working folder or environment (another checkout, another HOME), in a process of
 * its own, which reads the argument lists as JSON on stdin.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { capturedStreams } from "../../lib/doctor/capture";
import type { NativeTooling } from "./native";

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
    /** The working folder and extra environment of a batch process of its own (another checkout, another HOME). */
    cwd?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
}

export async function planBatch(argvs: string[][], options: BatchOptions = {}): Promise<BatchResult[]> {
    if (options.env === undefined && (options.cwd === undefined || path.resolve(options.cwd) === ROOT)) {
        // Imported here: a test that only starts batch processes never loads the tooling into its worker.
        const { inThisRealm, nativeTooling, withoutStackFrames } = await import("./native");
        try {
            const results = await withoutStackFrames(() => runBatch(argvs, { fixedKeys: options.fixedKeys === true, cwd: ROOT, tooling: nativeTooling() }));
            return JSON.parse(JSON.stringify(results)) as BatchResult[];
        } catch (e) {
            throw inThisRealm(e);
        }
    }
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

/**
 * The batch itself, wherever it runs: each argument list through the CLI's own code with fresh mocks (the fixed test
 * keys, or keys from the process's pool), relative paths read from `cwd`.
 */
async function runBatch(
    argvs: string[][],
    { fixedKeys, cwd, tooling }: { fixedKeys: boolean; cwd: string; tooling: Pick<NativeTooling, "harness" | "mocks" | "plan"> },
): Promise<BatchResult[]> {
    const { AzureMocks, processKeyPool } = tooling.mocks;
    const results: BatchResult[] = [];
    for (const argv of argvs) {
        const { out, err, text } = capturedStreams();
        const mocks = new AzureMocks(fixedKeys ? { fixedPrivateKeys: fixedTestKeys() } : { keyPool: processKeyPool });
        // The program's own modules anew (in this checkout or another one the program path names), the SDK kept.
        const load = (program: string) => tooling.harness.freshProgramLoader(program)();
        const code = await tooling.plan.runPlan(argv, out, err, { load, mocks, cwd, debug: false });
        results.push({ argv, code, ...text(), registered: [...mocks.registered] });
    }
    return results;
}

async function main(): Promise<void> {
    // No stack frames for the SDK's debug captures, as in the workers (test/support/native.ts withoutStackFrames).
    Error.stackTraceLimit = 0;
    // Imported here, not at the top: the test that calls planBatch must not load the SDK itself.
    const tooling = {
        plan: await import("../../tools/offline/plan"),
        mocks: await import("../../tools/offline/mocks"),
        harness: await import("../../tools/offline/harness"),
    };
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const argvs = JSON.parse(Buffer.concat(chunks).toString("utf8")) as string[][];
    const results = await runBatch(argvs, { fixedKeys: process.env.ENTRA_WIF_BATCH_FIXED_KEYS === "1", cwd: process.cwd(), tooling });
    process.stdout.write(JSON.stringify(results), () => process.exit(0));
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    });
}
