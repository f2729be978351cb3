/**
 * The bad-input corpus: every stack file in test/fixtures/bad names, in its first lines ("# expect: <message>"), the
 * messages it must produce: one line per problem, in key order, every problem in one run. Each is refused by the
 * program itself (what `pulumi up` shows) before any resource is registered, and by the offline plan: exit 1, those
 * lines alone on stderr, nothing on stdout, no stack trace.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AzureMocks } from "../../tools/offline/mocks";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { runStackFile } from "../support/program";

const DIR = path.join(REPO_ROOT, "test", "fixtures", "bad");
const corpus = fs
    .readdirSync(DIR)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .sort()
    .map((f) => {
        const lines = fs.readFileSync(path.join(DIR, f), "utf8").split("\n");
        const expected = lines.filter((l) => l.startsWith("# expect: ")).map((l) => l.slice("# expect: ".length));
        if (expected.length === 0 || !lines[0].startsWith("# expect: ")) throw new Error(`${f}: the first lines must be "# expect: <message>", one per problem`);
        return { file: path.join("test", "fixtures", "bad", f), name: f.replace(/^Pulumi\.|\.yaml$/g, ""), messages: expected, message: expected.join("\n") };
    });

test("the corpus is large enough, holds cases of two and three problems, and every message is distinct", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(corpus.filter((c) => c.messages.length === 2).length).toBeGreaterThanOrEqual(1);
    expect(corpus.filter((c) => c.messages.length === 3).length).toBeGreaterThanOrEqual(2);
    expect(new Set(corpus.map((c) => c.message)).size).toBe(corpus.length);
});

describe.each(corpus)("$name", ({ file, messages, message }) => {
    test("every problem, one line each in key order, naming the key, the value and what is allowed; nothing registered", async () => {
        const mocks = new AzureMocks();
        let error: unknown;
        try {
            await runStackFile(file, { mocks });
        } catch (err) {
            error = err;
        }
        expect((error as Error | undefined)?.message).toBe(message);
        for (const line of messages) expect(line).toMatch(/^[\w-]+:[\w.[\]]+: .+ is not valid; .+/);
        const keys = messages.map((m) => m.slice(0, m.indexOf(": ")));
        expect(keys).toEqual([...keys].sort());
        expect(mocks.registered).toEqual([]);
    });
});

test("the offline plan refuses each with exit 1, the message alone on stderr and nothing on stdout", async () => {
    const run = (file: string) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/offline/plan.ts", "--stack-file", file], { cwd: REPO_ROOT, timeout: 60000, env: { ...process.env, PLAN_DEBUG: "" } }, (err, stdout, stderr) =>
                resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
            );
        });
    // Four at a time: each is a fresh Node process, as a user runs it.
    const results: Array<{ name: string; code: number | null; stdout: string; stderr: string; message: string }> = [];
    for (let i = 0; i < corpus.length; i += 4) {
        const batch = corpus.slice(i, i + 4);
        results.push(...(await Promise.all(batch.map(async (c) => ({ name: c.name, message: c.message, ...(await run(c.file)) })))));
    }
    for (const r of results) {
        expect({ name: r.name, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ name: r.name, code: 1, stdout: "", stderr: `${r.message}\n` });
    }
}, 240000);
