/**
 * What the real engine plans for a change of config: a throwaway stack deployed from the "before" stack file with the
 * stand-in providers (tools/engine/world.ts), then `pulumi preview` of the "after" stack file, read from the engine's
 * event log. The CLI is the `pulumi` on PATH, the one the user's `pulumi up` runs (tests pass the built one). The
 * user's Pulumi.yaml, stacks and state are never touched: everything happens in a temporary folder, removed after.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackConfig } from "../../lib/config";
import { defaultResourceGroupName, defaultStorageAccountName } from "../../lib/entra/naming";
import type { EngineStepEvent } from "../../lib/plans/changePreview";
import type { StateResource } from "../../lib/plans/destroyPlan";
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

/** What the engine plans for a destroy: its steps in order, and the state's resources they act on. */
export interface EngineDestroy {
    events: EngineStepEvent[];
    /** The deployed state's resources (`pulumi stack export`), with the dependencies the engine recorded. */
    state: StateResource[];
}

const stepsOf = (log: string): EngineStepEvent[] =>
    readEvents(log)
        .filter((e) => e.kind === "resourcePreEvent" && e.op !== undefined)
        .map((e) => {
            const metadata = (e.raw.resourcePreEvent as { metadata: { keys?: string[]; diffs?: string[] } }).metadata;
            return { sequence: e.sequence, op: e.op!, urn: e.urn!, type: e.type!, keys: metadata.keys ?? [], diffs: metadata.diffs ?? [] };
        });

/**
 * The real engine, asked about one stack file after another: one world (Azurite, the stand-in providers, a throwaway
 * file backend) for all of them. A stack is deployed from its "before" config once; every preview from that config
 * reuses the deployment (a preview changes nothing), and a different "before" of the same stack is deployed after the
 * stack's last deployment is destroyed. Stacks of other names stay deployed beside it (deploy says when they cannot).
 */
export class EnginePreviewer {
    /** The stacks deployed now, and the config each was deployed from. */
    private readonly deployed = new Map<string, string>();

    private constructor(readonly world: EngineWorld) {}

    /** A world serving the storage accounts of `stacks` (every stack file it will be asked about). */
    static async start(stacks: StackFile[], engine?: string[]): Promise<EnginePreviewer> {
        const cli = engine ?? cliOnPath();
        return new EnginePreviewer(await EngineWorld.start([...new Set(stacks.flatMap(storageAccountsOf))], cli));
    }

    /** The engine's steps for going from `before` to `after` (the same stack), in the order the engine plans them. */
    changeSteps(before: StackFile, after: StackFile): Promise<EngineStepEvent[]> {
        // One at a time: previews share the deployed stack. The same question gets the engine's same answer.
        const key = JSON.stringify([after.stack, before.config, after.config, before.secretKeys, after.secretKeys]);
        if (!this.answers.has(key)) {
            const answer = this.queue.catch(() => undefined).then(() => this.preview(before, after));
            this.queue = answer;
            this.answers.set(key, answer);
        }
        return this.answers.get(key)!;
    }

    private answers = new Map<string, Promise<EngineStepEvent[]>>();
    private queue: Promise<unknown> = Promise.resolve();

    private async preview(before: StackFile, after: StackFile): Promise<EngineStepEvent[]> {
        await this.deploy({ ...before, stack: after.stack });
        await configure(this.world, after);
        const log = this.world.project.eventLogFile();
        const preview = await this.world.project.pulumi(["preview", "--stack", after.stack, "--event-log", log]);
        // The stack's config is the "before" one again for the next preview.
        await configure(this.world, { ...before, stack: after.stack });
        if (preview.code !== 0) throw new Error(`pulumi preview of the "after" config failed:\n${errorLines(preview.stdout) || preview.stderr}`);
        return stepsOf(log);
    }

    /** What `pulumi destroy` does to a stack deployed from `stack`: `pulumi destroy --preview-only` and the state. */
    destroySteps(stack: StackFile): Promise<EngineDestroy> {
        const run = this.queue.catch(() => undefined).then(() => this.destroyPreview(stack));
        this.queue = run;
        return run;
    }

    private async destroyPreview(stack: StackFile): Promise<EngineDestroy> {
        await this.deploy(stack);
        const exported = await this.world.project.pulumi(["stack", "export", "--stack", stack.stack]);
        if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr}`);
        const state = (JSON.parse(exported.stdout) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
        const log = this.world.project.eventLogFile();
        const r = await this.world.project.pulumi(["destroy", "--preview-only", "--stack", stack.stack, "--event-log", log], {
            PULUMI_SKIP_CONFIRMATIONS: "false",
        });
        if (r.code !== 0) throw new Error(`pulumi destroy --preview-only failed:\n${errorLines(r.stdout) || r.stderr}`);
        return { events: stepsOf(log), state };
    }

    /**
     * The stack deployed from `stack`'s config. Another stack's deployment stays beside it (stack files name their own
     * Azure names, derived from the stack's name), unless the up finds a name taken: then the others are destroyed and
     * the up is tried once more. The same stack with another config is destroyed first: a fresh deployment, as the
     * "before" config's own `pulumi up` made it.
     */
    private async deploy(stack: StackFile): Promise<void> {
        const config = JSON.stringify(stack.config);
        if (this.deployed.get(stack.stack) === config) return;
        const project = this.world.project;
        if (this.deployed.has(stack.stack)) await this.destroy(stack.stack);
        if (!fs.existsSync(path.join(project.dir, `Pulumi.${stack.stack}.yaml`))) {
            const init = await project.pulumi(["stack", "init", stack.stack]);
            if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
        }
        await configure(this.world, stack);
        const upArgs = ["up", "--yes", "--skip-preview", "--stack", stack.stack];
        let up = await project.pulumi(upArgs);
        if (up.code !== 0 && this.deployed.size > 0 && /already exist/i.test(up.stdout + up.stderr)) {
            for (const other of [...this.deployed.keys()]) await this.destroy(other);
            up = await project.pulumi(upArgs);
        }
        if (up.code !== 0) throw new Error(`deploying the "before" config with the stand-in providers failed:\n${errorLines(up.stdout) || up.stderr}`);
        this.deployed.set(stack.stack, config);
    }

    private async destroy(stackName: string): Promise<void> {
        const down = await this.world.project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", stackName]);
        if (down.code !== 0) throw new Error(`destroying the throwaway stack ${stackName} failed:\n${errorLines(down.stdout) || down.stderr}`);
        this.deployed.delete(stackName);
    }

    async stop(): Promise<void> {
        await this.world.stop();
    }
}

/** The engine's steps for going from `before` to `after` (the same stack), in a world of their own. */
export async function enginePreviewSteps(before: StackFile, after: StackFile, engine?: string[]): Promise<EngineStepEvent[]> {
    const previewer = await EnginePreviewer.start([before, after], engine);
    try {
        return await previewer.changeSteps(before, after);
    } finally {
        await previewer.stop();
    }
}
