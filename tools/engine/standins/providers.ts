/**
 * The stand-in providers test:engine runs in place of those that do not build from the Go module proxy: azure-native,
 * azuread, tls, command and kubernetes. What they decide comes from lib/plans/providerRules.ts, the one cited table,
 * so the engine that drives them replaces, orders and cascades on the same rules the providers apply:
 * - Diff: the inputs the rule lists replace (a value not known yet there replaces too: the provider cannot tell it is
 *   the same name), deleted first when the rule says so; any other change is an update.
 * - Create refuses a name that already exists when the rule says the provider's does (azure-native's customCreate:
 *   "cannot create already existing resource"); Delete of something already gone succeeds (ARM answers 404, which
 *   azure-native's delete accepts); Read of something gone answers an empty id, so refresh drops it.
 * - Outputs are what the realistic mocks produce (tools/offline/mocks.ts): ARM ids, endpoints pointing at Azurite, the
 *   listKeys answer with Azurite's key. A type or function a stand-in does not know fails and names itself.
 *
 * The "cloud" is a folder (ENTRA_WIF_STANDIN_STATE): one file per live object, named by the provider and the object's
 * name where it lives, created with O_EXCL, so two creates of one name cannot both succeed, across processes.
 * Storage containers are real: created and deleted in Azurite (ENTRA_WIF_STANDIN_AZURITE), where the issuer documents'
 * own provider writes and anonymous readers read.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { changedPaths, pathMatches } from "../../../lib/plans/paths";
import { PROVIDER_RULES, ruleFor } from "../../../lib/plans/providerRules";
import { LatencyFile, latencyOf } from "../../bench/latencies";
import type { AzureMocks } from "../../offline/mocks";
import { Diff, hasUnknown, isSecret, Props, reveal, SECRET_SIG, SECRET_SIG_KEY, StandInProvider, UNKNOWN } from "./server";

/** Where a stand-in keeps the world it pretends to be, and where Azurite listens. */
export interface StandInEnv {
    stateDir: string;
    /** e.g. https://127.0.0.1:PORT/ — accounts are path-style beneath it. */
    azuriteOrigin?: string;
    /** The shared key of every account Azurite serves. */
    azuriteKey?: string;
    /** The blob endpoint's origin storage accounts report (default: Azurite's own), accounts path-style beneath it. */
    blobOrigin?: string;
    /** The static website endpoint's origin (accounts path-style beneath it), for staticWebsite hosting. */
    webOrigin?: string;
    /** Appended to by every provider call: one JSON line each, for tests that check what was called in what order. */
    callLog?: string;
    /** How long each operation takes, scaled (tools/bench/latencies.ts): the simulated `pulumi up` of the benchmark. */
    latency?: LatencyFile;
    /** Where storage data-role grants are recorded for the storage front (tools/engine/azureFront.js), and their delay. */
    grantsDir?: string;
    grantDelayMs: number;
}

export function standInEnv(env: NodeJS.ProcessEnv = process.env): StandInEnv {
    const stateDir = env.ENTRA_WIF_STANDIN_STATE;
    if (!stateDir) throw new Error("ENTRA_WIF_STANDIN_STATE is not set: the stand-in providers keep their objects there");
    return {
        stateDir,
        azuriteOrigin: env.ENTRA_WIF_STANDIN_AZURITE,
        azuriteKey: env.ENTRA_WIF_STANDIN_AZURITE_KEY,
        blobOrigin: env.ENTRA_WIF_STANDIN_BLOB,
        webOrigin: env.ENTRA_WIF_STANDIN_WEB,
        callLog: env.ENTRA_WIF_STANDIN_LOG,
        latency: env.ENTRA_WIF_STANDIN_LATENCY ? (JSON.parse(fs.readFileSync(env.ENTRA_WIF_STANDIN_LATENCY, "utf8")) as LatencyFile) : undefined,
        grantsDir: env.ENTRA_WIF_STANDIN_GRANTS,
        grantDelayMs: Number(env.ENTRA_WIF_STANDIN_GRANT_DELAY_MS ?? 0),
    };
}

const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

/** A value at a path of inputs (`metadata.name`), revealed. */
function at(inputs: Props, p: string): unknown {
    return p.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Props)[k] : undefined), reveal(inputs));
}

/** The diff the rules table gives for a type: replacements from its replaceOn, delete-first from the table. */
export function ruleDiff(type: string, oldInputs: Props, news: Props, ignore: readonly string[] = []): Diff {
    const rule = ruleFor(type);
    const strip = (p: Props) => Object.fromEntries(Object.entries(reveal(p)).filter(([k]) => !ignore.includes(k) && !k.startsWith("__")));
    const changed = changedPaths(strip(oldInputs), strip(news));
    const replaces = changed.filter((p) => rule.replaceOn === "every input" || rule.replaceOn.some((r) => pathMatches(p, r)));
    const top = (paths: string[]) => [...new Set(paths.map((p) => p.split(/[.[]/)[0]))];
    return { changes: changed.length > 0, replaces: top(replaces), deleteBeforeReplace: rule.deleteBeforeReplace, diffs: top(changed) };
}

/** An object's name where it lives, from the rule's name inputs (its id when the rule names none): what Create refuses twice. */
export function nameKeyOf(type: string, inputs: Props, id: string): string {
    const rule = PROVIDER_RULES[type];
    return rule && rule.nameInputs.length > 0 ? JSON.stringify(rule.nameInputs.map((p) => at(inputs, p))) : `id:${id}`;
}

/** One live object of the pretend world: its file, named by provider and name, holds what it was created as. */
interface LiveObject {
    type: string;
    id: string;
    outs: Props;
    inputs: Props;
}

class World {
    /**
     * The folder of this provider's objects: one per provider, and for kubernetes one per cluster, so a namespace of
     * one cluster is not a namespace of another (and goes with its cluster: the stand-in kind removes the folder).
     */
    scope: string;

    constructor(
        private readonly env: StandInEnv,
        provider: string,
    ) {
        this.scope = provider;
    }

    /** An object's file: by the rule's name inputs where the rule names any, else by its id. */
    private file(type: string, key: string): string {
        const dir = path.join(this.env.stateDir, this.scope);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        return path.join(dir, `${createHash("sha256").update(`${type}\0${key}`).digest("hex").slice(0, 32)}.json`);
    }

    nameKey(type: string, inputs: Props, id: string): string {
        return nameKeyOf(type, inputs, id);
    }

    /** Creates it; false when an object of that name already exists. */
    add(key: string, obj: LiveObject): boolean {
        try {
            fs.writeFileSync(this.file(obj.type, key), JSON.stringify(obj), { flag: "wx", mode: 0o600 });
            return true;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
            throw err;
        }
    }

    put(key: string, obj: LiveObject): void {
        fs.writeFileSync(this.file(obj.type, key), JSON.stringify(obj), { mode: 0o600 });
    }

    get(type: string, key: string): LiveObject | undefined {
        try {
            return JSON.parse(fs.readFileSync(this.file(type, key), "utf8")) as LiveObject;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw err;
        }
    }

    remove(type: string, key: string): void {
        fs.rmSync(this.file(type, key), { force: true });
    }

    /**
     * Removes every object whose id lies under `id` (ARM: a resource group's resources, an account's containers, a
     * vault's secrets, an identity's federated credentials go when it is deleted) and returns them.
     */
    removeUnder(id: string): LiveObject[] {
        const dir = path.join(this.env.stateDir, this.scope);
        if (!fs.existsSync(dir)) return [];
        const gone: LiveObject[] = [];
        for (const f of fs.readdirSync(dir)) {
            const obj = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as LiveObject;
            if (obj.id.toLowerCase().startsWith(`${id.toLowerCase()}/`)) {
                fs.rmSync(path.join(dir, f), { force: true });
                gone.push(obj);
            }
        }
        return gone;
    }
}

/** Waits as long as the operation takes in Azure (the benchmark's simulated up); at once otherwise. */
function takeTime(env: StandInEnv, type: string, name: string, op: "create" | "update" | "delete"): Promise<void> {
    const seconds = env.latency ? latencyOf(env.latency, type, name, op) : 0;
    return seconds > 0 ? new Promise((resolve) => setTimeout(resolve, seconds * 1000)) : Promise.resolve();
}

function logCall(env: StandInEnv, entry: Record<string, unknown>): void {
    if (env.callLog) fs.appendFileSync(env.callLog, `${JSON.stringify({ at: Date.now(), ...entry })}\n`);
}

/** What a stand-in does beyond the world's bookkeeping, per type: the outputs, and side effects in Azurite or a shell. */
interface Behaviour {
    outputs(type: string, name: string, inputs: Props): Promise<{ id: string; outs: Props }>;
    /** After the object is in the world (a container in Azurite, a script run). */
    created?(type: string, inputs: Props, outs: Props): Promise<Props | void>;
    updated?(type: string, olds: Props, news: Props): Promise<Props | void>;
    deleted?(type: string, state: Props): Promise<void>;
    invoke?(token: string, args: Props): Promise<Props>;
    /** Deleting an object deletes what lies under its id (ARM's parent and child resources). */
    cascade?: boolean;
    /** Inputs the provider's Diff does not look at. */
    ignoreInDiff?: readonly string[];
    /** Output properties the provider marks secret. */
    secretOutputs?: readonly string[];
}

/** A stand-in from a behaviour: the rules table decides diff and create-refusal; the world remembers. */
export function standIn(
    name: string,
    version: string,
    behaviour: Behaviour,
    env: StandInEnv = standInEnv(),
    scope?: (config: Props) => string,
): StandInProvider {
    const world = new World(env, name);
    const known = (type: string) => {
        if (!PROVIDER_RULES[type])
            throw new Error(`the ${name} stand-in does not know ${type}: add it to lib/plans/providerRules.ts, read from the provider's source`);
        return PROVIDER_RULES[type];
    };
    const markSecrets = (outs: Props) =>
        Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, behaviour.secretOutputs?.includes(k) && !isSecret(v) && v !== undefined ? secret(v) : v]));
    return {
        name,
        version,
        configure(config) {
            if (scope) world.scope = scope(config);
        },
        diff(type, _name, oldInputs, _olds, news) {
            known(type);
            return ruleDiff(type, oldInputs, news, behaviour.ignoreInDiff);
        },
        async create(type, resourceName, inputs, preview) {
            const rule = known(type);
            if (preview) return { id: "", outs: inputs };
            await takeTime(env, type, resourceName, "create");
            const { id, outs } = await behaviour.outputs(type, resourceName, reveal(inputs));
            const key = world.nameKey(type, inputs, id);
            const obj: LiveObject = { type, id, outs: markSecrets({ ...inputs, ...outs }), inputs };
            if (!world.add(key, obj)) {
                if (rule.createRefusesExisting) {
                    logCall(env, { provider: name, scope: world.scope, op: "create-refused", type, name: resourceName, key });
                    throw new Error(`cannot create already existing resource ${id} (${type} ${resourceName}: ${key} exists)`);
                }
                world.put(key, obj);
            }
            logCall(env, { provider: name, scope: world.scope, op: "create", type, name: resourceName, key });
            try {
                const extra = await behaviour.created?.(type, reveal(inputs), obj.outs);
                if (extra) obj.outs = markSecrets({ ...obj.outs, ...extra });
                world.put(key, obj);
            } catch (err) {
                world.remove(type, key);
                throw err;
            }
            return { id, outs: obj.outs };
        },
        async read(type, resourceName, id, state, inputs) {
            known(type);
            const key = world.nameKey(type, Object.keys(inputs).length ? inputs : state, id);
            const obj = world.get(type, key);
            logCall(env, { provider: name, op: "read", type, name: resourceName, key, found: obj !== undefined });
            return obj ? { id: obj.id, outs: obj.outs, inputs: obj.inputs } : undefined;
        },
        async update(type, resourceName, id, olds, news, preview) {
            known(type);
            if (preview) return { ...olds, ...news };
            await takeTime(env, type, resourceName, "update");
            const { outs } = await behaviour.outputs(type, resourceName, reveal(news));
            const key = world.nameKey(type, news, id);
            const obj: LiveObject = { type, id, outs: markSecrets({ ...news, ...outs }), inputs: news };
            const extra = await behaviour.updated?.(type, reveal(olds), reveal(news));
            if (extra) obj.outs = markSecrets({ ...obj.outs, ...extra });
            world.put(key, obj);
            logCall(env, { provider: name, op: "update", type, name: resourceName, key });
            return obj.outs;
        },
        async delete(type, resourceName, id, state) {
            known(type);
            const key = world.nameKey(type, state, id);
            await takeTime(env, type, resourceName, "delete");
            await behaviour.deleted?.(type, reveal(state));
            world.remove(type, key);
            logCall(env, { provider: name, scope: world.scope, op: "delete", type, name: resourceName, key });
            for (const child of behaviour.cascade ? world.removeUnder(id) : []) {
                await behaviour.deleted?.(child.type, reveal(child.inputs));
                logCall(env, {
                    provider: name,
                    scope: world.scope,
                    op: "delete",
                    type: child.type,
                    with: id,
                    key: world.nameKey(child.type, child.inputs, child.id),
                });
            }
        },
        async invoke(token, args) {
            if (!behaviour.invoke) throw new Error(`the ${name} stand-in answers no function; the program called ${token}`);
            logCall(env, { provider: name, op: "invoke", token });
            return behaviour.invoke(token, args);
        },
    };
}

/** The realistic mocks, pointed at Azurite: the same outputs the offline plan computes with. */
function mocksFor(env: StandInEnv): AzureMocks {
    const origin = env.blobOrigin ?? env.azuriteOrigin;
    // Loaded on first use: every `pulumi` command starts each stand-in, and only some answer with mock outputs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AzureMocks } = require("../../offline/mocks") as typeof import("../../offline/mocks");
    return new AzureMocks({
        ...(origin ? { blobEndpoint: (account) => `${origin}${account}/` } : {}),
        ...(env.webOrigin ? { webEndpoint: (account) => `${env.webOrigin}${account}/` } : {}),
        ...(env.azuriteKey ? { storageAccountKey: () => env.azuriteKey! } : {}),
    });
}

/** The mocks, made when first asked for (a preview asks for none): one instance a process, so a key keeps its name. */
function lazyMocks(env: StandInEnv): () => AzureMocks {
    let made: AzureMocks | undefined;
    return () => (made ??= mocksFor(env));
}

async function mockOutputs(mocks: AzureMocks, type: string, name: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    const r = await mocks.newResource({ type, name, inputs, provider: "", id: "", custom: true } as never);
    return { id: r.id ?? "", outs: r.state };
}

/** The blob service of one Azurite account, with the account's shared key. */
async function blobService(env: StandInEnv, account: string) {
    if (!env.azuriteOrigin || !env.azuriteKey) throw new Error("ENTRA_WIF_STANDIN_AZURITE and ENTRA_WIF_STANDIN_AZURITE_KEY are not set");
    const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
    return new BlobServiceClient(`${env.azuriteOrigin}${account}`, new StorageSharedKeyCredential(account, env.azuriteKey));
}

export function azureNative(env: StandInEnv = standInEnv()): StandInProvider {
    const mocks = lazyMocks(env);
    return standIn(
        "azure-native",
        "3.28.0",
        {
            outputs: (type, name, inputs) => mockOutputs(mocks(), type, name, inputs),
            async created(type, inputs) {
                if (type === "azure-native:keyvault:Vault" && fs.existsSync(path.join(env.stateDir, "soft-deleted-vaults", String(inputs.vaultName)))) {
                    throw new Error(
                        `(VaultAlreadyExists) The vault name '${String(inputs.vaultName)}' is already in use by a soft-deleted vault; purge it first`,
                    );
                }
                if (type === "azure-native:storage:BlobContainer") {
                    const service = await blobService(env, String(inputs.accountName));
                    await service
                        .getContainerClient(String(inputs.containerName))
                        .createIfNotExists({ access: inputs.publicAccess === "Blob" ? "blob" : inputs.publicAccess === "Container" ? "container" : undefined });
                }
                // A storage data role takes time to reach the blob service: recorded with the moment it becomes
                // effective, which the storage front honours (tools/engine/azureFront.js).
                // Which group each account is in, for the front to honour a grant made on the group (the stack's own).
                if (type === "azure-native:storage:StorageAccount" && env.grantsDir) {
                    fs.mkdirSync(path.join(env.grantsDir, "accounts"), { recursive: true });
                    fs.writeFileSync(path.join(env.grantsDir, "accounts", String(inputs.accountName)), String(inputs.resourceGroupName));
                }
                if (type === "azure-native:authorization:RoleAssignment" && env.grantsDir) {
                    const propagation = env.latency?.table["azure-native:authorization:RoleAssignment"]?.propagation;
                    const delayMs = propagation !== undefined && env.latency ? propagation * env.latency.scale * 1000 : env.grantDelayMs;
                    fs.mkdirSync(env.grantsDir, { recursive: true });
                    fs.writeFileSync(
                        path.join(env.grantsDir, `${String(inputs.roleAssignmentName)}.json`),
                        JSON.stringify({
                            scope: inputs.scope,
                            principalId: inputs.principalId,
                            roleDefinitionId: inputs.roleDefinitionId,
                            effectiveAt: Date.now() + delayMs,
                        }),
                    );
                }
                // Earlier versions' documents (test/engine/upgrade.test.ts): a blob of a StringAsset, as azure-native's
                // blob_azidentity create uploads it, and the website azure-native's staticWebsite_azidentity turns on.
                if (type === "azure-native:storage:Blob") {
                    const service = await blobService(env, String(inputs.accountName));
                    const text = String((inputs.source as { text?: string } | undefined)?.text ?? "");
                    await service
                        .getContainerClient(String(inputs.containerName))
                        .getBlockBlobClient(String(inputs.blobName))
                        .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: inputs.contentType as string | undefined } });
                }
                if (type === "azure-native:storage:StorageAccountStaticWebsite") {
                    const service = await blobService(env, String(inputs.accountName));
                    await service.setProperties({ staticWebsite: { enabled: true } });
                    await service.getContainerClient("$web").createIfNotExists();
                }
            },
            async deleted(type, state) {
                // Soft-delete is on for every vault and holds its name until it is purged (Microsoft Learn, "Azure Key
                // Vault soft-delete overview": the name of a soft-deleted vault cannot be reused until it is purged).
                if (type === "azure-native:keyvault:Vault") {
                    fs.mkdirSync(path.join(env.stateDir, "soft-deleted-vaults"), { recursive: true });
                    fs.writeFileSync(path.join(env.stateDir, "soft-deleted-vaults", String(state.vaultName)), "");
                }
                // What goes with an account or a container in Azure goes here too: the blobs anonymous readers read.
                if (type === "azure-native:storage:BlobContainer") {
                    const service = await blobService(env, String(state.accountName));
                    await service.getContainerClient(String(state.containerName)).deleteIfExists();
                }
                if (type === "azure-native:authorization:RoleAssignment" && env.grantsDir) {
                    fs.rmSync(path.join(env.grantsDir, `${String(state.roleAssignmentName)}.json`), { force: true });
                }
                // azure-native's deletes of the earlier versions' resources: the blob itself; the website turned off.
                if (type === "azure-native:storage:Blob") {
                    const service = await blobService(env, String(state.accountName));
                    // Gone with its container already (a destroy's cascade): nothing left to delete.
                    await service
                        .getContainerClient(String(state.containerName))
                        .getBlockBlobClient(String(state.blobName))
                        .deleteIfExists()
                        .catch((err: { code?: string }) => {
                            if (err.code !== "ContainerNotFound") throw err;
                        });
                }
                if (type === "azure-native:storage:StorageAccountStaticWebsite") {
                    const service = await blobService(env, String(state.accountName));
                    await service.setProperties({ staticWebsite: { enabled: false } });
                }
                if (type === "azure-native:storage:StorageAccount") {
                    const service = await blobService(env, String(state.accountName));
                    for await (const c of service.listContainers()) await service.getContainerClient(c.name).deleteIfExists();
                }
            },
            invoke: async (token, args) => mocks().call({ token, inputs: args } as never),
            cascade: true,
        },
        env,
    );
}

export function azuread(env: StandInEnv = standInEnv()): StandInProvider {
    const mocks = lazyMocks(env);
    return standIn("azuread", "6.9.1", { outputs: (type, name, inputs) => mockOutputs(mocks(), type, name, inputs) }, env);
}

export function tls(env: StandInEnv = standInEnv()): StandInProvider {
    const mocks = lazyMocks(env);
    return standIn(
        "tls",
        "5.6.1",
        {
            outputs: (type, name, inputs) => mockOutputs(mocks(), type, name, inputs),
            // terraform-provider-tls resource_private_key.go marks the private key forms Sensitive.
            secretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
        },
        env,
    );
}

/** Runs one of a Command's scripts as pulumi-command's local.Command does: its interpreter, its environment, its dir. */
function runScript(script: string, inputs: Props, previous?: Props): Promise<{ stdout: string; stderr: string }> {
    const interpreter = (inputs.interpreter as string[] | undefined) ?? ["/bin/sh", "-c"];
    const environment = Object.fromEntries(Object.entries((inputs.environment as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]));
    // addPreviousOutputInEnv (default true): the previous run's output reaches update and delete.
    const previousEnv = previous ? { PULUMI_COMMAND_STDOUT: String(previous.stdout ?? ""), PULUMI_COMMAND_STDERR: String(previous.stderr ?? "") } : {};
    return new Promise((resolve, reject) => {
        const child = spawn(interpreter[0], [...interpreter.slice(1), script], {
            cwd: (inputs.dir as string | undefined) ?? process.cwd(),
            env: { ...process.env, ...previousEnv, ...environment },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        // The engine's own default timeout bounds every step; this bounds a script that never ends.
        const timer = setTimeout(() => child.kill("SIGKILL"), 10 * 60 * 1000);
        child.on("close", (code) => {
            clearTimeout(timer);
            // local.Command trims the output (commandOutputs.go), and fails with it when the script fails.
            if (code === 0) resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
            else reject(new Error(`exit status ${code}: running ${JSON.stringify(script.split("\n")[0])}:\nStdout:\n${stdout}\nStderr:\n${stderr}`));
        });
    });
}

export function command(env: StandInEnv = standInEnv()): StandInProvider {
    return standIn(
        "command",
        "1.2.1",
        {
            outputs: async (_type, name) => ({
                id: `${name}-${createHash("sha256").update(`${Date.now()}${Math.random()}`).digest("hex").slice(0, 8)}`,
                outs: {},
            }),
            async created(_type, inputs) {
                return inputs.create ? runScript(String(inputs.create), inputs) : { stdout: "", stderr: "" };
            },
            async updated(_type, olds, news) {
                const script = news.update ?? news.create;
                return script ? runScript(String(script), news, olds) : { stdout: "", stderr: "" };
            },
            async deleted(_type, state) {
                if (state.delete) await runScript(String(state.delete), state, state);
            },
            // Which script runs, and how it logs, is not part of what it did: pulumi-command diffs them as updates of
            // nothing in the world; here they still count as changes so a new script runs, as the real provider's does.
        },
        env,
    );
}

export function kubernetes(env: StandInEnv = standInEnv()): StandInProvider {
    const mocks = lazyMocks(env);
    const provider = standIn("kubernetes", "4.34.2", { outputs: (type, name, inputs) => mockOutputs(mocks(), type, name, inputs) }, env, (config) =>
        clusterScope(kubeconfigCluster(config.kubeconfig) ?? `context ${String(reveal(config.context) ?? "")}`),
    );
    return {
        ...provider,
        // pulumi-kubernetes provider.go DiffConfig: the provider is replaced when the kubeconfig's active cluster or
        // context changes, or is not known yet (and with it every object it manages); other changes are updates.
        diffConfig(olds, news) {
            const identity = (p: Props) => ({
                cluster: hasUnknown(p.kubeconfig) ? UNKNOWN : kubeconfigCluster(p.kubeconfig),
                context: reveal(p.context) ?? null,
            });
            const d = ruleDiff("pulumi:providers:kubernetes", identity(olds), identity(news));
            return { ...d, changes: d.changes || JSON.stringify(reveal(olds)) !== JSON.stringify(reveal(news)) };
        },
    };
}

/** The world folder of one cluster's objects (the stand-in kind computes the same, to remove it with the cluster). */
export function clusterScope(cluster: string): string {
    return path.join("kubernetes", createHash("sha256").update(cluster).digest("hex").slice(0, 16));
}

/** The cluster a kubeconfig's current context points at (its server), or null without a kubeconfig. */
export function kubeconfigCluster(kubeconfig: unknown): string | null {
    const text = reveal(kubeconfig);
    if (typeof text !== "string" || text === "") return null;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k = (require("yaml") as typeof import("yaml")).parse(text) as {
        "current-context"?: string;
        contexts?: Array<{ name: string; context: { cluster: string } }>;
        clusters?: Array<{ name: string; cluster: { server: string } }>;
    };
    const context = k.contexts?.find((c) => c.name === k["current-context"])?.context;
    const cluster = k.clusters?.find((c) => c.name === context?.cluster)?.cluster;
    return `${k["current-context"] ?? ""} ${cluster?.server ?? ""}`;
}

/** The stand-ins, by plugin name. */
export const STAND_INS: Record<string, () => StandInProvider> = {
    "azure-native": azureNative,
    azuread,
    tls,
    command,
    kubernetes,
};
