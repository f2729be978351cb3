/**
 * `npm run --silent changes -- --base-dir <folder>`: the offline change preview of every stack file against the base
 * branch's, as the preview workflow posts it on a pull request (the workflow's own steps: test/unit/workflows.test.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { inThisRealm, nativeTooling, withoutStackFrames } from "../support/native";
import { runTool } from "../support/processes";

let base: string;
let head: string;
/** Copies stack files of this repository into a folder, at their paths. */
const copy = (to: string, files: string[]) => {
    fs.mkdirSync(path.join(to, "examples"), { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(to, f));
};
beforeAll(() => {
    // A branch with three stack files; its base: the rotation example before its second key, the Arc example not there yet.
    head = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-head-"));
    base = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-base-"));
    copy(head, ["Pulumi.dev.yaml", "examples/Pulumi.rotation.yaml", "examples/Pulumi.arc.yaml"]);
    copy(base, ["Pulumi.dev.yaml", "examples/Pulumi.rotation.yaml"]);
    const rotation = path.join(base, "examples", "Pulumi.rotation.yaml");
    fs.writeFileSync(rotation, fs.readFileSync(rotation, "utf8").replace('keys: [initial, "2027-02"]', "keys: [initial]"));
});
afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
    fs.rmSync(head, { recursive: true, force: true });
});

test("each stack file against its base: changed, new or unchanged, in words and as markdown", async () => {
    const { changes } = nativeTooling();
    expect(changes.stackFilesOf(REPO_ROOT)).toEqual([
        "Pulumi.dev.yaml",
        "Pulumi.e2e.yaml",
        ...fs.readdirSync(path.join(REPO_ROOT, "examples")).map((f) => path.join("examples", f)),
    ]);
    const results = await withoutStackFrames(() => changes.stackChanges(base, head)).catch((e) => {
        throw inThisRealm(e);
    });
    expect(results.map((r) => [r.file, r.status, r.code])).toEqual([
        ["Pulumi.dev.yaml", "unchanged", 0],
        [path.join("examples", "Pulumi.arc.yaml"), "new", 0],
        [path.join("examples", "Pulumi.rotation.yaml"), "changed", 0],
    ]);
    expect(results.find((r) => r.status === "changed")!.text).toMatch(/create {3}tls:PrivateKey signing-key-2027-02/);
    const markdown = changes.formatChanges(results, true);
    expect(markdown).toContain("<details><summary><code>examples/Pulumi.rotation.yaml</code>: changed</summary>");
    expect(markdown).toContain("No changes: `Pulumi.dev.yaml`.");
    expect(markdown).not.toMatch(/\[secret #|PRIVATE KEY/);
});

test("arguments: a base folder is required", async () => {
    const r = await runTool("tools/offline/changes.ts", ["--base-dir", path.join(base, "no-such")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such: no such folder\nusage: npm run --silent changes -- --base-dir/);
});
