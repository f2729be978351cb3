/**
 * The plan: evaluates the real program under realistic mocks and prints, as one JSON document, every resource it
 * would register and every output — no cloud credentials, no Pulumi CLI.
 *
 *   npm run --silent plan -- --stack-file Pulumi.dev.yaml [--graph | --destroy [--json] | --from <before.yaml> [--json]]
 *
 * With --graph it prints the resource graph as a Mermaid flowchart instead. --destroy and --from ask the Pulumi
 * engine (the pulumi on PATH) with the stand-in providers, in a throwaway folder (tools/engine/preview.ts): --destroy
 * what `pulumi destroy` would do, in its order, one line a resource (--json: as JSON); --from what `pulumi up` would
 * do to a stack deployed from <before.yaml> to make it what --stack-file says (lib/plans/changePreview.ts), exit 3
 * when a change breaks an invariant (a create over a name that still exists, a delete the README's rights cannot
 * make, a kid the cluster signs with that Entra cannot find); exit 2 with no pulumi on PATH.
 * Secrets print as "[secret]". A bad config exits 1 with one message on stderr and nothing on stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { engineChangePreview, formatChangePreview } from "../../lib/plans/changePreview";
import { formatDestroyPlan, stateDestroyPlan } from "../../lib/plans/destroyPlan";
import { mermaidGraph, shortType } from "../../lib/plans/graph";
import { ConfigError, ConfigProblems, configWarnings, parseStackConfig, PROJECT } from "../../lib/config";
import type { AzureMocks } from "./mocks";
import { Flag, formatHelp, INFO_FLAGS, infoRequested } from "../cli";
import { loadStackFile, REPO_ROOT, type StackFile, StackFileError } from "./stackFile";
import type { EnginePreviewer } from "../engine/preview";

const USAGE =
    "usage: npm run --silent plan -- --stack-file <Pulumi.<stack>.yaml> | --stack <name> " +
    "[--graph | --destroy [--json] | --from <Pulumi.<stack>.yaml before> [--json]]   (--help explains every flag)";

/** Every flag, as --help prints it and the README's table lists it. */
export const PLAN_FLAGS: readonly Flag[] = [
    ["--stack-file <file>", "The stack file to plan (Pulumi.<stack>.yaml): its config, as `pulumi up` of that stack reads it."],
    ["--stack <name>", "The same, by stack name: Pulumi.<name>.yaml in the current folder (the name `pulumi stack select` takes)."],
    ["--graph", "Print the resource graph as a Mermaid flowchart instead of the plan."],
    [
        "--destroy",
        "Print what `pulumi destroy` would do, in its order, one line a resource: deleted, retained or deleted with what, through which API. " +
            "The engine's answer: `pulumi destroy --preview-only` (the pulumi on PATH) of a throwaway stack deployed with stand-in providers.",
    ],
    [
        "--from <file>",
        "The stack file the stack was deployed from: print what `pulumi up` would do to get from it to --stack-file; exit 3 when a change breaks an " +
            "invariant. The engine's answer: `pulumi preview` (the pulumi on PATH) of a throwaway stack deployed from <file> with stand-in providers.",
    ],
    ["--json", "With --destroy or --from: print JSON instead of text (the plan itself is always JSON)."],
    ["--program <path>", "Evaluate another program instead of index.ts (how `npm run bench` measures a bare program); it reads its config itself."],
    ...INFO_FLAGS,
];

export function planHelpText(): string {
    return formatHelp(
        [
            "The offline plan: evaluates the real program under realistic mocks (no Azure, no Pulumi CLI) and prints every",
            "resource it would register, with its inputs, and every output. --from and --destroy ask the Pulumi engine (the pulumi",
            "on PATH) with stand-in providers, in a throwaway folder: no Azure, and the project's own stacks are never touched.",
        ],
        USAGE,
        PLAN_FLAGS,
        [
            "examples:",
            "  npm run --silent plan -- --stack dev",
            "  npm run --silent plan -- --stack-file examples/Pulumi.rotation.yaml --destroy",
            "  npm run --silent plan -- --stack-file Pulumi.dev.yaml --from Pulumi.dev.before.yaml",
            "",
            `exit: 0 the plan, 1 a config or stack file refused (one line a problem), 2 bad arguments or no pulumi on PATH, ${EXIT_CHANGE_DOC}`,
            "PLAN_DEBUG=1 prints the stack trace of an unexpected failure.",
        ],
    );
}

/** The change preview's exit code when a change breaks an invariant (lib/plans/changePreview.ts problems). */
export const EXIT_UNSAFE_CHANGE = 3;
const EXIT_CHANGE_DOC = `${EXIT_UNSAFE_CHANGE} with --from: a change breaks an invariant (PROBLEM lines)`;

class UsageError extends Error {}

export interface PlanRunOptions {
    /** Loads the program (a path without extension); `require` by default. The tests' batch runner reloads it fresh. */
    load?: (program: string) => Record<string, unknown>;
    /** The mocks to answer with; realistic ones, prefetching the first key, by default. */
    mocks?: AzureMocks;
    /** The folder relative paths are read from (default: the working folder). */
    cwd?: string;
    /** Print the stack of an unexpected failure (default: when PLAN_DEBUG is set). */
    debug?: boolean;
    /** With --from and --destroy: the folders of the pulumi CLI and its language host (default: the pulumi on PATH). */
    enginePath?: string[];
    /** With --from and --destroy: the engine session to ask (one for many stack files: `npm run changes`, tests). */
    previewer?: EnginePreviewer;
}

/** Whether a file lies in a Pulumi project's folder tree: a Pulumi.yaml in its folder or one above it. */
function underAProject(file: string): boolean {
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return true;
        if (path.dirname(dir) === dir) return false;
    }
}

const write = (stream: NodeJS.WritableStream, text: string) =>
    new Promise<void>((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));

/**
 * The CLI, returning its exit code: 0 with the plan on `out`, 1 with the config's message (one line a problem) or
 * the failure on `err` and nothing on `out`, 2 with the usage on `err`.
 */
export async function runPlan(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, options: PlanRunOptions = {}): Promise<number> {
    const info = infoRequested(argv, planHelpText);
    if (info !== undefined) {
        await write(out, info);
        return 0;
    }
    let stackFile: string | undefined;
    let stackName: string | undefined;
    let fromFile: string | undefined;
    let graph = false;
    let destroy = false;
    let json = false;
    // Another program to evaluate instead of index.ts (the benchmark's baseline).
    let program = path.join(REPO_ROOT, "index");
    let programGiven = false;
    try {
        for (let i = 0; i < argv.length; i++) {
            if (argv[i] === "--graph") graph = true;
            else if (argv[i] === "--destroy") destroy = true;
            else if (argv[i] === "--json") json = true;
            else if (argv[i] === "--program") {
                const value = argv[++i];
                if (value === undefined) throw new UsageError("--program needs a path");
                program = path.resolve(options.cwd ?? process.cwd(), value);
                programGiven = true;
            } else if (argv[i] === "--stack-file") {
                stackFile = argv[++i];
                if (stackFile === undefined) throw new UsageError("--stack-file needs a file: Pulumi.<stack>.yaml");
            } else if (argv[i].startsWith("--stack-file=")) stackFile = argv[i].slice("--stack-file=".length);
            else if (argv[i] === "--stack") {
                stackName = argv[++i];
                if (stackName === undefined || !/^[\w.-]+$/.test(stackName)) throw new UsageError("--stack needs a stack name: letters, digits, _ . -");
            } else if (argv[i].startsWith("--stack=")) stackName = argv[i].slice("--stack=".length);
            else if (argv[i] === "--from") {
                fromFile = argv[++i];
                if (fromFile === undefined) throw new UsageError("--from needs the stack file the stack was deployed from");
            } else if (argv[i].startsWith("--from=")) fromFile = argv[i].slice("--from=".length);
            else throw new UsageError(`unknown argument: ${argv[i]}`);
        }
        if (stackFile !== undefined && stackName !== undefined) throw new UsageError("give --stack-file or --stack, not both");
        if (stackName !== undefined) stackFile = `Pulumi.${stackName}.yaml`;
        if (!stackFile) throw new UsageError("give --stack-file <Pulumi.<stack>.yaml> or --stack <name>");
        if ([graph, destroy, fromFile !== undefined].filter(Boolean).length > 1) throw new UsageError("give one of --graph, --destroy and --from");
        if (json && !destroy && fromFile === undefined) throw new UsageError("--json goes with --destroy or --from (the plan itself is JSON)");
    } catch (e) {
        await write(err, `${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }

    /** What a failure prints: a refused config its message alone (the whole story), anything else with how to see more. */
    const failure = (e: unknown, expected: boolean) => {
        const message = e instanceof Error ? e.message : String(e);
        if (expected) return `${message}\n`;
        return `plan failed: ${message}${(options.debug ?? !!process.env.PLAN_DEBUG) ? `\n${(e as Error).stack}` : " (PLAN_DEBUG=1 for the stack)"}\n`;
    };

    let stack: StackFile;
    let beforeStack: StackFile | undefined;
    const warnings: string[] = [];
    try {
        const stackPath = path.resolve(options.cwd ?? process.cwd(), stackFile);
        stack = loadStackFile(stackPath);
        // pulumi up reads Pulumi.<stack>.yaml beside Pulumi.yaml only (pulumi/pulumi sdk/go/common/workspace/paths.go
        // DetectProjectStackPath): a file elsewhere plans fine here, but deploys nothing until it is moved there. (Inside
        // a project, examples/ holds templates to copy; another checkout is a project of its own.)
        if (!underAProject(stackPath)) {
            warnings.push(
                `${stackPath} is outside the project folder: pulumi up reads Pulumi.${stack.stack}.yaml beside Pulumi.yaml only; ` +
                    `to deploy it: cp '${stackPath}' '${path.join(REPO_ROOT, `Pulumi.${stack.stack}.yaml`)}'`,
            );
        }
        // A config the program refuses is refused here in the program's own words, without loading the SDK: index.ts
        // reads its config with this same parser before anything else, and a refusal is its message alone.
        // (Another program, --program, reads its config itself.)
        if (!programGiven) {
            const parsed = parseStackConfig(stack.config, { stack: stack.stack });
            const kubeconfigKey = `${PROJECT}:kubeconfig`;
            warnings.push(
                ...configWarnings(parsed, { kubeconfigIsSecret: stack.secretKeys.includes(kubeconfigKey), kubeconfigText: parsed.cluster.kubeconfig }),
            );
        }
        if (fromFile !== undefined) {
            // The same stack before the change: its config under the stack's name, so the URNs are the stack's.
            beforeStack = { ...loadStackFile(path.resolve(options.cwd ?? process.cwd(), fromFile)), stack: stack.stack };
            if (!programGiven) parseStackConfig(beforeStack.config, { stack: beforeStack.stack });
        }
    } catch (e) {
        await write(err, failure(e, e instanceof ConfigError || e instanceof ConfigProblems || e instanceof StackFileError));
        return 1;
    }

    // What is allowed but likely to hurt (lib/config/warnings.ts), as `pulumi up` warns of it too.
    for (const w of warnings) await write(err, `warning: ${w}\n`);

    // The SDK, the harness and the mocks load only now: a usage or config error answers without them, at once.
    const pulumi = await import("@pulumi/pulumi");
    const { evaluateProgram, freshProgramLoader } = await import("./harness");
    const { AzureMocks } = await import("./mocks");
    const { EngineMissing, EnginePreviewer } = await import("../engine/preview");
    // The engine's session for --from and --destroy: the caller's, or one of this run's own, stopped at the end.
    let ownPreviewer: EnginePreviewer | undefined;
    const engineSession = async () =>
        options.previewer ?? (ownPreviewer = await EnginePreviewer.start([stack, ...(beforeStack ? [beforeStack] : [])], options.enginePath));
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program (index.ts or --program) is named by path at run time
        const load = options.load ?? ((p: string) => require(p) as Record<string, unknown>);
        const mocks = options.mocks ?? new AzureMocks({ prefetchKey: true });
        if (beforeStack) {
            // One mocks instance for both: a key of the same name is the same key in both plans, as it is in the state
            // the stack keeps; only what the configs change differs. Secrets compare by fingerprint, never printed.
            // Two evaluations in one process: the program's modules load afresh for each, as for two `pulumi up`s.
            const fresh = options.load ? () => options.load!(program) : freshProgramLoader(program);
            // The engine works in its own processes meanwhile.
            const session = await engineSession();
            const engineSteps = session.changeSteps(beforeStack, stack);
            engineSteps.catch(() => undefined);
            const before = await evaluateProgram({ ...beforeStack, mocks, load: fresh, fingerprintSecrets: true });
            const after = await evaluateProgram({ ...stack, mocks, load: fresh, fingerprintSecrets: true });
            const preview = engineChangePreview(before, after, await engineSteps);
            await write(
                out,
                json
                    ? `${JSON.stringify({ stack: after.stack, from: path.basename(fromFile!), ...preview }, null, 2)}\n`
                    : formatChangePreview(preview, shortType),
            );
            return preview.problems.length > 0 ? EXIT_UNSAFE_CHANGE : 0;
        }
        if (destroy) {
            const { events, state } = await (await engineSession()).destroySteps(stack);
            const steps = stateDestroyPlan(
                state,
                events.filter((e) => e.op === "delete").map((e) => e.urn),
            );
            await write(out, json ? `${JSON.stringify({ stack: stack.stack, destroy: steps }, null, 2)}\n` : `${formatDestroyPlan(steps, shortType)}\n`);
            return 0;
        }
        const plan = await evaluateProgram({ ...stack, mocks, load: () => load(program) });
        await write(out, graph ? mermaidGraph(plan.resources) : `${JSON.stringify(plan, null, 2)}\n`);
        return 0;
    } catch (e) {
        if (e instanceof EngineMissing) {
            await write(err, `${e.message}\n`);
            return 2;
        }
        // Config errors arrive as RunError (see index.ts): the message is the whole story.
        await write(err, failure(e, pulumi.RunError.isInstance(e) || (e instanceof Error && e.name === "ConfigError")));
        return 1;
    } finally {
        await ownPreviewer?.stop();
    }
}

if (require.main === module) {
    // Exit only once the output is flushed: a pipe is asynchronous, and exiting earlier would cut the plan off.
    runPlan(process.argv.slice(2), process.stdout, process.stderr).then((code) => process.exit(code));
}
