/** Two writable streams whose text is kept: how a CLI's output is read when the CLI runs in this process. */
import { PassThrough } from "node:stream";

export function capturedStreams(): { out: PassThrough; err: PassThrough; text: () => { stdout: string; stderr: string } } {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (c) => (stdout += c));
    err.on("data", (c) => (stderr += c));
    return { out, err, text: () => ({ stdout, stderr }) };
}
