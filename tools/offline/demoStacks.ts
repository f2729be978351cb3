/**
 * Which stacks the nightly destroy may tear down: exactly those whose own stack file (Pulumi.<stack>.yaml in the
 * project folder, as checked out from main) sets `entra-wif:demo: true`. A stack's name never decides: `dev` is every
 * developer's default name, and a developer's dev stack on the shared backend is not a demo.
 *
 *   npm run --silent demo-stacks                    every demo stack, as a JSON list
 *   npm run --silent demo-stacks -- --stack <name>  ["<name>"] when it is a demo; refused (exit 1) otherwise
 *
 * Reads files only: no Pulumi CLI, no state, no passphrase, no Azure sign-in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS, PROJECT } from "../../lib/config/types";
import { parseBoolean, parseRaw } from "../../lib/config/fields";
import { Flag, formatHelp, infoRequested, INFO_FLAGS } from "../cli";
import { loadStackFile, REPO_ROOT, stackNameOf } from "./stackFile";

export const DEMO_KEY = `${PROJECT}:demo`;

/** A stack name as `pulumi stack init` accepts it (pulumi/pulumi sdk/go/common/tokens ValidateStackName: letters, digits, -, _ and .). */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A refusal: said in one line, nothing destroyed. */
export class NotADemo extends Error {}

/** Whether a stack file marks its stack as a demo. A marker that is not true or false is refused, naming the file. */
export function isDemoStackFile(file: string, root: string = REPO_ROOT): boolean {
    const stack = loadStackFile(file, root);
    const raw = stack.config[DEMO_KEY];
    try {
        return parseBoolean(DEMO_KEY, parseRaw(raw), DEFAULTS.demo);
    } catch {
        throw new NotADemo(`${path.basename(file)}: ${DEMO_KEY} is ${JSON.stringify(parseRaw(raw))}; use true or false (pulumi config set ${DEMO_KEY} true)`);
    }
}

/** Every stack file of the project folder that marks its stack as a demo, by stack name, sorted. */
export function demoStacks(root: string = REPO_ROOT): string[] {
    return fs
        .readdirSync(root)
        .filter((f) => /^Pulumi\.[^/]+\.yaml$/.test(f))
        .filter((f) => isDemoStackFile(path.join(root, f), root))
        .map((f) => stackNameOf(f))
        .sort();
}

/** The stacks to destroy: the one requested, only if it is marked a demo, or every demo stack. */
export function stacksToDestroy(requested: string, root: string = REPO_ROOT): string[] {
    if (requested === "") return demoStacks(root);
    if (!STACK_NAME.test(requested)) {
        throw new NotADemo(`${JSON.stringify(requested)} is not a stack name (letters, digits, -, _ and . only); nothing was destroyed`);
    }
    const file = path.join(root, `Pulumi.${requested}.yaml`);
    if (!fs.existsSync(file)) {
        throw new NotADemo(`${requested} is not a demo stack: there is no Pulumi.${requested}.yaml on this branch; nothing was destroyed`);
    }
    if (!isDemoStackFile(file, root)) {
        throw new NotADemo(
            `${requested} is not a demo stack: Pulumi.${requested}.yaml does not set ${DEMO_KEY}: true, and a stack's name alone never decides; ` +
                `nothing was destroyed (to mark it, on main: pulumi config set ${DEMO_KEY} true --stack ${requested})`,
        );
    }
    return [requested];
}

const USAGE = "usage: npm run --silent demo-stacks [-- --stack <name>]";

export const DEMO_STACKS_FLAGS: readonly Flag[] = [
    ["--stack <name>", "Only this stack, refused (exit 1) unless its stack file sets entra-wif:demo: true."],
    ...INFO_FLAGS,
];

export function demoStacksHelpText(): string {
    return formatHelp(
        [
            "Prints, as a JSON list, the stacks the nightly destroy may tear down: those whose Pulumi.<stack>.yaml sets",
            `${DEMO_KEY}: true. A stack's name never decides. Reads the stack files only.`,
        ],
        USAGE,
        DEMO_STACKS_FLAGS,
        ["exit: 0 listed, 1 the stack asked for is not a demo (nothing is destroyed), 2 bad arguments"],
    );
}

/** Runs the CLI: returns the exit code, writing to the streams given. */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
    const info = infoRequested(argv, demoStacksHelpText);
    if (info !== undefined) {
        out(info);
        return 0;
    }
    let requested = "";
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack" && i + 1 < argv.length) requested = argv[++i];
        else {
            err(`unknown argument: ${argv[i]}\n${USAGE}\n`);
            return 2;
        }
    }
    try {
        out(`${JSON.stringify(stacksToDestroy(requested))}\n`);
        return 0;
    } catch (e) {
        // In a GitHub job the refusal is an annotation on the run; anywhere else a plain line.
        err(`${process.env.GITHUB_ACTIONS === "true" ? "::error::" : ""}${(e as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    const code = main(
        process.argv.slice(2),
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
    );
    process.exitCode = code;
}
