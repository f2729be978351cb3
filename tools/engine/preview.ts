/**
 * What the real engine plans for a change of config: a throwaway stack deployed from the "before" stack file with the
 * stand-in providers (tools/engine/world.ts), then `pulumi preview` of the "after" stack file, read from the engine's
 * event log. The CLI is the `pulumi` on PATH, the one the user's `pulumi up` runs (tests pass the built one). The
 * user's Pulumi.yaml, stacks and state are never touched: everything happens in a temporary folder, removed after.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseStackConfig } from "../../lib/config";
import { defaultResourceGroupName, defaultStorageAccountName } from "../../lib/entra/naming";
import type { EngineStepEvent } from "../../lib/plans/changePreview";
import { MOCK_AZURE } from "../offline/mocks";
import { readProjectFile, type StackFile } from "../offline/stackFile";
import { readEvents } from "./project";
import { EngineWorld } from "./world";

/** No Pulumi CLI to ask: the change preview cannot run (exit 2). */
export class EngineMissing extends Error {}

/** The folders of the `pulumi` on PATH and its Node.js language host, or a refusal that says what to install. */
export function cliOnPath(env: NodeJS.ProcessEnv = process.env): string[] {
    const r = spawnSync("pulumi", ["version"], { encoding: "utf8", env, timeout: 30000 });
    if (r.error || r.status !== 0) {
        throw new EngineMissing(
            "the change preview asks the Pulumi engine (`pulumi preview` with stand-in providers), and no `pulumi` is on PATH: " +
                "install the Pulumi CLI 3.187 or newer (https://www.pulumi.com/docs/install/), or build one here with `npm run engine:build` " +
                "and put bin/engine/*/ on PATH",
        );
    }
    // The language host comes with the CLI, beside it or elsewhere on PATH: the engine finds it as `pulumi up` does.
    const host = spawnSync("sh", ["-c", "command -v pulumi-language-nodejs"], { encoding: "utf8", env }).stdout.trim();
    const cli = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8", env }).stdout.trim();
    return [...new Set([path.dirname(cli), ...(host ? [path.dirname(host)] : [])])];
}

/** The storage accounts a stack file's issuer lives in, as the program names them under the stand-ins (MOCK_AZURE). */
export function storageAccountsOf(stack: StackFile): string[] {
    const config = parseStackConfig(stack.config, { stack: stack.stack });
    if (config.cluster.aks) return [];
    const group = config.resourceGroupName ?? defaultResourceGroupName(stack.project, stack.stack);
    return [config.issuer.storageAccountName ?? defaultStorageAccountName(stack.project, stack.stack, MOCK_AZURE.subscriptionId, group)];
}

/**
 * A stack file's config as the throwaway stack takes it: what the file sets (Pulumi.yaml's defaults arrive from the
 * throwaway project's copy of it, as they do for `pulumi up`), secret values set with `pulumi config set --secret`.
 */
async function configure(world: EngineWorld, stack: StackFile): Promise<void> {
    const declared = readProjectFile().config ?? {};
    const isDefault = (key: string, value: string) => {
        const decl = declared[key.replace(`${stack.project}:`, "")];
        return decl !== undefined && "default" in decl && JSON.stringify(decl.default) === JSON.stringify(parseJson(value));
    };
    const plain = Object.fromEntries(
        Object.entries(stack.config)
            .filter(([k, v]) => !stack.secretKeys.includes(k) && !isDefault(k, v))
            .map(([k, v]) => [k, parseJson(v)]),
    );
    world.project.writeStack(stack.stack, plain);
    for (const key of stack.secretKeys) {
        const r = await world.project.pulumi(["config", "set", "--secret", "--stack", stack.stack, key, stack.config[key]]);
        if (r.code !== 0) throw new Error(`setting ${key} in the throwaway stack failed: ${r.stderr}`);
    }
}

/** A config value as the stack file had it: structured values arrive as JSON text, plain text as itself. */
function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

const errorLines = (out: string) =>
    out
        .split("\n")
        .filter((l) => /error/i.test(l))
        .slice(0, 20)
        .join("\n");

/** The engine's steps for going from `before` to `after` (the same stack), in the order the engine plans them. */
export async function enginePreviewSteps(before: StackFile, after: StackFile, engine?: string[]): Promise<EngineStepEvent[]> {
    const cli = engine ?? cliOnPath();
    const accounts = [...new Set([...storageAccountsOf(before), ...storageAccountsOf(after)])];
    const world = await EngineWorld.start(accounts, cli);
    try {
        const init = await world.project.pulumi(["stack", "init", after.stack]);
        if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
        await configure(world, { ...before, stack: after.stack });
        const up = await world.project.pulumi(["up", "--yes", "--skip-preview", "--stack", after.stack]);
        if (up.code !== 0) throw new Error(`deploying the "before" config with the stand-in providers failed:\n${errorLines(up.stdout) || up.stderr}`);
        await configure(world, after);
        const log = world.project.eventLogFile();
        const preview = await world.project.pulumi(["preview", "--stack", after.stack, "--event-log", log]);
        if (preview.code !== 0) throw new Error(`pulumi preview of the "after" config failed:\n${errorLines(preview.stdout) || preview.stderr}`);
        return readEvents(log)
            .filter((e) => e.kind === "resourcePreEvent" && e.op !== undefined)
            .map((e) => {
                const metadata = (e.raw.resourcePreEvent as { metadata: { keys?: string[]; diffs?: string[] } }).metadata;
                return { sequence: e.sequence, op: e.op!, urn: e.urn!, type: e.type!, keys: metadata.keys ?? [], diffs: metadata.diffs ?? [] };
            });
    } finally {
        await world.stop();
    }
}
