/**
 * The world test:engine deploys into: Azurite for the storage (real blob service, over HTTPS), the stand-in providers'
 * folder for everything ARM, Graph and the cluster's API would hold, and stand-in `kind`, `docker` and `az` on PATH
 * for the scripts the program's Commands run.
 *
 * The stand-in kind and docker record, at each moment the cluster starts signing with a key (kind create cluster,
 * and the control-plane restart in the rotation script's `docker exec`), the kid of the key file the script wrote and
 * the kids the issuer's JWKS serves at that moment, read anonymously as Entra reads it. A test then checks that the
 * served JWKS never missed the signing kid.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { createHttpGet } from "../../lib/doctor/https";
import { keyId } from "../../lib/trust/keys";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { enginePath } from "./build";
import { REPO_ROOT } from "../goBuild";
import { EngineProject, PulumiResult, readEvents, stopOnExit } from "./project";
import { nameKeyOf } from "./standins/providers";
import { Azurite, DEV_ACCOUNT_KEY, startAzurite } from "./azurite";
import { writeAzureCli } from "./azureCli";

/** An engine event, with when it reached the event log (ms since the epoch) when the run was timed. */
export interface TimedEvent {
    kind: string;
    op?: string;
    urn?: string;
    type?: string;
    atMs?: number;
}

/**
 * Reads the engine's event log as the engine appends to it, every 20 ms, noting when each event (by its sequence)
 * appeared: the engine writes each event as it happens (pulumi's --event-log streams them).
 */
function watchArrivals(file: string): { times: Map<number, number>; stop: () => void } {
    const times = new Map<number, number>();
    let offset = 0;
    let partial = "";
    const read = () => {
        if (!fs.existsSync(file)) return;
        const size = fs.statSync(file).size;
        if (size <= offset) return;
        const fd = fs.openSync(file, "r");
        const chunk = Buffer.alloc(size - offset);
        fs.readSync(fd, chunk, 0, chunk.length, offset);
        fs.closeSync(fd);
        offset = size;
        const now = Date.now();
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
            const m = /"sequence":\s*(\d+)/.exec(line);
            if (m && !times.has(Number(m[1]))) times.set(Number(m[1]), now);
        }
    };
    const timer = setInterval(read, 20);
    return {
        times,
        stop: () => {
            clearInterval(timer);
            read();
        },
    };
}

/** What the stand-in kind and docker record each time the cluster starts signing. */
export interface SigningMoment {
    event: "create" | "restart";
    cluster: string;
    kid: string;
    served: string[] | null;
    error?: string;
}

/** The stand-in tools, as Node scripts: what kind, docker and az do, as far as the program's scripts use them. */
function writeTools(dir: string): void {
    const record = `
const fs = require("node:fs");
const crypto = require("node:crypto");
async function recordSigning(event, cluster) {
  const keyDir = process.env.ENTRA_WIF_KEY_DIR.replace(/^~(?=\\/)/, process.env.HOME);
  const pem = fs.readFileSync(keyDir + "/sa.key", "utf8");
  const der = crypto.createPublicKey(pem).export({ type: "spki", format: "der" });
  // kube-apiserver's kid: base64url of the SHA-256 of the DER public key (serviceaccount/jwt.go keyIDFromPublicKey).
  const kid = crypto.createHash("sha256").update(der).digest("base64url");
  // The kind config: the create's environment, or (the keys Command, which has none) the file create wrote.
  const config = process.env.ENTRA_WIF_KIND_CONFIG || fs.readFileSync(keyDir + "/kind.yaml", "utf8");
  const issuer = /service-account-issuer: *"?([^"\\s]+)/.exec(config)[1];
  let served = null, error;
  try {
    const r = await fetch(issuer + "openid/v1/jwks", { signal: AbortSignal.timeout(10000) });
    if (r.status === 200) served = (await r.json()).keys.map((k) => k.kid); else error = "HTTP " + r.status;
  } catch (e) { error = String(e.cause || e); }
  fs.appendFileSync(${JSON.stringify(path.join(dir, "signing.jsonl"))}, JSON.stringify({ event, cluster, kid, served, error }) + "\\n");
}
`;
    const clusters = path.join(dir, "kind-clusters.json");
    const kind = `#!${process.execPath}
${record}
const file = ${JSON.stringify(clusters)};
const portOf = (name) => 40000 + crypto.createHash("sha256").update(name).digest()[0] * 64;
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
const args = process.argv.slice(2);
const name = args[args.indexOf("--name") + 1];
(async () => {
  switch (args.slice(0, 2).join(" ")) {
    case "get clusters": all.forEach((c) => console.log(c)); break;
    case "create cluster":
      if (all.includes(name)) { console.error("ERROR: node(s) already exist for a cluster with the name " + JSON.stringify(name)); process.exit(1); }
      fs.writeFileSync(file, JSON.stringify([...all, name]));
      await recordSigning("create", name);
      break;
    case "delete cluster": {
      fs.writeFileSync(file, JSON.stringify(all.filter((c) => c !== name)));
      // Everything in the cluster goes with it: the kubernetes stand-in's folder for this cluster
      // (tools/engine/standins/providers.ts clusterScope of "<current-context> <server>").
      const scope = crypto.createHash("sha256").update("kind-" + name + " https://127.0.0.1:" + portOf(name)).digest("hex").slice(0, 16);
      fs.rmSync(process.env.ENTRA_WIF_STANDIN_STATE + "/kubernetes/" + scope, { recursive: true, force: true });
      const entry = { at: Date.now(), provider: "kind", op: "delete-scope", scope: "kubernetes/" + scope };
      fs.appendFileSync(process.env.ENTRA_WIF_STANDIN_LOG, JSON.stringify(entry) + "\\n");
      break;
    }
    case "get kubeconfig": {
      const port = portOf(name);
      const ctx = "kind-" + name;
      process.stdout.write(["apiVersion: v1", "clusters:", "- cluster:", "    server: https://127.0.0.1:" + port, "  name: " + ctx, "contexts:",
        "- context:", "    cluster: " + ctx, "    user: " + ctx, "  name: " + ctx, "current-context: " + ctx, "kind: Config", "users:", "- name: " + ctx,
        "  user:", "    token: stand-in", ""].join("\\n"));
      break;
    }
    default: console.error("stand-in kind: " + args.join(" ")); process.exit(2);
  }
})();
`;
    const docker = `#!${process.execPath}
${record}
const args = process.argv.slice(2);
(async () => {
  if (args[0] === "info") return;
  // The rotation script's control-plane restart: kube-apiserver signs with the key file from here on.
  if (args[0] === "exec") return recordSigning("restart", args[1].replace(/-control-plane$/, ""));
  console.error("stand-in docker: " + args.join(" ")); process.exit(2);
})();
`;
    // az keyvault show-deleted and purge over the vaults the azure-native stand-in soft-deleted (a marker per name):
    // show-deleted fails (exit 3) for a name Azure does not hold deleted; purge frees the name.
    const az = [
        "#!/bin/sh",
        'name=""; prev=""; for a in "$@"; do [ "$prev" = --name ] && name="$a"; prev="$a"; done',
        'marker="$ENTRA_WIF_STANDIN_STATE/soft-deleted-vaults/$name"',
        'case "$1 $2" in',
        // The deployer's sign-in, for the documents' writer (tools/engine/azureCli.ts).
        '  "account get-access-token") exec "$(dirname "$0")/az-token" "$@" ;;',
        '  "keyvault show-deleted") [ -n "$name" ] && [ -f "$marker" ] || exit 3 ;;',
        '  "keyvault purge") [ -f "$marker" ] || { echo "ERROR: (DeletedVaultNotFound)" >&2; exit 3; }; rm -f "$marker" ;;',
        // Arc (cluster.arc): the resource providers are registered, the extension is there, no connection exists yet.
        '  "provider show") echo Registered ;;',
        '  "connectedk8s show") exit 3 ;;',
        "esac",
        "exit 0",
        "",
    ].join("\n");
    // kubectl, as `az connectedk8s` needs it: a cluster without Arc agents (no azure-clusterconfig ConfigMap).
    const kubectl = `#!/bin/sh\ncase "$*" in *azure-clusterconfig*) exit 1 ;; esac\nexit 0\n`;
    for (const [name, body] of Object.entries({ kind, docker, az, kubectl })) fs.writeFileSync(path.join(dir, name), body, { mode: 0o755 });
    writeAzureCli(dir, "az-token");
}

/** Azure's blob and static website endpoints in front of Azurite (azureFront.js), with Azurite's certificate; bounded wait. */
export function startAzureFront(
    azurite: Azurite,
    origin: string,
    env: Record<string, string> = {},
): Promise<{ pid: number; blob: string; web: string; arm: string }> {
    const dir = path.dirname(azurite.caFile);
    const script = path.join(__dirname, "azureFront.js");
    const child = spawn(process.execPath, [script, origin, DEV_ACCOUNT_KEY, azurite.caFile, path.join(dir, "key.pem")], {
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: azurite.caFile, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`the Azure endpoints in front of Azurite did not start within 10 s: ${out}`));
        }, 10000);
        child.stderr.on("data", (d) => (out += d));
        if (child.pid !== undefined) child.once("exit", stopOnExit(child.pid));
        child.stdout.on("data", (d) => {
            out += d;
            const m = /^(\d+) (\d+) (\d+)\n/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve({ pid: child.pid!, blob: `https://127.0.0.1:${m[1]}/`, web: `https://127.0.0.1:${m[2]}/`, arm: `https://127.0.0.1:${m[3]}/` });
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the Azure endpoints in front of Azurite exited (${code}): ${out}`));
        });
    });
}

/** How long a fresh storage grant takes to reach the stand-in storage (403 AuthorizationPermissionMismatch until then). */
export const GRANT_DELAY_MS = 2000;

export class EngineWorld {
    readonly project: EngineProject;
    readonly tools: string;

    private constructor(
        readonly azurite: Azurite,
        readonly origin: string,
        private readonly front: { pid: number; blob: string; web: string; arm: string },
        engine: string[],
        /** What the ARM stand-in answers the deployer's preflight (azureFront.js): write {permissions, policy, groups}. */
        readonly armAnswersFile: string,
        grants: string,
    ) {
        const tools = fs.mkdtempSync(path.join(path.dirname(azurite.caFile), "tools-"));
        writeTools(tools);
        this.tools = tools;
        this.project = new EngineProject({
            enginePath: engine,
            toolPath: [tools],
            env: {
                NODE_EXTRA_CA_CERTS: azurite.caFile,
                ENTRA_WIF_STANDIN_AZURITE: origin,
                ENTRA_WIF_STANDIN_AZURITE_KEY: DEV_ACCOUNT_KEY,
                ENTRA_WIF_STANDIN_BLOB: front.blob,
                // The project's plugin derives the accounts' blob endpoints as the stand-in azure-native reports them.
                ENTRA_WIF_BLOB_ENDPOINT_TEMPLATE: `${front.blob}{account}/`,
                ENTRA_WIF_STANDIN_WEB: front.web,
                ENTRA_WIF_STANDIN_GRANTS: grants,
                ENTRA_WIF_STANDIN_GRANT_DELAY_MS: String(GRANT_DELAY_MS),
                // The deployer's preflight asks the ARM stand-in (lib/entra/preflight.ts armEndpoint).
                ENTRA_WIF_ARM_ENDPOINT: front.arm,
                ENTRA_WIF_VERIFY_WAIT: "30",
            },
        });
    }

    /** Azurite serving `accounts` (the storage account names the stack files use), and a throwaway project. */
    static async start(accounts: string[], engine: string[] = enginePath()): Promise<EngineWorld> {
        const azurite = await startAzurite({ accounts });
        const forgetAzurite = stopOnExit(azurite.pid);
        const stop = azurite.stop;
        azurite.stop = async () => {
            await stop();
            forgetAzurite();
        };
        const origin = azurite.blobEndpoint.replace(/[^/]+\/$/, "");
        try {
            const armAnswers = path.join(fs.mkdtempSync(path.join(path.dirname(azurite.caFile), "arm-")), "answers.json");
            // Azure RBAC for the documents' writer: only a Storage Blob Data Contributor grant the stand-in azure-native
            // made lets a token write, and only GRANT_DELAY_MS after it was made (or the latency table's propagation).
            const grants = fs.mkdtempSync(path.join(path.dirname(azurite.caFile), "grants-"));
            const front = await startAzureFront(azurite, origin, { ENTRA_WIF_FRONT_ARM_ANSWERS: armAnswers, ENTRA_WIF_FRONT_GRANTS: grants });
            return new EngineWorld(azurite, origin, front, engine, armAnswers, grants);
        } catch (err) {
            await azurite.stop();
            throw err;
        }
    }

    /** The ARM calls the stand-in answered, in order (the deployer's preflight). */
    armCalls(): Array<{ method: string; path: string; bearer: boolean; body: string }> {
        return readJsonLines(path.join(path.dirname(this.armAnswersFile), "arm-calls.jsonl"));
    }

    signingMoments(): SigningMoment[] {
        return readJsonLines<SigningMoment>(path.join(this.tools, "signing.jsonl"));
    }

    /** The kid of the key file the stack's kind cluster signs with now, or undefined when there is none. */
    clusterKid(keyDir: string): string | undefined {
        const file = path.join(keyDir.replace(/^~(?=\/)/, this.project.home), "sa.key");
        return fs.existsSync(file) ? keyId(fs.readFileSync(file, "utf8")) : undefined;
    }

    /** What an anonymous reader gets at the issuer: each document's status, content type and body. */
    async served(issuer: string): Promise<Record<string, { status: number; contentType: string; body: string }>> {
        const get = createHttpGet({ ca: [...tls.rootCertificates, fs.readFileSync(this.azurite.caFile, "utf8")] });
        const out: Record<string, { status: number; contentType: string; body: string }> = {};
        for (const p of [JWKS_PATH, DISCOVERY_PATH]) {
            const r = await get(issuer + p);
            out[p] = { status: r.status, contentType: r.contentType ?? "", body: r.body };
        }
        return out;
    }

    /** Runs pulumi with an event log; returns the result and the engine's resource steps in order. */
    async run(
        args: string[],
        extraEnv: Record<string, string> = {},
        options: { timed?: boolean } = {},
    ): Promise<PulumiResult & { steps: Array<{ op: string; type: string; urn: string }>; events: TimedEvent[] }> {
        const log = this.project.eventLogFile();
        // The log's own timestamps are whole seconds: with `timed`, each event's arrival in the file, to the millisecond.
        const arrivals = options.timed ? watchArrivals(log) : undefined;
        const r = await this.project.pulumi([...args, "--event-log", log], extraEnv).finally(() => arrivals?.stop());
        const logged = readEvents(log);
        const events = logged.map((e) => ({ kind: e.kind, op: e.op, urn: e.urn, type: e.type, atMs: arrivals?.times.get(e.sequence) }));
        const steps = logged.filter((e) => e.kind === "resourcePreEvent" && e.op !== undefined).map((e) => ({ op: e.op!, type: e.type!, urn: e.urn! }));
        return { ...r, steps, events };
    }

    /**
     * A storage account deleted by someone else (the portal, a cleanup script): gone from Azure with its containers and
     * their blobs, as Azure deletes them with it; the state still holds them.
     */
    async deleteOutsidePulumi(type: "azure-native:storage:StorageAccount", accountName: string): Promise<void> {
        const dir = path.join(this.project.standInState, "azure-native");
        for (const f of fs.readdirSync(dir)) {
            const obj = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { type: string; id: string; inputs: { accountName?: string } };
            const inAccount = obj.type === type || obj.type === "azure-native:storage:BlobContainer";
            if (inAccount && obj.inputs.accountName === accountName) {
                fs.rmSync(path.join(dir, f));
                const entry = {
                    at: Date.now(),
                    provider: "outside",
                    scope: "azure-native",
                    op: "delete",
                    type: obj.type,
                    key: nameKeyOf(obj.type, obj.inputs, obj.id),
                };
                fs.appendFileSync(this.project.callLog, `${JSON.stringify(entry)}\n`);
            }
        }
        // In a process that trusts Azurite's certificate (Node reads NODE_EXTRA_CA_CERTS only when it starts).
        const script = [
            'const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");',
            "(async () => {",
            `  const key = new StorageSharedKeyCredential(${JSON.stringify(accountName)}, ${JSON.stringify(DEV_ACCOUNT_KEY)});`,
            `  const s = new BlobServiceClient(${JSON.stringify(this.origin + accountName)}, key);`,
            "  for await (const c of s.listContainers()) await s.getContainerClient(c.name).deleteIfExists();",
            "})().catch((e) => { console.error(e.message); process.exit(1); });",
        ].join("\n");
        const r = spawnSync(process.execPath, ["-e", script], {
            cwd: REPO_ROOT,
            env: { ...process.env, NODE_EXTRA_CA_CERTS: this.azurite.caFile },
            encoding: "utf8",
            timeout: 30000,
        });
        if (r.status !== 0) throw new Error(`deleting the containers of ${accountName} in Azurite failed: ${r.stderr}`);
    }

    async stop(): Promise<void> {
        try {
            process.kill(this.front.pid, "SIGTERM");
        } catch {
            // already gone
        }
        this.project.cleanup();
        await this.azurite.stop();
    }
}

/** The stand-in providers' calls, in order, from their shared log. */
export function providerCalls(world: EngineWorld): Array<{ provider: string; op: string; scope?: string; type?: string; name?: string; key?: string }> {
    return readJsonLines(world.project.callLog);
}

/** A JSON-lines file's records, none when it does not exist yet. */
function readJsonLines<T>(file: string): T[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as T);
}
