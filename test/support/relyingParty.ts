/** Runs test/support/oidc-client.mjs jobs in a child process that trusts the test certificate. */
import { execFile } from "node:child_process";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "oidc-client.mjs");

/** One provider call of a replacement: azure-native's Blob create (upload, overwriting) or delete (of the name). */
export interface ReplaceStep {
    op: "create" | "delete";
    blobName: string;
    contentType: string;
    text: string;
}

export function relyingParty(caFile: string) {
    const run = <T>(job: Record<string, unknown>): Promise<T> =>
        new Promise((resolve, reject) => {
            const child = execFile(
                process.execPath,
                [SCRIPT],
                { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 30000, maxBuffer: 10 * 1024 * 1024 },
                (err, stdout, stderr) => {
                    if (err) {
                        reject(new Error(`${job.action} failed: ${err.message}\n${stderr}`));
                        return;
                    }
                    resolve(JSON.parse(stdout) as T);
                },
            );
            child.stdin!.end(JSON.stringify(job));
        });

    return {
        publish: (job: { blobEndpoint: string; accountName: string; accountKey: string; containerName: string; access: "blob" | "private"; blobs: Array<{ blobName: string; contentType: string; text: string }> }) =>
            run<{ ok: boolean }>({ action: "publish", ...job }),
        replay: (job: { blobEndpoint: string; accountName: string; accountKey: string; containerName: string; steps: ReplaceStep[]; probes: string[] }) =>
            run<{ ok: boolean; observed: Array<{ step: string; statuses: Record<string, { status: number; contentType: string | null; body: string }> }> }>({ action: "replay", ...job }),
        fetch: (url: string) => run<{ status: number; contentType: string | null; body: string }>({ action: "fetch", url }),
        discover: (issuer: string) => run<{ ok: boolean; issuer?: string; jwks_uri?: string; algs?: string[]; code?: string; message?: string }>({ action: "discover", issuer }),
        verify: (job: { jwksUri: string; token: string; issuer: string; audience: string }) =>
            run<{ ok: boolean; payload?: Record<string, unknown>; protectedHeader?: Record<string, unknown>; code?: string; message?: string }>({ action: "verify", ...job }),
    };
}
