/** Runs the real program (index.ts) under the realistic mocks, once per call, with a fresh module graph. */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateProgram, Plan, PlannedResource } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { loadStackFile, REPO_ROOT } from "../../tools/offline/stackFile";

import { PROJECT } from "../../lib/config";

export { PROJECT };

// Each fresh evaluation loads a fresh copy of the Pulumi SDK, which adds its own process exit hook.
process.setMaxListeners(100);

/** A fresh evaluation of index.ts (jest's module registry would otherwise return the first one). */
function loadIndex(): Record<string, unknown> {
    let exports: Record<string, unknown> = {};
    jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh evaluation inside jest's isolated registry
        exports = require(path.join(REPO_ROOT, "index"));
    });
    return exports;
}

export async function runProgram(config: Record<string, unknown>, opts: { stack?: string; mocks?: AzureMocks } = {}): Promise<Plan> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
    return evaluateProgram({
        project: PROJECT,
        stack: opts.stack ?? "test",
        config: flat,
        mocks: opts.mocks,
        load: loadIndex,
    });
}

/** Runs the program with a stack file, exactly as the offline plan reads it. */
export async function runStackFile(file: string, opts: { mocks?: AzureMocks } = {}): Promise<Plan> {
    const stack = loadStackFile(path.resolve(REPO_ROOT, file));
    return evaluateProgram({
        ...stack,
        mocks: opts.mocks,
        load: loadIndex,
    });
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
