/**
 * The program's tooling (harness, mocks, the plan CLI's code) loaded by Node's own module system inside a jest
 * worker, the way Pulumi's language host loads a program: ts-node, transpile-only, with the transpiler tsconfig.json
 * names (Sucrase).
 *
 * Not through jest's module registry: there every evaluation reloaded the Pulumi SDK and the providers, compiled each
 * module in a vm context and mapped every stack trace the SDK captures (one per resource and many promises) through
 * source maps (docs/benchmarks.md has the figures). Node's module cache belongs to the
 * worker process, so the SDK loads once per worker and stays; the program's own files load anew for every evaluation
 * (harness.freshProgramLoader), as a new process would load them.
 */
import * as nodeModule from "node:module";
import * as path from "node:path";
import { runInThisContext } from "node:vm";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

import type { RelyingParty } from "./relyingParty";

export interface NativeTooling {
    harness: typeof import("../../tools/offline/harness");
    mocks: typeof import("../../tools/offline/mocks");
    plan: typeof import("../../tools/offline/plan");
    changes: typeof import("../../tools/offline/changes");
    enginePreview: typeof import("../../tools/engine/preview");
    stackFile: typeof import("../../tools/offline/stackFile");
    relyingParty: typeof import("./relyingParty");
}

/**
 * Node's own require, anchored at `file`. jest hands test code its own `module` builtin, whose createRequire resolves
 * through jest's registry; the class it derives from is Node's, whose createRequire is the real one.
 */
export function nodeRequire(file: string): NodeJS.Require {
    const real = Object.getPrototypeOf(nodeModule.Module) as Partial<typeof nodeModule> & { _cache?: unknown };
    const nodeRequire = (typeof real.createRequire === "function" ? real.createRequire : nodeModule.createRequire)(file);
    // Node's own require shares Node's module cache; jest's keeps its own. Evaluating through jest's would quietly
    // reuse the first evaluation's modules.
    if (nodeRequire.cache !== real._cache) throw new Error("test/support/native.ts: could not reach Node's own require from inside jest");
    return nodeRequire;
}

let tooling: NativeTooling | undefined;

/** The tooling as Node loads it: registered and required once per process, then taken from Node's cache. */
export function nativeTooling(): NativeTooling {
    if (tooling) return tooling;
    const req = nodeRequire(path.join(REPO_ROOT, "index.ts"));
    // ts-node marks the process it registered in; jest's `process` is a copy, so ask Node for the real one.
    const tsNode = req("ts-node") as typeof import("ts-node");
    if (!(req("node:process") as unknown as Record<symbol, unknown>)[tsNode.REGISTER_INSTANCE]) {
        tsNode.register({ project: path.join(REPO_ROOT, "tsconfig.json"), transpileOnly: true });
    }
    tooling = {
        harness: req("./tools/offline/harness"),
        mocks: req("./tools/offline/mocks"),
        plan: req("./tools/offline/plan"),
        changes: req("./tools/offline/changes"),
        // Loaded on first use: only the engine tier asks for it.
        get enginePreview() {
            return req("./tools/engine/preview") as typeof import("../../tools/engine/preview");
        },
        stackFile: req("./tools/offline/stackFile"),
        relyingParty: req("./test/support/relyingParty"),
    };
    return tooling;
}

/**
 * Runs `body` (an evaluation) with Node's realm capturing no stack frames, formatted by V8 itself. The Pulumi SDK
 * captures a stack trace for every resource and most of its promises, for its own debug output: formatted by the
 * source maps jest installs in the worker (Node's realm included; Pulumi's language host does not,
 * tools/sucraseTranspiler.js) that was most of an evaluation, and even unformatted over a third of it. What the
 * tests read (registrations, outputs, error names and messages) does not depend on them; an error's frames are one
 * `PLAN_DEBUG=1 npm run --silent plan -- --stack-file <file>` away.
 */
export async function withoutStackFrames<T>(body: () => Promise<T>): Promise<T> {
    const NodeError = runInThisContext("Error") as { prepareStackTrace?: unknown; stackTraceLimit: number };
    const { prepareStackTrace, stackTraceLimit } = NodeError;
    NodeError.prepareStackTrace = undefined;
    NodeError.stackTraceLimit = 0;
    try {
        return await body();
    } finally {
        NodeError.prepareStackTrace = prepareStackTrace;
        NodeError.stackTraceLimit = stackTraceLimit;
    }
}

/**
 * An error of Node's realm as one of this test's realm, carrying the same name, message and stack, and the mark the
 * SDK's RunError.isInstance reads: jest's matchers then see what they would see had the program run inside jest.
 */
export function inThisRealm(e: unknown): Error {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown; __pulumiRunError?: unknown } | null;
    const copy = new Error(typeof err?.message === "string" ? err.message : String(e));
    if (typeof err?.name === "string") copy.name = err.name;
    if (typeof err?.stack === "string") copy.stack = err.stack;
    if (err?.__pulumiRunError === true) Object.assign(copy, { __pulumiRunError: true });
    return copy;
}

/** Whether an error is the SDK's RunError (Pulumi prints its message alone), as RunError.isInstance decides. */
export const isRunError = (e: unknown): boolean => (e as { __pulumiRunError?: unknown } | null)?.__pulumiRunError === true;

/**
 * The worker's relying party for the certificate `caFile` (test/support/relyingParty.ts): the first test file that
 * asks starts it, the next ones in the same worker reuse it, instead of each starting a process that loads the ESM
 * clients and @azure/storage-blob again. It belongs to Node's realm of the worker, not to a test file, and is ended by
 * its PID when the worker exits (and, were the worker killed, by the end of its input).
 */
export function sharedRelyingParty(caFile: string): RelyingParty {
    const worker = runInThisContext("globalThis") as { entraWifRelyingParties?: Map<string, RelyingParty> };
    if (!worker.entraWifRelyingParties) {
        const parties = new Map<string, RelyingParty>();
        worker.entraWifRelyingParties = parties;
        (nodeRequire(path.join(REPO_ROOT, "index.ts"))("node:process") as NodeJS.Process).on("exit", () => parties.forEach((rp) => rp.kill()));
    }
    let rp = worker.entraWifRelyingParties.get(caFile);
    if (!rp) {
        const { relyingParty } = nativeTooling().relyingParty;
        rp = relyingParty(caFile);
        worker.entraWifRelyingParties.set(caFile, rp);
    }
    return rp;
}
