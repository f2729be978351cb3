/**
 * Offline plan: evaluates the real program under realistic mocks and prints, as one JSON document, every
 * resource it would register and every output — no cloud credentials, no Pulumi CLI.
 *
 *   npm run --silent plan -- --stack-file Pulumi.dev.yaml [--graph | --destroy [--json]]
 *
 * With --graph it prints the resource graph as a Mermaid flowchart instead; with --destroy what `pulumi destroy`
 * would do, in its order, one line a resource (--json: as JSON).
 * Secrets print as "[secret]". A bad config exits 1 with one message on stderr and nothing on stdout.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { destroyPlan, formatDestroyPlan } from "../../lib/destroyPlan";
import { mermaidGraph, shortType } from "../../lib/graph";
import { evaluateProgram } from "./harness";
import { AzureMocks } from "./mocks";
import { loadStackFile, REPO_ROOT } from "./stackFile";

function usage(message: string): never {
    process.stderr.write(`${message}\nusage: npm run --silent plan -- --stack-file <Pulumi.<stack>.yaml> [--graph | --destroy [--json]]\n`);
    process.exit(2);
}

async function main(argv: string[]): Promise<void> {
    let stackFile: string | undefined;
    let graph = false;
    let destroy = false;
    let json = false;
    // Another program to evaluate instead of index.ts (the benchmark's baseline).
    let program = path.join(REPO_ROOT, "index");
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--graph") graph = true;
        else if (argv[i] === "--destroy") destroy = true;
        else if (argv[i] === "--json") json = true;
        else if (argv[i] === "--program") program = path.resolve(argv[++i] ?? usage("--program needs a path"));
        else if (argv[i] === "--stack-file") stackFile = argv[++i];
        else if (argv[i].startsWith("--stack-file=")) stackFile = argv[i].slice("--stack-file=".length);
        else usage(`unknown argument: ${argv[i]}`);
    }
    if (!stackFile) usage("missing --stack-file");
    if (graph && destroy) usage("give --graph or --destroy, not both");
    if (json && !destroy) usage("--json goes with --destroy (the plan itself is JSON)");

    const stack = loadStackFile(path.resolve(stackFile));
    const plan = await evaluateProgram({
        ...stack,
        mocks: new AzureMocks({ prefetchKey: true }),
        load: () => require(program),
    });
    if (destroy) {
        const steps = destroyPlan(plan.resources);
        await writeOut(json ? `${JSON.stringify({ stack: plan.stack, destroy: steps }, null, 2)}\n` : `${formatDestroyPlan(steps, shortType)}\n`);
        return;
    }
    await writeOut(graph ? mermaidGraph(plan.resources) : `${JSON.stringify(plan, null, 2)}\n`);
}

/** Writes to stdout and waits until it is flushed: a pipe is asynchronous, and exiting earlier would cut the plan off. */
function writeOut(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
        // Config errors arrive as RunError (see index.ts): the message is the whole story.
        const message = err instanceof Error ? err.message : String(err);
        const expected = pulumi.RunError.isInstance(err) || (err instanceof Error && err.name === "ConfigError");
        process.stderr.write(expected ? `${message}\n` : `plan failed: ${message}${process.env.PLAN_DEBUG ? `\n${(err as Error).stack}` : " (PLAN_DEBUG=1 for the stack)"}\n`);
        process.exit(1);
    },
);
