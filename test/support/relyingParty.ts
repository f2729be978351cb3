/**
 * A relying party in a child process that trusts the test certificate (test/support/oidc-client.mjs): started on its
 * first job, fed one job at a time over stdin, each answer bounded in time; `stop()` ends it by its PID. The test
 * files of a worker share one for a certificate (test/support/native.ts sharedRelyingParty).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";

const SCRIPT = path.join(__dirname, "oidc-client.mjs");
const JOB_TIMEOUT_MS = 30000;

/** One provider call of a replacement: azure-native's Blob create (upload, overwriting) or delete (of the name). */
export interface ReplaceStep {
    op: "create" | "delete";
    blobName: string;
    contentType: string;
    text: string;
}

export type RelyingParty = ReturnType<typeof relyingParty>;

export function relyingParty(caFile: string) {
    let child: ChildProcess | undefined;
    const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }> = [];
    let stderr = "";
    const start = () => {
        const c = spawn(process.execPath, [SCRIPT], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ["pipe", "pipe", "pipe"] });
        // Neither the process nor its pipes keep the worker alive: a job awaited keeps it busy anyway, and an idle
        // relying party must not stop the worker from exiting when jest is done with it (it is killed then, by PID).
        c.unref();
        for (const pipe of [c.stdin, c.stdout, c.stderr]) (pipe as unknown as { unref?: () => void } | null)?.unref?.();
        createInterface({ input: c.stdout! }).on("line", (line) => {
            const next = waiting.shift();
            if (next) {
                clearTimeout(next.timer);
                next.resolve(line);
            }
        });
        c.stderr!.on("data", (d) => (stderr += d));
        c.on("exit", () => {
            for (const w of waiting.splice(0)) {
                clearTimeout(w.timer);
                w.reject(new Error(`the relying party exited: ${stderr}`));
            }
            child = undefined;
        });
        return c;
    };
    let queue: Promise<unknown> = Promise.resolve();
    const run = <T>(job: Record<string, unknown>): Promise<T> => {
        // One job at a time: the answer on the next line is this job's.
        const result = queue.then(
            () =>
                new Promise<T>((resolve, reject) => {
                    child ??= start();
                    const timer = setTimeout(() => {
                        // Its answer would land on a later job: end this child; the next job starts a fresh one.
                        waiting.splice(
                            waiting.findIndex((w) => w.timer === timer),
                            1,
                        );
                        child?.kill("SIGKILL");
                        reject(new Error(`${job.action} did not answer within ${JOB_TIMEOUT_MS} ms`));
                    }, JOB_TIMEOUT_MS);
                    waiting.push({ resolve: (line) => resolve(JSON.parse(line) as T), reject, timer });
                    child.stdin!.write(`${JSON.stringify(job)}\n`);
                }),
        );
        queue = result.catch(() => undefined);
        return result;
    };

    return {
        publish: (job: {
            blobEndpoint: string;
            accountName: string;
            accountKey: string;
            containerName: string;
            access: "blob" | "private";
            blobs: Array<{ blobName: string; contentType: string; text: string }>;
        }) => run<{ ok: boolean }>({ action: "publish", ...job }),
        container: (job: { blobEndpoint: string; accountName: string; accountKey: string; containerName: string; access: "blob" | "private" }) =>
            run<{ ok: boolean }>({ action: "container", ...job }),
        blob: (job: { blobEndpoint: string; accountName: string; accountKey: string; containerName: string; blobName: string }) =>
            run<{ ok: boolean; exists: boolean; contentType?: string | null; cacheControl?: string | null; body?: string }>({ action: "blob", ...job }),
        service: (job: {
            blobEndpoint: string;
            accountName: string;
            accountKey: string;
            /** Set before reading, as someone else's tooling would. */
            staticWebsite?: { enabled: boolean; indexDocument?: string };
        }) => run<{ ok: boolean; staticWebsite: { enabled: boolean; indexDocument?: string } | null }>({ action: "service", ...job }),
        replay: (job: { blobEndpoint: string; accountName: string; accountKey: string; containerName: string; steps: ReplaceStep[]; probes: string[] }) =>
            run<{ ok: boolean; observed: Array<{ step: string; statuses: Record<string, { status: number; contentType: string | null; body: string }> }> }>({
                action: "replay",
                ...job,
            }),
        fetch: (url: string) => run<{ status: number; contentType: string | null; cacheControl: string | null; body: string }>({ action: "fetch", url }),
        discover: (issuer: string) =>
            run<{ ok: boolean; issuer?: string; jwks_uri?: string; algs?: string[]; code?: string; message?: string }>({ action: "discover", issuer }),
        verify: (job: { jwksUri: string; token: string; issuer: string; audience: string }) =>
            run<{ ok: boolean; payload?: Record<string, unknown>; protectedHeader?: Record<string, unknown>; code?: string; message?: string }>({
                action: "verify",
                ...job,
            }),
        /** Ends the child process at once, if one runs, by its PID: for a process that is exiting itself. */
        kill: () => {
            if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
        },
        /** Ends the child process, if one runs, and waits (bounded) for it to exit. */
        stop: async () => {
            const c = child;
            if (!c) return;
            await new Promise<void>((resolve) => {
                const timer = setTimeout(() => {
                    if (c.pid) process.kill(c.pid, "SIGKILL");
                    resolve();
                }, 5000);
                c.once("exit", () => {
                    clearTimeout(timer);
                    resolve();
                });
                c.stdin!.end();
            });
        },
    };
}
