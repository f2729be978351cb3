/**
 * The change preview of every stack file, as a pull request's reviewer reads it:
 *
 *   npm run --silent changes -- --base-dir <folder> [--markdown]
 *
 * <folder> holds the stack files as the base branch has them, at the same paths (Pulumi.<stack>.yaml and
 * examples/Pulumi.<stack>.yaml; the preview workflow writes them with git show). For each stack file of this checkout
 * it prints what `pulumi up` would do to a stack deployed from the base branch's config to make it this branch's
 * config, as the Pulumi engine plans it with this checkout's program (`plan --from`: `pulumi preview` with the stand-in
 * providers, one throwaway world for every file). A stack file the same as its base needs no preview: the same program
 * with the same config registers the same inputs (test/engine/lifecycle.test.ts: a second up changes nothing).
 * Exit 0; 3 when a change breaks an invariant; 2 on bad arguments or with no pulumi on PATH.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { capturedStreams } from "../../lib/doctor/capture";
import { EXIT_UNSAFE_CHANGE, runPlan } from "./plan";
import { loadStackFile, REPO_ROOT } from "./stackFile";
import { EngineMissing, EnginePreviewer } from "../engine/preview";
import { Flag, formatHelp, INFO_FLAGS, infoRequested } from "../cli";

const USAGE = "usage: npm run --silent changes -- --base-dir <folder with the base branch's stack files> [--markdown]   (--help explains every flag)";

/** Every flag, as --help prints it and the README's table lists it. */
export const CHANGES_FLAGS: readonly Flag[] = [
    [
        "--base-dir <folder>",
        "A folder holding the base branch's copies of the stack files, at the same paths (Pulumi.<stack>.yaml, examples/Pulumi.<stack>.yaml).",
    ],
    ["--markdown", "Print Markdown for a pull request comment instead of text."],
    ...INFO_FLAGS,
];

export function changesHelpText(): string {
    return formatHelp(
        [
            "The change preview of every stack file (Pulumi.*.yaml, examples/Pulumi.*.yaml) against the base branch's copy:",
            "what `pulumi up` would do to each stack, as `npm run plan -- --from` prints it (the pulumi on PATH, stand-in providers).",
        ],
        USAGE,
        CHANGES_FLAGS,
        [`exit: 0 no change breaks an invariant, 2 bad arguments or no pulumi on PATH, ${EXIT_UNSAFE_CHANGE} a change breaks an invariant (PROBLEM lines)`],
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

export async function stackChanges(baseDir: string, root: string = REPO_ROOT, enginePath?: string[]): Promise<StackChanges[]> {
    const results: StackChanges[] = [];
    const toPreview: string[] = [];
    for (const file of stackFilesOf(root)) {
        const base = path.join(baseDir, file);
        if (!fs.existsSync(base)) results.push({ file, status: "new", code: 0, text: "a new stack file: everything in it is created\n" });
        else if (fs.readFileSync(base, "utf8") === fs.readFileSync(path.join(root, file), "utf8"))
            results.push({ file, status: "unchanged", code: 0, text: "no changes\n" });
        else toPreview.push(file);
    }
    if (toPreview.length > 0) {
        // One engine session for every file: a world's start and each "before" deployment are the slow part.
        let previewer: EnginePreviewer;
        try {
            const stacks = toPreview.flatMap((f) => {
                try {
                    // The base branch's copy is read as this checkout's project reads it (its Pulumi.yaml's defaults).
                    return [loadStackFile(path.join(root, f), root), loadStackFile(path.join(baseDir, f), root)];
                } catch {
                    return []; // refused below, in the plan's own words
                }
            });
            previewer = await EnginePreviewer.start(stacks, enginePath);
        } catch (e) {
            if (!(e instanceof EngineMissing)) throw e;
            return [{ file: toPreview[0], status: "refused", code: 2, text: `${e.message}\n` }];
        }
        try {
            for (const file of toPreview) {
                const { out, err, text } = capturedStreams();
                const code = await runPlan(["--stack-file", path.join(root, file), "--from", path.join(baseDir, file)], out, err, { previewer });
                const { stdout, stderr } = text();
                const status = code === 1 || code === 2 ? "refused" : stdout === "no changes\n" ? "unchanged" : "changed";
                results.push({ file, status, code, text: code === 1 || code === 2 ? stderr : stdout });
            }
        } finally {
            await previewer.stop();
        }
    }
    const order = stackFilesOf(root);
    return results.sort((x, y) => order.indexOf(x.file) - order.indexOf(y.file));
}

export function formatChanges(results: StackChanges[], markdown: boolean): string {
    if (!markdown) return results.map((r) => `== ${r.file} (${r.status})\n${r.text}`).join("\n");
    const how =
        "as the Pulumi engine plans it: a throwaway stack deployed from the base branch's config with stand-in providers, then " +
        "`pulumi preview` of this branch's, with this branch's program (`npm run --silent plan -- --stack-file <file> --from <base file>`)";
    const lines = [
        "### Change preview",
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
export function parseChangesArgs(argv: string[]): { baseDir: string; markdown: boolean } {
    let baseDir: string | undefined;
    let markdown = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--markdown") markdown = true;
        else if (argv[i] === "--base-dir" && argv[i + 1] !== undefined) baseDir = argv[++i];
        else throw new Error(argv[i] === "--base-dir" ? "--base-dir needs a folder" : `unknown argument: ${argv[i]}`);
    }
    if (!baseDir) throw new Error("missing --base-dir");
    if (!fs.existsSync(baseDir)) throw new Error(`${baseDir}: no such folder`);
    return { baseDir: path.resolve(baseDir), markdown };
}

if (require.main === module) {
    const info = infoRequested(process.argv.slice(2), changesHelpText);
    if (info !== undefined) process.stdout.write(info, () => process.exit(0));
    else runChangesCli();
}

function runChangesCli(): void {
    let args: { baseDir: string; markdown: boolean };
    try {
        args = parseChangesArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        process.exit(2);
    }
    stackChanges(args.baseDir, REPO_ROOT).then((results) => {
        const unsafe = results.some((r) => r.code === EXIT_UNSAFE_CHANGE);
        const missing = results.find((r) => r.code === 2 && /no `pulumi` is on PATH/.test(r.text));
        if (missing) {
            process.stderr.write(missing.text, () => process.exit(2));
            return;
        }
        process.stdout.write(formatChanges(results, args.markdown), () => process.exit(unsafe ? EXIT_UNSAFE_CHANGE : 0));
    });
}
