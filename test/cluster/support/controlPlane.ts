/**
 * A Kubernetes control plane on this machine for test:cluster: etcd and kube-apiserver built from the Go module proxy
 * (tools/cluster/build.ts), on 127.0.0.1 and free ports, each wait bounded, each process stopped by its PID. No
 * controller manager, scheduler or kubelet: the tests need what the apiserver does itself — sign and review tokens,
 * serve its issuer documents, run admission (the ServiceAccount plugin, the mutating webhook) on the objects they
 * create.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { clusterBinaries } from "../../../tools/cluster/build";
import { freePort } from "../../../tools/engine/azurite";

let binaries: Record<string, string> | undefined;

/** The binaries, built by `npm run test:cluster` before jest starts (current ones are found in milliseconds). */
export function binary(name: "etcd" | "kube-apiserver" | "kubectl" | "webhook"): string {
    binaries ??= clusterBinaries();
    const found = binaries[name];
    if (!found) throw new Error(`no ${name} among the cluster binaries: ${Object.keys(binaries).join(", ")}`);
    return found;
}

/** A process the tests started: stopped by PID, its output kept for the failure message. */
export class Started {
    private output = "";
    constructor(
        readonly name: string,
        readonly child: ChildProcess,
    ) {
        const keep = (chunk: Buffer) => {
            this.output = (this.output + chunk.toString("utf8")).slice(-20000);
        };
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
    }

    get pid(): number {
        return this.child.pid!;
    }

    /** The last of what it printed. */
    tail(lines = 30): string {
        return this.output.split("\n").slice(-lines).join("\n");
    }

    get exited(): boolean {
        return this.child.exitCode !== null || this.child.signalCode !== null;
    }

    /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
    async stop(graceMs = 10000): Promise<void> {
        if (this.exited) return;
        const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        process.kill(this.pid, "SIGTERM");
        const timer = setTimeout(() => !this.exited && process.kill(this.pid, "SIGKILL"), graceMs);
        await gone;
        clearTimeout(timer);
    }
}

export function start(name: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Started {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH, ...env } });
    return new Started(name, child);
}

/** Polls `probe` until it answers true, at most `timeoutMs`; fails naming what it waited for, with the process's output. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, proc?: Started): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (proc?.exited) throw new Error(`${proc.name} exited while waiting for ${what}:\n${proc.tail()}`);
        if (await probe().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${proc ? `; ${proc.name} printed:\n${proc.tail()}` : ""}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

export interface Etcd {
    url: string;
    process: Started;
    stop(): Promise<void>;
}

export async function startEtcd(dir: string): Promise<Etcd> {
    const [client, peer] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const proc = start("etcd", binary("etcd"), [
        "--name=test",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=test=${peerUrl}`,
        "--log-level=warn",
    ]);
    await waitFor(
        `etcd at ${url}/health`,
        async () => {
            const r = await fetch(`${url}/health`);
            return r.ok && ((await r.json()) as { health?: string }).health === "true";
        },
        30000,
        proc,
    );
    return { url, process: proc, stop: () => proc.stop() };
}

/** What kube-apiserver answered: status, headers and body. */
export interface ApiResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
    json<T = unknown>(): T;
}

export interface ApiServer {
    /** https://127.0.0.1:PORT */
    url: string;
    /** PEM of the CA the apiserver's serving certificate chains to. */
    ca: string;
    /** A bearer token in system:masters (static token file). */
    adminToken: string;
    /** The flags it was started with, the program's and the test's. */
    args: string[];
    process: Started;
    request(method: string, apiPath: string, body?: unknown, options?: { token?: string; accept?: string }): Promise<ApiResponse>;
    /** A kubeconfig for the admin token, for clients that read one (the webhook, kubectl), its context named `context`. */
    writeKubeconfig(file: string, context?: string): void;
    stop(): Promise<void>;
}

/**
 * kube-apiserver with `serviceAccountFlags` (exactly as the program produces them, file paths pointing at the files it
 * wrote) and what any control plane adds: etcd, a serving certificate it makes itself, a static admin token, RBAC.
 * Resolves once /readyz answers ok, at most `timeoutMs`.
 */
export async function startApiServer(opts: { dir: string; etcd: Etcd; serviceAccountFlags: string[]; timeoutMs?: number }): Promise<ApiServer> {
    const port = await freePort();
    const certDir = path.join(opts.dir, "apiserver-certs");
    fs.mkdirSync(certDir, { recursive: true, mode: 0o700 });
    const adminToken = crypto.randomBytes(24).toString("hex");
    const tokenFile = path.join(opts.dir, "tokens.csv");
    fs.writeFileSync(tokenFile, `${adminToken},test-admin,test-admin,system:masters\n`, { mode: 0o600 });
    const args = [
        `--etcd-servers=${opts.etcd.url}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokenFile}`,
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.96.0.0/16",
        // A fresh etcd per run: nothing to keep in step with other apiservers.
        "--endpoint-reconciler-type=none",
        ...opts.serviceAccountFlags,
    ];
    const proc = start("kube-apiserver", binary("kube-apiserver"), args);
    const url = `https://127.0.0.1:${port}`;
    // The certificate it makes for itself (apiserver.crt: the serving certificate, then the CA it made to sign it).
    let ca = "";
    const request = (method: string, apiPath: string, body?: unknown, options: { token?: string; accept?: string } = {}): Promise<ApiResponse> =>
        new Promise((resolve, reject) => {
            const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
            const req = https.request(
                `${url}${apiPath}`,
                {
                    method,
                    ca,
                    headers: {
                        authorization: `Bearer ${options.token ?? adminToken}`,
                        accept: options.accept ?? "application/json",
                        ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
                    },
                    timeout: 15000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T });
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${apiPath}: no answer in 15 s`)));
            req.on("error", reject);
            if (data) req.write(data);
            req.end();
        });
    const certFile = path.join(certDir, "apiserver.crt");
    await waitFor(
        `kube-apiserver's serving certificate in ${certDir}`,
        async () => {
            if (!fs.existsSync(certFile)) return false;
            ca = fs.readFileSync(certFile, "utf8");
            return ca.includes("END CERTIFICATE");
        },
        opts.timeoutMs ?? 90000,
        proc,
    );
    await waitFor(`kube-apiserver at ${url}/readyz`, async () => (await request("GET", "/readyz")).status === 200, opts.timeoutMs ?? 90000, proc);
    return {
        url,
        ca,
        adminToken,
        args,
        process: proc,
        request,
        writeKubeconfig(file, context = "test") {
            const kubeconfig = {
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "test", cluster: { server: url, "certificate-authority-data": Buffer.from(ca).toString("base64") } }],
                users: [{ name: "admin", user: { token: adminToken } }],
                contexts: [{ name: context, context: { cluster: "test", user: "admin" } }],
                "current-context": context,
            };
            fs.writeFileSync(file, JSON.stringify(kubeconfig), { mode: 0o600 });
        },
        stop: () => proc.stop(),
    };
}

/** Fails with the apiserver's own words unless the answer is one of `ok`. */
export function expectStatus(r: ApiResponse, what: string, ...ok: number[]): ApiResponse {
    if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 2000)}`);
    return r;
}

/** A fresh folder for one control plane's files (0700), removed by the returned function. */
export function workDir(prefix: string): { dir: string; remove(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `entra-wif-${prefix}-`));
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A Kubernetes API path for an object of the plan: its kind's collection in its namespace. */
export function collectionPath(object: { apiVersion: string; kind: string; metadata?: { namespace?: string } }): string {
    const plural: Record<string, string> = {
        Namespace: "namespaces",
        ServiceAccount: "serviceaccounts",
        Pod: "pods",
        Secret: "secrets",
        ConfigMap: "configmaps",
    };
    const resource = plural[object.kind];
    if (!resource) throw new Error(`no API path known for kind ${object.kind}`);
    const base = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const ns = object.kind === "Namespace" ? "" : `/namespaces/${object.metadata?.namespace ?? "default"}`;
    return `${base}${ns}/${resource}`;
}

/** TokenRequest: a token for a service account, as the kubelet asks for a projected one (`kubectl create token`). */
export async function requestToken(api: ApiServer, namespace: string, serviceAccount: string, audience: string, expirationSeconds = 3600): Promise<string> {
    const r = await api.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { audiences: [audience], expirationSeconds },
    });
    return expectStatus(r, `TokenRequest for ${namespace}/${serviceAccount}`, 201).json<{ status: { token: string } }>().status.token;
}

/** TokenReview: whether the apiserver still accepts a token, for the audience it was issued to. */
export async function reviewToken(api: ApiServer, token: string, audience: string): Promise<{ authenticated: boolean; username?: string; error?: string }> {
    const r = await api.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token, audiences: [audience] },
    });
    const { status } = expectStatus(r, "TokenReview", 201).json<{ status: { authenticated?: boolean; user?: { username?: string }; error?: string } }>();
    return { authenticated: status.authenticated === true, username: status.user?.username, error: status.error };
}

/**
 * One control plane for a test file: its folder, etcd, and kube-apiserver (re)started on the service-account flags it
 * is given, as a node restarts its static pods when their key files change. `stop` ends both and removes the folder.
 */
export class ControlPlane {
    private work: { dir: string; remove(): void } | undefined;
    private etcd: Etcd | undefined;
    private server: ApiServer | undefined;

    constructor(private readonly name: string) {}

    /** Its folder, made on first use: a describe block jest skips makes none. */
    get dir(): string {
        this.work ??= workDir(`cluster-${this.name}`);
        return this.work.dir;
    }

    get api(): ApiServer {
        if (!this.server) throw new Error("the control plane is not started");
        return this.server;
    }

    /** Starts etcd once, and kube-apiserver with these flags (stopping the one before). */
    async start(serviceAccountFlags: string[]): Promise<ApiServer> {
        this.etcd ??= await startEtcd(this.dir);
        await this.server?.stop();
        this.server = await startApiServer({ dir: this.dir, etcd: this.etcd, serviceAccountFlags });
        return this.server;
    }

    /** Creates each object, as the Kubernetes provider would; returns them as the apiserver stored them (after admission). */
    async create<T>(objects: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>): Promise<T[]> {
        const created: T[] = [];
        for (const object of objects) {
            const r = await this.api.request("POST", collectionPath(object), object);
            created.push(expectStatus(r, `creating ${object.kind} ${object.metadata.name}`, 201).json<T>());
        }
        return created;
    }

    async stop(): Promise<void> {
        await this.server?.stop();
        await this.etcd?.stop();
        this.work?.remove();
    }
}
