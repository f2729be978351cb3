/**
 * Every command-line tool explains itself the same way: --help exits 0 with every flag and its meaning, --version
 * prints the project's version, and the README's table of each tool's flags is the one --help prints.
 */
import { DOC_FILES, docPath, readDoc, section as sectionOf } from "../support/docs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BENCH_FLAGS, benchHelpText } from "../../tools/bench";
import { BUNDLE_FLAGS, bundleHelpText } from "../../tools/bundle";
import { Flag, withFlagTables } from "../../tools/cli";
import { BUILD_FLAGS, buildHelpText } from "../../tools/cluster/build";
import { CHANGES_FLAGS, changesHelpText } from "../../tools/offline/changes";
import { DEMO_STACKS_FLAGS, demoStacksHelpText } from "../../tools/offline/demoStacks";
import { ENGINE_BUILD_FLAGS, engineBuildHelpText } from "../../tools/engine/build";
import { E2E_FLAGS, e2eHelpText, parseE2eArgs, defaultReportPath } from "../../tools/live/e2e";
import { PLAN_FLAGS, planHelpText, runPlan } from "../../tools/offline/plan";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { versionText } from "../../tools/version";
import { capturedStreams } from "../../lib/doctor/capture";
import { runTool } from "../support/processes";

const TABLES: Record<string, readonly Flag[]> = {
    plan: PLAN_FLAGS,
    changes: CHANGES_FLAGS,
    e2e: E2E_FLAGS,
    bench: BENCH_FLAGS,
    "cluster-build": BUILD_FLAGS,
    "engine-build": ENGINE_BUILD_FLAGS,
    "demo-stacks": DEMO_STACKS_FLAGS,
    bundle: BUNDLE_FLAGS,
};
test("the documentation's flag tables are the ones --help prints", () => {
    const found: string[] = [];
    for (const file of Object.values(DOC_FILES)) {
        const text = readDoc(file);
        const current = withFlagTables(text, TABLES);
        if (process.env.ENTRA_WIF_RECORD_README) fs.writeFileSync(docPath(file), current);
        found.push(...[...text.matchAll(/<!-- flags: ([\w-]+) -->/g)].map((m) => m[1]));
        expect([file, text]).toEqual([file, current]);
    }
    expect(found.sort()).toEqual(Object.keys(TABLES).sort());
});

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };

describe.each<[string, string, () => string, readonly Flag[]]>([
    ["plan", "tools/offline/plan.ts", planHelpText, PLAN_FLAGS],
    ["changes", "tools/offline/changes.ts", changesHelpText, CHANGES_FLAGS],
    ["e2e", "tools/live/e2e.ts", e2eHelpText, E2E_FLAGS],
    ["bench", "tools/bench/index.ts", benchHelpText, BENCH_FLAGS],
    ["cluster:build", "tools/cluster/build.ts", buildHelpText, BUILD_FLAGS],
    ["engine:build", "tools/engine/build.ts", engineBuildHelpText, ENGINE_BUILD_FLAGS],
    ["demo-stacks", "tools/offline/demoStacks.ts", demoStacksHelpText, DEMO_STACKS_FLAGS],
    ["bundle", "tools/bundle.ts", bundleHelpText, BUNDLE_FLAGS],
])("npm run %s", (_name, script, help, flags) => {
    // In its own process, as npm runs it: the help must not start the tool's work.
    let helpRun: Awaited<ReturnType<typeof runTool>>;
    let versionRun: Awaited<ReturnType<typeof runTool>>;
    beforeAll(async () => {
        [helpRun, versionRun] = await Promise.all([runTool(script, ["--help"]), runTool(script, ["--version"])]);
    }, 60000);

    test("--help exits 0 with the usage and every flag explained", () => {
        expect(helpRun.code).toBe(0);
        expect(helpRun.stderr).toBe("");
        expect(helpRun.stdout).toBe(`${help()}\n`);
        expect(helpRun.stdout).toMatch(/usage: npm run/);
        for (const [flag, meaning] of flags) {
            expect(helpRun.stdout).toContain(`  ${flag}`);
            expect(helpRun.stdout).toContain(meaning);
        }
        expect(helpRun.stdout).toMatch(/\nexit: 0 /);
    });

    test("--version prints the project's version and exits 0", () => {
        expect(versionRun.code).toBe(0);
        expect(versionRun.stdout).toBe(`${versionText()}\n`);
        expect(versionRun.stdout).toMatch(new RegExp(`^entra-wif ${pkg.version.replace(/\./g, "\\.")} \\(Node\\.js v`));
    });
});

describe("plan: the same flag names as the other tools, and file errors that name the file", () => {
    const plan = async (argv: string[], cwd = REPO_ROOT) => {
        const { out, err, text } = capturedStreams();
        const code = await runPlan(argv, out, err, { cwd });
        return { code, ...text() };
    };

    test("--stack <name> plans Pulumi.<name>.yaml, as --stack-file does", async () => {
        const [byName, byFile] = await Promise.all([plan(["--stack", "dev", "--graph"]), plan(["--stack-file", "Pulumi.dev.yaml", "--graph"])]);
        expect(byName.code).toBe(0);
        expect(byName.stdout).toBe(byFile.stdout);
    }, 60000);

    test.each<[string, string[], RegExp]>([
        ["both --stack and --stack-file", ["--stack", "dev", "--stack-file", "Pulumi.dev.yaml"], /^give --stack-file or --stack, not both\nusage: /],
        ["neither", ["--graph"], /^give --stack-file <Pulumi.<stack>.yaml> or --stack <name>\nusage: /],
        ["a stack name with a slash", ["--stack", "../dev"], /^--stack needs a stack name/],
    ])("usage errors exit 2: %s", async (_what, argv, message) => {
        const r = await plan(argv);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
    });

    test.each<[string, (dir: string) => string[], RegExp]>([
        [
            "a stack file that does not exist",
            () => ["--stack", "nosuchstack"],
            /^\S*Pulumi\.nosuchstack\.yaml: no such file; a stack file is Pulumi\.<stack>\.yaml in the project folder\n$/,
        ],
        [
            "a file that is not a stack file",
            (dir) => ["--stack-file", write(dir, "Pulumi.notes.yaml", "foo: 1\n")],
            /^\S*Pulumi\.notes\.yaml: "foo" is not a section of a stack file/,
        ],
        [
            "a file not named Pulumi.<stack>.yaml",
            (dir) => ["--stack-file", write(dir, "dev.yaml", "config: {}\n")],
            /^\S*dev\.yaml: a stack file is named Pulumi\.<stack>\.yaml/,
        ],
        ["--from that does not exist", () => ["--stack", "dev", "--from", "Pulumi.gone.yaml"], /^\S*Pulumi\.gone\.yaml: no such file/],
    ])("%s: exit 1, the file named and what was expected, no debugging hint", async (_what, argv, message) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-planfile-"));
        try {
            const r = await plan(argv(dir));
            expect(r.code).toBe(1);
            expect(r.stdout).toBe("");
            expect(r.stderr).toMatch(message);
            expect(r.stderr).not.toMatch(/PLAN_DEBUG|plan failed/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

function write(dir: string, name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

test("npm run e2e writes its report outside the checkout unless told otherwise", () => {
    const opts = parseE2eArgs(["--stack", "e2e"]);
    expect(opts.report).toBe(defaultReportPath("e2e"));
    expect(path.relative(REPO_ROOT, opts.report).startsWith("..")).toBe(true);
    expect(parseE2eArgs(["--stack", "e2e", "--report", "e2e-report.json"]).report).toBe("e2e-report.json");
    // The workflow's in-tree report is ignored by git.
    expect(fs.readFileSync(path.join(REPO_ROOT, ".gitignore"), "utf8").split("\n")).toContain("e2e-report.json");
});

test("the documentation names every field of the plan's JSON", () => {
    const tools = readDoc(DOC_FILES.tools);
    const section = tools.slice(tools.indexOf("## See what a stack creates, offline"), tools.indexOf("<!-- flags: plan -->"));
    const plan = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "plans", "dev.json"), "utf8"));
    const fields = new Set<string>(Object.keys(plan));
    for (const r of plan.resources) for (const k of Object.keys(r)) fields.add(k);
    for (const r of plan.resources) for (const k of Object.keys(r.options ?? {})) fields.add(k);
    for (const field of fields) expect(section).toContain(`\`${field}\``);
});

test("the documentation lists every stack output, and only those", () => {
    const section = sectionOf(readDoc(DOC_FILES.configuration), "## Outputs");
    const listed = new Set([...section.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1])));
    const exported = [...fs.readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...exported].sort());
});
