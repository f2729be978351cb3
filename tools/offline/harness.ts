/**
 * Evaluates the real program (index.ts) under Pulumi's mocks and records what it sends to the engine: every
 * resource registration with its parent, dependencies, deletedWith and serialized inputs. Used by the offline
 * plan and by the program tests, so both see exactly what `pulumi up` would send.
 */
import { createHmac, randomBytes } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { GraphResource } from "../../lib/plans/graph";
import { AzureMocks } from "./mocks";
import { REPO_ROOT } from "./stackFile";

/** Signatures Pulumi uses in serialized property values (sdk/nodejs/runtime/rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Printed in place of every secret value. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A registration as recorded: what the graph draws (provider: `<provider urn>::<id>`, explicit or inherited), and more. */
export interface PlannedResource extends GraphResource {
    deletedWith: string | null;
    /** Resource options that change how the engine replaces or stores the resource (only those set). */
    options: {
        deleteBeforeReplace?: true;
        retainOnDelete?: true;
        replaceOnChanges?: string[];
        additionalSecretOutputs?: string[];
        ignoreChanges?: string[];
        aliases?: unknown[];
    };
    inputs: Record<string, unknown>;
}

export interface Plan {
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
}

export interface EvaluateOptions {
    project: string;
    stack: string;
    /** Flat config as Pulumi passes it: "namespace:key" → string (structured values as JSON). */
    config: Record<string, string>;
    /** Config keys whose values are secret. */
    secretKeys?: string[];
    /** Loads the program and returns its exports (a fresh module evaluation each time). */
    load: () => Record<string, unknown>;
    /** The mocks to answer with; a fresh AzureMocks when absent. */
    mocks?: AzureMocks;
    /** Receives what the program warns of (pulumi.log.warn); dropped when absent. */
    onWarning?: (message: string) => void;
    /** Evaluate as `pulumi preview` does (pulumi.runtime.isDryRun() true) rather than as `pulumi up`. */
    preview?: boolean;
    /**
     * Render each secret input as `[secret #<fingerprint>]` instead of `[secret]`: a keyed hash (HMAC-SHA-256 under a key
     * made for this process and never kept), so two evaluations in one process can tell a changed secret from an
     * unchanged one, while the value cannot be recovered from it. For the change preview, which prints no input values.
     */
    fingerprintSecrets?: boolean;
    /**
     * Receives every registration's inputs as its provider receives them, secrets unwrapped: for tests that run what
     * the program hands a provider (the kind Command's scripts with their environment, the key files they write).
     */
    onProviderInputs?: (resource: { urn: string; type: string; name: string }, inputs: Record<string, unknown>) => void;
}

/**
 * Renders a serialized property value: secrets masked (as `secret(value)` renders them), assets as their text, resource
 * references as URNs.
 */
export function renderValue(v: unknown, secret: (value: unknown) => string = () => SECRET_PLACEHOLDER): unknown {
    const render = (x: unknown) => renderValue(x, secret);
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(render);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        switch (o[SIG_KEY]) {
            case SECRET_SIG:
                return secret(o.value);
            case ASSET_SIG:
                return { asset: o.text !== undefined ? { text: o.text } : o.path !== undefined ? { path: o.path } : { uri: o.uri } };
            case ARCHIVE_SIG:
                return { archive: o.path ?? o.uri ?? "[assets]" };
            case RESOURCE_SIG:
                return o.urn;
            case OUTPUT_SIG:
                return o.secret ? secret(o.value) : render(o.value);
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, render(x)]));
    }
    return v;
}

/** A serialized value as a provider that accepts no secrets receives it: secrets unwrapped, the rest as sent. */
function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG_KEY] === SECRET_SIG) return unwrapSecrets(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

/** The key of this process's secret fingerprints: random, in memory only. */
const FINGERPRINT_KEY = randomBytes(32);

/** A secret as the change preview compares it: `[secret #…]`, a keyed hash of the value (see fingerprintSecrets). */
export function secretFingerprint(value: unknown): string {
    return `[secret #${createHmac("sha256", FINGERPRINT_KEY)
        .update(JSON.stringify(value ?? null))
        .digest("hex")
        .slice(0, 16)}]`;
}

/** Resolves an export (Output or plain) to its rendered value, masking secrets. */
async function resolveExport(value: unknown): Promise<unknown> {
    const out = pulumi.output(value) as any;
    const [resolved, secret] = await Promise.all([out.promise(), out.isSecret]);
    if (secret) return SECRET_PLACEHOLDER;
    return resolved === undefined ? undefined : JSON.parse(JSON.stringify(resolved));
}

/**
 * A loader that evaluates the program anew on every call, as a new process would: the program's own modules (those
 * under its folder and under this repository, outside node_modules) are dropped from Node's module cache first. The
 * SDK, the providers and this tooling stay loaded, so every evaluation talks to the same Pulumi runtime the harness
 * set mocks on.
 */
export function freshProgramLoader(program: string): () => Record<string, unknown> {
    const roots = [...new Set([path.dirname(program), REPO_ROOT])];
    const ours = (key: string) =>
        roots.some((root) => key.startsWith(root + path.sep) && !key.startsWith(path.join(root, "tools") + path.sep)) &&
        !key.includes(`${path.sep}node_modules${path.sep}`);
    return () => {
        for (const key of Object.keys(require.cache)) if (ours(key)) delete require.cache[key];
        // The program itself too, wherever it lives (the benchmark's baseline is under tools/).
        delete require.cache[require.resolve(program)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is named by path at run time, and must load anew
        const exports = require(program) as Record<string, unknown>;
        // Node lists every module a module required among its children; dropped from the cache, the previous
        // evaluations' module graphs would otherwise live on there.
        module.children = module.children.filter((child) => !ours(child.filename) && child.filename !== require.resolve(program));
        return exports;
    };
}

function waitForRPCs(): Promise<void> {
    // Not re-exported on pulumi.runtime in every SDK version; the settings module always has it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings");
    return settings.waitForRPCs();
}

/**
 * Runs the program under mocks. Throws what the program throws (a config error before any registration, for
 * instance), or the first failure of an asynchronous registration.
 */
export async function evaluateProgram(opts: EvaluateOptions): Promise<Plan> {
    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
    await pulumi.runtime.setMocks(opts.mocks ?? new AzureMocks(), opts.project, opts.stack, opts.preview ?? false);

    const recorded: Array<Promise<PlannedResource>> = [];
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
        recorded.push(
            new Promise<PlannedResource>((resolve, reject) => {
                register(req, (err: unknown, resp: any) => {
                    callback(err, resp);
                    if (err) {
                        reject(err);
                        return;
                    }
                    opts.onProviderInputs?.(
                        { urn: resp.getUrn(), type: req.getType(), name: req.getName() },
                        unwrapSecrets(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    );
                    resolve({
                        urn: resp.getUrn(),
                        type: req.getType(),
                        name: req.getName(),
                        custom: req.getCustom(),
                        parent: req.getParent() || null,
                        dependsOn: [...req.getDependenciesList()].sort(),
                        deletedWith: req.getDeletedwith() || null,
                        provider: req.getProvider() || null,
                        options: {
                            ...(req.getDeletebeforereplace() ? { deleteBeforeReplace: true as const } : {}),
                            ...(req.getRetainondelete() ? { retainOnDelete: true as const } : {}),
                            ...(req.getReplaceonchangesList().length ? { replaceOnChanges: [...req.getReplaceonchangesList()] } : {}),
                            ...(req.getAdditionalsecretoutputsList().length ? { additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()] } : {}),
                            ...(req.getIgnorechangesList().length ? { ignoreChanges: [...req.getIgnorechangesList()] } : {}),
                            ...(req.getAliasesList().length ? { aliases: req.getAliasesList().map((a: any) => a.getUrn() || a.getSpec()?.toObject()) } : {}),
                        },
                        inputs: renderValue(req.getObject()?.toJavaScript() ?? {}, opts.fingerprintSecrets ? secretFingerprint : undefined) as Record<
                            string,
                            unknown
                        >,
                    });
                });
            }),
        );
    };

    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // The program's warnings (pulumi.log.warn) go to the engine under `pulumi up`; offline, to opts.onWarning, not to
    // stderr, where the plan CLI says them in its own words.
    const log = pulumi.log as { warn: (msg: string) => Promise<void> };
    const warn = log.warn;
    log.warn = async (msg: string) => opts.onWarning?.(msg);
    try {
        const exports = opts.load();
        const outputs: Record<string, unknown> = {};
        for (const key of Object.keys(exports).sort()) {
            // An export that is undefined for this stack's mode is no output at all, as `pulumi stack output` shows it.
            const value = await resolveExport(exports[key]);
            if (value !== undefined) outputs[key] = value;
        }
        await waitForRPCs();
        const resources = (await Promise.all(recorded)).sort((a, b) => a.urn.localeCompare(b.urn));
        if (failures.length > 0) throw failures[0];
        return { stack: opts.stack, resources, outputs };
    } catch (err) {
        // A failed program (a rejected input) still has registrations in flight that reject with the same error:
        // they settle here, while this evaluation's handler is on, not in the next evaluation's.
        await waitForRPCs().catch(() => undefined);
        throw err;
    } finally {
        log.warn = warn;
        process.off("unhandledRejection", onRejection);
    }
}
