/**
 * Runs the real program (index.ts) under the realistic mocks, once per call, the program's modules fresh each time,
 * loaded by Node's own module system as Pulumi's language host loads it (test/support/native.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EvaluateOptions, Plan, PlannedResource } from "../../tools/offline/harness";
import type { AzureMocks } from "../../tools/offline/mocks";
import { inThisRealm, nativeTooling, withoutStackFrames } from "./native";

import { PROJECT } from "../../lib/config";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { ISSUER_DOCUMENTS_TYPE } from "../../lib/trust/issuerDocuments";

export { PROJECT };

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * One evaluation, with the given mocks or fresh ones that take their keys from the worker's key pool. The plan comes
 * back as this test's own plain data (what the CLI prints), and a failure as an Error of this test's realm with the
 * program's name and message, so jest's matchers see what they always saw.
 */
async function evaluate(
    opts: Omit<EvaluateOptions, "load">,
    plugin?: PluginInputs,
    providerInputs?: ProviderInputs,
    program = path.join(REPO_ROOT, "index"),
): Promise<Plan> {
    const { harness, mocks } = nativeTooling();
    try {
        const plan = await withoutStackFrames(() =>
            harness.evaluateProgram({
                ...opts,
                mocks: opts.mocks ?? new mocks.AzureMocks({ keyPool: mocks.processKeyPool }),
                load: harness.freshProgramLoader(program),
                onProviderInputs:
                    plugin || providerInputs
                        ? (r, inputs) => {
                              providerInputs?.set(r.name, JSON.parse(JSON.stringify(inputs)));
                              if (r.type === ISSUER_DOCUMENTS_TYPE) plugin?.set(r.urn, JSON.parse(JSON.stringify(inputs)));
                          }
                        : undefined,
            }),
        );
        return JSON.parse(JSON.stringify(plan)) as Plan;
    } catch (e) {
        throw inThisRealm(e);
    }
}

/** The inputs of each resource of the project's own plugin (provider/main.ts), as the plugin receives them, by URN. */
export type PluginInputs = Map<string, Record<string, unknown>>;

/** Every resource's inputs as its provider receives them (secrets unwrapped), by resource name. */
export type ProviderInputs = Map<string, Record<string, unknown>>;

export async function runProgram(
    config: Record<string, unknown>,
    opts: {
        stack?: string;
        mocks?: AzureMocks;
        plugin?: PluginInputs;
        fingerprintSecrets?: boolean;
        providerInputs?: ProviderInputs;
        /** As `pulumi preview` (isDryRun), and where the program's warnings go. */
        preview?: boolean;
        warnings?: string[];
        /** Another program than index.ts (a path without extension), e.g. one using the package's component. */
        program?: string;
    } = {},
): Promise<Plan> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
    return evaluate(
        {
            project: PROJECT,
            stack: opts.stack ?? "test",
            config: flat,
            mocks: opts.mocks,
            fingerprintSecrets: opts.fingerprintSecrets,
            preview: opts.preview,
            onWarning: opts.warnings ? (m) => opts.warnings!.push(m) : undefined,
        },
        opts.plugin,
        opts.providerInputs,
        opts.program,
    );
}

/** Runs the program with a stack file, exactly as the offline plan reads it. */
export async function runStackFile(
    file: string,
    opts: { mocks?: AzureMocks; stack?: string; plugin?: PluginInputs; providerInputs?: ProviderInputs } = {},
): Promise<Plan> {
    const loaded = nativeTooling().stackFile.loadStackFile(path.resolve(REPO_ROOT, file));
    return evaluate({ ...loaded, stack: opts.stack ?? loaded.stack, mocks: opts.mocks }, opts.plugin, opts.providerInputs);
}

export function byName(plan: Plan, name: string): PlannedResource {
    const found = plan.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; have ${plan.resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** A document as the program publishes it (the issuer documents resource's input), by its path under the issuer. */
export function publishedDocument(plan: Plan, documentPath: string): string {
    const documents = byName(plan, "issuer-documents").inputs.documents as Array<{ path: string; text: string }>;
    const found = documents.find((d) => d.path === documentPath);
    if (!found) throw new Error(`no document ${documentPath} is published; have ${documents.map((d) => d.path).join(", ")}`);
    return found.text;
}

export const discoveryText = (plan: Plan): string => publishedDocument(plan, DISCOVERY_PATH);
export const jwksText = (plan: Plan): string => publishedDocument(plan, JWKS_PATH);

/** The issuer as the published discovery document states it: what every other place must equal byte for byte. */
export const issuerOfDiscovery = (plan: Plan): string => JSON.parse(discoveryText(plan)).issuer as string;

/** The example stacks a user starts from, and the fixture of the cluster's-own-keys mode: what whole-plan tests cover. */
export function exampleStackFiles(): string[] {
    const examples = fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f));
    return ["Pulumi.dev.yaml", "Pulumi.e2e.yaml", ...examples.map((f) => `examples/${f}`), "test/fixtures/Pulumi.byo.yaml"];
}

/** Where the plan of a stack file is recorded (test/fixtures/plans), made with the fixed test keys. */
export const recordedPlanFile = (stackFile: string): string =>
    path.join(REPO_ROOT, "test", "fixtures", "plans", `${path.basename(stackFile, ".yaml").replace(/^Pulumi\./, "")}.json`);
