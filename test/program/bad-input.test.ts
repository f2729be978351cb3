/**
 * The bad-input corpus: every stack file in test/fixtures/bad names, in its first lines ("# expect: <message>"), the
 * messages it must produce: one line per problem, in key order, every problem in one run. Each is refused by the
 * program itself (what `pulumi up` shows) before any resource is registered, and by the offline plan: exit 1, those
 * lines alone on stderr, nothing on stdout, no stack trace. (The plan refuses it before loading the program, with the
 * parser the program reads its config with; both are checked for every file.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AzureMocks } from "../../tools/offline/mocks";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { BatchResult, planBatch } from "../support/planBatch";
import { isRunError } from "../support/native";
import { runStackFile } from "../support/program";
import { runTool } from "../support/processes";

const DIR = path.join(REPO_ROOT, "test", "fixtures", "bad");
const corpus = fs
    .readdirSync(DIR)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .sort()
    .map((f) => {
        const lines = fs.readFileSync(path.join(DIR, f), "utf8").split("\n");
        const expected = lines.filter((l) => l.startsWith("# expect: ")).map((l) => l.slice("# expect: ".length));
        if (expected.length === 0 || !lines[0].startsWith("# expect: "))
            throw new Error(`${f}: the first lines must be "# expect: <message>", one per problem`);
        return { file: path.join("test", "fixtures", "bad", f), name: f.replace(/^Pulumi\.|\.yaml$/g, ""), messages: expected, message: expected.join("\n") };
    });

test("the corpus is large enough, holds cases of two and three problems, and every message is distinct", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(corpus.filter((c) => c.messages.length === 2).length).toBeGreaterThanOrEqual(1);
    expect(corpus.filter((c) => c.messages.length === 3).length).toBeGreaterThanOrEqual(2);
    expect(new Set(corpus.map((c) => c.message)).size).toBe(corpus.length);
});

/** Every corpus file through the plan CLI's own code, in this process (test/support/planBatch.ts). */
let batch: BatchResult[];
/** Every corpus file through the program, as `pulumi up` runs it: what it threw, and what it had registered by then. */
const refusals = new Map<string, { runError: boolean; message: string; registered: string[] }>();
beforeAll(async () => {
    batch = await planBatch(corpus.map((c) => ["--stack-file", c.file]));
    for (const { file } of corpus) {
        const mocks = new AzureMocks();
        const refusal = await runStackFile(file, { mocks }).then(
            () => ({ runError: false, message: "(accepted)" }),
            (e: Error) => ({ runError: isRunError(e), message: e.message }),
        );
        refusals.set(file, { ...refusal, registered: [...mocks.registered] });
    }
}, 180000);

describe.each(corpus)("$name", ({ file, messages, message }) => {
    test("every problem, one line each in key order, naming the key, the value and what is allowed; nothing registered; exit 1, nothing on stdout", () => {
        const result = batch.find((b) => b.argv[1] === file)!;
        expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 1, stdout: "", stderr: `${message}\n` });
        for (const line of messages) expect(line).toMatch(/^[\w-]+:[\w.[\]]+: .+ is not valid; .+/);
        const keys = messages.map((m) => m.slice(0, m.indexOf(": ")));
        expect(keys).toEqual([...keys].sort());
        // The program itself refuses it with the same lines, as a RunError (Pulumi prints its message alone), before
        // any resource is registered.
        expect(refusals.get(file)).toEqual({ runError: true, message, registered: [] });
        expect(result.registered).toEqual([]);
    });
});

test("the plan CLI itself, in its own process, refuses one, two and three problems alike: exit 1, the lines alone on stderr", async () => {
    const run = (file: string) => runTool("tools/offline/plan.ts", ["--stack-file", file], { PLAN_DEBUG: "" });
    const chosen = [1, 2, 3].map((n) => corpus.find((c) => c.messages.length === n)!);
    const results = await Promise.all(chosen.map((c) => run(c.file)));
    results.forEach((r, i) => expect(r).toEqual({ code: 1, stdout: "", stderr: `${chosen[i].message}\n` }));
}, 120000);

test("the program itself refuses before registering anything, as pulumi up runs it (RunError, the message alone)", async () => {
    const multi = corpus.find((c) => c.messages.length === 3)!;
    const mocks = new AzureMocks();
    await expect(runStackFile(multi.file, { mocks })).rejects.toThrow(multi.message);
    expect(mocks.registered).toEqual([]);
});
