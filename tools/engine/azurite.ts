/**
 * A real Azure Storage blob endpoint for tests and for the engine's change preview (tools/engine/world.ts): Azurite
 * (npm) on 127.0.0.1, over HTTPS with a throwaway self-signed certificate, on a free port, stopped by PID. Every wait
 * is bounded.
 *
 * A jest run starts one (test/support/globalSetup.ts) and every test file works in a storage account of its own in
 * it, so files running side by side never meet in a container; a file run on its own starts one for itself.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
    /** e.g. https://127.0.0.1:PORT/devstoreaccount1/ (with the trailing slash Azure's endpoints have) */
    blobEndpoint: string;
    /** The storage account of blobEndpoint, and its shared key (Azurite's documented development key). */
    accountName: string;
    accountKey: string;
    /** PEM file of the self-signed certificate: give it to clients as NODE_EXTRA_CA_CERTS. */
    caFile: string;
    pid: number;
    stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** A throwaway certificate for 127.0.0.1 and localhost, and for `dnsNames` besides. */
export function selfSignedCertificate(dir: string, dnsNames: readonly string[] = []): { cert: string; key: string } {
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...dnsNames.map((n) => `DNS:${n}`)].join(",")}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    fs.chmodSync(key, 0o600);
    return { cert, key };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

/**
 * Starts Azurite's blob service and resolves once it listens (at most `timeoutMs`). `accounts` are storage accounts
 * it serves besides the development account, all with the development key.
 */
export async function startAzurite(opts: { accounts?: string[]; timeoutMs?: number } = {}): Promise<Azurite> {
    // The free port is the kernel's until Azurite binds it: another process binding port 0 meanwhile may get it first
    // (EADDRINUSE). Then a new port, at most three times.
    for (let attempt = 1; ; attempt++) {
        const { azurite, ready } = await launchAzurite(opts);
        try {
            await ready;
            return azurite;
        } catch (err) {
            if (attempt >= 3 || !/EADDRINUSE/.test(String((err as Error).message))) throw err;
        }
    }
}

/**
 * Starts Azurite and returns at once: its address, and `ready`, which resolves once it listens or rejects (having
 * stopped it) when it does not within `timeoutMs`.
 */
export async function launchAzurite(opts: { accounts?: string[]; timeoutMs?: number } = {}): Promise<{ azurite: Azurite; ready: Promise<void> }> {
    const timeoutMs = opts.timeoutMs ?? 30000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-azurite-"));
    const { cert, key } = selfSignedCertificate(dir);
    const port = await freePort();
    const main = require.resolve("azurite/dist/src/blob/main.js");
    fs.mkdirSync(path.join(dir, "data"), { recursive: true });
    const child = spawn(
        process.execPath,
        [
            main,
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            String(port),
            "--location",
            path.join(dir, "data"),
            "--cert",
            cert,
            "--key",
            key,
            // Bearer tokens as well as shared keys: the documents are written with the deployer's Entra token. Basic
            // mode checks a token's issuer, audience and lifetime, not its signature (tools/engine/azureCli.ts).
            "--oauth",
            "basic",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
            "--loose",
        ],
        {
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, AZURITE_ACCOUNTS: [DEV_ACCOUNT, ...(opts.accounts ?? [])].map((a) => `${a}:${DEV_ACCOUNT_KEY}`).join(";") },
        },
    );
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));

    const stop = async () => {
        if (child.pid !== undefined && child.exitCode === null) {
            process.kill(child.pid, "SIGTERM");
            if (!(await waitForExit(child, 5000))) {
                process.kill(child.pid, "SIGKILL");
                await waitForExit(child, 5000);
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };

    const listening = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        const check = () => {
            if (/successfully listens? on/.test(output)) {
                clearTimeout(timer);
                resolve(true);
            }
        };
        child.stdout!.on("data", check);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve(false);
        });
        check();
    });
    const ready = listening.then(async (ok) => {
        if (ok) return;
        await stop();
        throw new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`);
    });
    const azurite: Azurite = {
        blobEndpoint: `https://127.0.0.1:${port}/${DEV_ACCOUNT}/`,
        accountName: DEV_ACCOUNT,
        accountKey: DEV_ACCOUNT_KEY,
        caFile: cert,
        pid: child.pid!,
        stop,
    };
    return { azurite, ready };
}

/** Where the run's shared Azurite is, for the workers (set by test/support/globalSetup.ts). */
export const SHARED_AZURITE_ENV = "ENTRA_WIF_TEST_AZURITE";

/** The storage account a test file works in: named after the file, 3 to 24 lowercase letters and digits. */
export function accountFor(testFile: string): string {
    return `wif${path
        .basename(testFile)
        .replace(/\.test\.ts$/, "")
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "")}`.slice(0, 24);
}

/**
 * Azurite for one test file: the run's shared one, in the file's own storage account; or, when the run started none
 * (a file run on its own, say), one of its own, which `stop` stops. The shared one outlives the file.
 */
export async function azuriteFor(testFile: string): Promise<Azurite> {
    const shared = process.env[SHARED_AZURITE_ENV];
    if (!shared) return startAzurite({ accounts: [accountFor(testFile)] }).then((own) => ({ ...own, ...inAccount(own, accountFor(testFile)) }));
    const { origin, caFile, pid, readyFile, failedFile } = JSON.parse(shared) as SharedAzurite;
    await sharedReady(readyFile, failedFile);
    return { ...inAccount({ blobEndpoint: `${origin}${DEV_ACCOUNT}/` }, accountFor(testFile)), caFile, pid, stop: async () => undefined };
}

/** What globalSetup tells the workers: where Azurite listens, and the files that say it does, or why it does not. */
export interface SharedAzurite {
    origin: string;
    caFile: string;
    pid: number;
    readyFile: string;
    failedFile: string;
}

/** Waits, bounded, for the run's Azurite to listen: globalSetup starts it without waiting, while the workers start. */
async function sharedReady(readyFile: string, failedFile: string, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (fs.existsSync(readyFile)) return;
        if (fs.existsSync(failedFile)) throw new Error(fs.readFileSync(failedFile, "utf8"));
        if (Date.now() > deadline) throw new Error(`the run's Azurite did not start within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

function inAccount(azurite: { blobEndpoint: string }, accountName: string) {
    return { blobEndpoint: azurite.blobEndpoint.replace(/[^/]+\/$/, `${accountName}/`), accountName, accountKey: DEV_ACCOUNT_KEY };
}
