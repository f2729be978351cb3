/**
 * Runs the real program (index.ts) under the realistic mocks, once per call, with the program's modules fresh each
 * time, the way Pulumi's language host runs it: loaded by Node's own module system through ts-node (transpile-only,
 * Sucrase), with V8's stack traces.
 *
 * Not through jest's module registry: there every evaluation reloaded the Pulumi SDK and the providers, compiled each
 * module in a vm context, and mapped every stack trace the SDK captures (one per resource and many promises) through
 * source maps, about 0.7 s an evaluation against 0.15 s here (docs/benchmarks.md). The SDK is loaded once per jest
 * worker and kept; the program's own files load anew for every evaluation, exactly as the batch plan does.
 */
import * as fs from "node:fs";
import * as nodeModule from "node:module";
import * as path from "node:path";
import { runInThisContext } from "node:vm";
import type { EvaluateOptions, Plan, PlannedResource } from "../../tools/offline/harness";
import type { AzureMocks } from "../../tools/offline/mocks";
import type { StackFile } from "../../tools/offline/stackFile";

import { PROJECT } from "../../lib/config";

export { PROJECT };

const REPO_ROOT = path.resolve(__dirname, "..", "..");

interface NativeHarness {
    evaluateProgram(opts: EvaluateOptions): Promise<Plan>;
    freshProgramLoader(program: string): () => Record<string, unknown>;
    loadStackFile(file: string): StackFile;
}

let native: NativeHarness | undefined;

/**
 * Node's own require, anchored at `file`. jest hands test code its own `module` builtin, whose createRequire resolves
 * through jest's registry; the class it derives from is Node's, whose createRequire is the real one.
 */
function nodeRequireAt(file: string): NodeJS.Require {
    const real = Object.getPrototypeOf(nodeModule.Module) as Partial<typeof nodeModule>;
    return (typeof real.createRequire === "function" ? real.createRequire : nodeModule.createRequire)(file);
}

/** The harness as Node itself loads it, once per worker process: Node's require, not jest's. */
function nativeHarness(): NativeHarness {
    if (native) return native;
    const nodeRequire = nodeRequireAt(path.join(REPO_ROOT, "index.ts"));
    // As `pulumi up` registers it: transpile-only, with the transpiler tsconfig.json names (Sucrase), once per process.
    // ts-node marks the process it registered in; jest's `process` here is a copy, so ask Node for the real one.
    const tsNode = nodeRequire("ts-node") as typeof import("ts-node");
    if (!(nodeRequire("node:process") as unknown as Record<symbol, unknown>)[tsNode.REGISTER_INSTANCE]) {
        tsNode.register({ project: path.join(REPO_ROOT, "tsconfig.json"), transpileOnly: true });
    }
    const harness = nodeRequire("./tools/offline/harness") as typeof import("../../tools/offline/harness");
    const stackFile = nodeRequire("./tools/offline/stackFile") as typeof import("../../tools/offline/stackFile");
    native = { evaluateProgram: harness.evaluateProgram, freshProgramLoader: harness.freshProgramLoader, loadStackFile: stackFile.loadStackFile };
    return native;
}

/**
 * One evaluation. The plan comes back as this test's own plain data (as the CLI prints it), and a failure as an Error
 * of this test's realm carrying the program's name and message, so jest's matchers see what they always saw.
 */
async function evaluate(opts: Omit<EvaluateOptions, "load">): Promise<Plan> {
    const harness = nativeHarness();
    // jest maps every stack trace in the process through source maps, Node's realm included; Pulumi's language host
    // does not (tools/sucraseTranspiler.js), and the SDK captures one for every resource.
    const NodeError = runInThisContext("Error") as { prepareStackTrace?: unknown };
    const prepare = NodeError.prepareStackTrace;
    NodeError.prepareStackTrace = undefined;
    try {
        const plan = await harness.evaluateProgram({ ...opts, load: harness.freshProgramLoader(path.join(REPO_ROOT, "index")) });
        return JSON.parse(JSON.stringify(plan)) as Plan;
    } catch (e) {
        const err = e as { name?: unknown; message?: unknown; stack?: unknown };
        const copy = new Error(typeof err?.message === "string" ? err.message : String(e));
        if (typeof err?.name === "string") copy.name = err.name;
        if (typeof err?.stack === "string") copy.stack = err.stack;
        throw copy;
    } finally {
        NodeError.prepareStackTrace = prepare;
    }
}

export async function runProgram(config: Record<string, unknown>, opts: { stack?: string; mocks?: AzureMocks } = {}): Promise<Plan> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
    return evaluate({ project: PROJECT, stack: opts.stack ?? "test", config: flat, mocks: opts.mocks });
}

/** Runs the program with a stack file, exactly as the offline plan reads it. */
export async function runStackFile(file: string, opts: { mocks?: AzureMocks } = {}): Promise<Plan> {
    return evaluate({ ...nativeHarness().loadStackFile(path.resolve(REPO_ROOT, file)), mocks: opts.mocks });
}

export function byName(plan: Plan, name: string): PlannedResource {
    const found = plan.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; have ${plan.resources.map((r) => r.name).join(", ")}`);
    return found;
}

export const assetText = (r: PlannedResource): string => (r.inputs.source as { asset: { text: string } }).asset.text;

/** The issuer as the published discovery document states it: what every other place must equal byte for byte. */
export const issuerOfDiscovery = (plan: Plan): string => JSON.parse(assetText(byName(plan, "issuer-discovery"))).issuer as string;

/** The example stacks a user starts from, and the fixture of the cluster's-own-keys mode: what whole-plan tests cover. */
export function exampleStackFiles(): string[] {
    const examples = fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f));
    return ["Pulumi.dev.yaml", "Pulumi.e2e.yaml", ...examples.map((f) => `examples/${f}`), "test/fixtures/Pulumi.byo.yaml"];
}
