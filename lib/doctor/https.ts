/**
 * Anonymous GETs as Entra makes them: TLS always verified, redirects not followed. Trusts Node's bundled CAs, the
 * system's CA bundle (where the OS keeps one) and NODE_EXTRA_CA_CERTS — the three places a user expects a CA to count.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { HttpGet, HttpResponse } from "./checks";
import { HttpPost } from "./exchange";

/** Where Linux distributions and macOS/BSD keep the system CA bundle. */
const SYSTEM_CA_BUNDLES = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];

function readIfPresent(file: string | undefined): string | undefined {
    if (!file) return undefined;
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** Every CA this process should trust (an explicit `ca` replaces Node's defaults, so they are listed too). */
export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
    const cas = [...tls.rootCertificates];
    const system = SYSTEM_CA_BUNDLES.map(readIfPresent).find((text) => text !== undefined);
    if (system) cas.push(system);
    const extra = readIfPresent(env.NODE_EXTRA_CA_CERTS);
    if (extra) cas.push(extra);
    return cas;
}

/** Reads a whole response: its status, content type and body as text. */
function collect(res: http.IncomingMessage, resolve: (r: HttpResponse) => void, reject: (err: Error) => void): void {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => {
        const type = res.headers["content-type"];
        resolve({ status: res.statusCode ?? 0, contentType: type === undefined ? null : String(type), body: Buffer.concat(chunks).toString("utf8") });
    });
    res.on("error", reject);
}

export interface HttpsGetOptions {
    timeoutMs?: number;
    ca?: string[];
}

export function createHttpGet(options: HttpsGetOptions = {}): HttpGet {
    const ca = options.ca ?? trustedCertificates();
    const timeout = options.timeoutMs ?? 10000;
    return (url: string) =>
        new Promise<HttpResponse>((resolve, reject) => {
            const target = new URL(url);
            const onResponse = (res: http.IncomingMessage) => collect(res, resolve, reject);
            const req =
                target.protocol === "https:"
                    ? https.get(target, { ca, timeout, rejectUnauthorized: true, headers: { accept: "application/json" } }, onResponse)
                    : http.get(target, { timeout, headers: { accept: "application/json" } }, onResponse);
            req.on("timeout", () => req.destroy(new Error(`no answer within ${timeout} ms`)));
            req.on("error", reject);
        });
}

/** A form POST as azure-identity makes it to Entra's token endpoint: TLS verified against the same CAs, bounded. */
export function createHttpPost(options: HttpsGetOptions = {}): HttpPost {
    const ca = options.ca ?? trustedCertificates();
    const timeout = options.timeoutMs ?? 20000;
    return (url: string, form: Record<string, string>) =>
        new Promise<HttpResponse>((resolve, reject) => {
            const target = new URL(url);
            if (target.protocol !== "https:") {
                reject(new Error(`${url} is not https: Entra's token endpoint is only served over https`));
                return;
            }
            const body = new URLSearchParams(form).toString();
            const req = https.request(
                target,
                {
                    method: "POST",
                    ca,
                    timeout,
                    rejectUnauthorized: true,
                    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), accept: "application/json" },
                },
                (res) => collect(res, resolve, reject),
            );
            req.on("timeout", () => req.destroy(new Error(`no answer within ${timeout} ms`)));
            req.on("error", reject);
            req.end(body);
        });
}
