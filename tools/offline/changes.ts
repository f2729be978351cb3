/**
 * The offline change preview of every stack file, as a pull request's reviewer reads it:
 *
 *   npm run --silent changes -- --base-dir <folder> [--markdown]
 *
 * <folder> holds the stack files as the base branch has them, at the same paths (Pulumi.<stack>.yaml and
 * examples/Pulumi.<stack>.yaml; the preview workflow writes them with git show). For each stack file of this checkout
 * it prints what `pulumi up` would do to a stack deployed from the base branch's config to make it this branch's
 * config, both evaluated with this checkout's program (lib/plans/changePreview.ts, `plan --from`). Exit 0; 3 when a change
 * breaks an invariant; 2 on bad arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { capturedStreams } from "../../lib/doctor/capture";
import { EXIT_UNSAFE_CHANGE, runPlan } from "./plan";
import { REPO_ROOT } from "./stackFile";
import { Flag, formatHelp, INFO_FLAGS, infoRequested } from "../cli";

const USAGE = "usage: npm run --silent changes -- --base-dir <folder with the base branch's stack files> [--markdown]   (--help explains every flag)";

/** Every flag, as --help prints it and the README's table lists it. */
export const CHANGES_FLAGS: readonly Flag[] = [
    [
        "--base-dir <folder>",
        "A folder holding the base branch's copies of the stack files, at the same paths (Pulumi.<stack>.yaml, examples/Pulumi.<stack>.yaml).",
    ],
    ["--markdown", "Print Markdown for a pull request comment instead of text."],
    ["--engine", "Ask the Pulumi engine (the pulumi on PATH) with stand-in providers, as `npm run plan -- --from <file> --engine` does; exit 2 without one."],
    ...INFO_FLAGS,
];

export function changesHelpText(): string {
    return formatHelp(
        [
            "The offline change preview of every stack file (Pulumi.*.yaml, examples/Pulumi.*.yaml) against the base branch's copy:",
            "what `pulumi up` would do to each stack, as `npm run plan -- --from` prints it.",
        ],
        USAGE,
        CHANGES_FLAGS,
        [`exit: 0 no change breaks an invariant, 2 bad arguments, ${EXIT_UNSAFE_CHANGE} a change breaks an invariant (PROBLEM lines)`],
    );
}

/** The stack files of a checkout: Pulumi.<stack>.yaml at its root and in examples/. */
export function stackFilesOf(root: string): string[] {
    const at = (dir: string) =>
        fs.existsSync(path.join(root, dir))
            ? fs
                  .readdirSync(path.join(root, dir))
                  .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
                  .map((f) => path.join(dir, f))
            : [];
    return [...at("."), ...at("examples")].map((f) => path.normalize(f)).sort();
}

export interface StackChanges {
    file: string;
    status: "changed" | "unchanged" | "new" | "refused";
    code: number;
    /** The change preview's text, or the refusal. */
    text: string;
}

export async function stackChanges(baseDir: string, root: string = REPO_ROOT, engine = false): Promise<StackChanges[]> {
    const results: StackChanges[] = [];
    for (const file of stackFilesOf(root)) {
        const base = path.join(baseDir, file);
        if (!fs.existsSync(base)) {
            results.push({ file, status: "new", code: 0, text: "a new stack file: everything in it is created\n" });
            continue;
        }
        const { out, err, text } = capturedStreams();
        const code = await runPlan(["--stack-file", path.join(root, file), "--from", base, ...(engine ? ["--engine"] : [])], out, err);
        const { stdout, stderr } = text();
        const status = code === 1 || code === 2 ? "refused" : stdout === "no changes\n" ? "unchanged" : "changed";
        results.push({ file, status, code, text: code === 1 || code === 2 ? stderr : stdout });
        // Without an engine to ask, no other file can be previewed either.
        if (engine && code === 2 && /no `pulumi` is on PATH/.test(stderr)) break;
    }
    return results;
}

export function formatChanges(results: StackChanges[], markdown: boolean, engine = false): string {
    if (!markdown) return results.map((r) => `== ${r.file} (${r.status})\n${r.text}`).join("\n");
    const how = engine
        ? "as the Pulumi engine plans it: a throwaway stack deployed from the base branch's config with stand-in providers, then " +
          "`pulumi preview` of this branch's, with this branch's program (`npm run --silent plan -- --stack-file <file> --from <base file> --engine`)"
        : "both evaluated with this branch's program under the offline mocks (`npm run --silent plan -- --stack-file <file> --from <base file>`)";
    const lines = [
        "### Offline change preview",
        "",
        `What \`pulumi up\` would do to a stack deployed from the base branch's config to make it this branch's, ${how}. ` +
            "No Azure sign-in and no stack secret are used. The providers' rules are `lib/plans/providerRules.ts`.",
        "",
    ];
    const unsafe = results.filter((r) => r.code === EXIT_UNSAFE_CHANGE);
    if (unsafe.length > 0) lines.push(`**${unsafe.length} stack file(s) break an invariant:** ${unsafe.map((r) => `\`${r.file}\``).join(", ")}`, "");
    for (const r of results.filter((x) => x.status !== "unchanged")) {
        lines.push(
            `<details${r.code === EXIT_UNSAFE_CHANGE ? " open" : ""}><summary><code>${r.file}</code>: ${r.status}</summary>`,
            "",
            "```text",
            r.text.trimEnd(),
            "```",
            "</details>",
            "",
        );
    }
    const same = results.filter((r) => r.status === "unchanged").map((r) => `\`${r.file}\``);
    if (same.length > 0) lines.push(`No changes: ${same.join(", ")}.`);
    return `${lines.join("\n")}\n`;
}

/** The arguments, or the usage error. */
export function parseChangesArgs(argv: string[]): { baseDir: string; markdown: boolean; engine: boolean } {
    let baseDir: string | undefined;
    let markdown = false;
    let engine = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--markdown") markdown = true;
        else if (argv[i] === "--engine") engine = true;
        else if (argv[i] === "--base-dir" && argv[i + 1] !== undefined) baseDir = argv[++i];
        else throw new Error(argv[i] === "--base-dir" ? "--base-dir needs a folder" : `unknown argument: ${argv[i]}`);
    }
    if (!baseDir) throw new Error("missing --base-dir");
    if (!fs.existsSync(baseDir)) throw new Error(`${baseDir}: no such folder`);
    return { baseDir: path.resolve(baseDir), markdown, engine };
}

if (require.main === module) {
    const info = infoRequested(process.argv.slice(2), changesHelpText);
    if (info !== undefined) process.stdout.write(info, () => process.exit(0));
    else runChangesCli();
}

function runChangesCli(): void {
    let args: { baseDir: string; markdown: boolean; engine: boolean };
    try {
        args = parseChangesArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        process.exit(2);
    }
    stackChanges(args.baseDir, REPO_ROOT, args.engine).then((results) => {
        const unsafe = results.some((r) => r.code === EXIT_UNSAFE_CHANGE);
        const missing = results.find((r) => r.code === 2 && /no `pulumi` is on PATH/.test(r.text));
        if (missing) {
            process.stderr.write(missing.text, () => process.exit(2));
            return;
        }
        process.stdout.write(formatChanges(results, args.markdown, args.engine), () => process.exit(unsafe ? EXIT_UNSAFE_CHANGE : 0));
    });
}
