/**
 * Every stack file of the repository through the engine, as `npm run plan -- --from` and `--destroy` ask it: each
 * deploys with the stand-in providers, and its destroy plan — `pulumi destroy
 * --preview-only` of the deployed stack, with the dependencies the engine recorded in the state — is the one recorded
 * in test/fixtures/destroy (which test/program/lifecycle.test.ts also draws from the program's graph). Then
 * `npm run changes` as the preview workflow runs it, in a process of its own with the pulumi on PATH.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { capturedStreams } from "../../lib/doctor/capture";
import { enginePath } from "../../tools/engine/build";
import type { EnginePreviewer } from "../../tools/engine/preview";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { inThisRealm, nativeTooling, withoutStackFrames } from "../support/native";
import { runProcess } from "../support/processes";

/** Pulumi.<stack>.yaml at the root and in examples/, and the fixtures of the modes no example shows. */
const STACK_FILES = [
    ...fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml"),
    // (examples/yaml, python and go are programs in other languages, not stack files: test/engine/package.test.ts.)
    ...fs
        .readdirSync(path.join(REPO_ROOT, "examples"))
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => path.join("examples", f)),
    path.join("test", "fixtures", "Pulumi.byo.yaml"),
].sort();
const recordedDestroy = (file: string) => path.join(REPO_ROOT, "test", "fixtures", "destroy", `${path.basename(file, ".yaml").replace(/^Pulumi\./, "")}.txt`);

let engine: string[];
let previewer: EnginePreviewer;
beforeAll(async () => {
    engine = enginePath();
    const { enginePreview, stackFile } = nativeTooling();
    previewer = await enginePreview.EnginePreviewer.start(
        STACK_FILES.map((f) => stackFile.loadStackFile(path.join(REPO_ROOT, f))),
        engine,
    );
}, 120000);
afterAll(async () => {
    await previewer?.stop();
});

/** The plan CLI's own code, with this file's engine session. */
async function plan(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { out, err, text } = capturedStreams();
    const code = await withoutStackFrames(() => nativeTooling().plan.runPlan(argv, out, err, { previewer, cwd: REPO_ROOT })).catch((e) => {
        throw inThisRealm(e);
    });
    return { code, ...text() };
}

describe.each(STACK_FILES)("%s", (file) => {
    // The deployment itself is the destroy plan's first step (the engine's preview of it needs a state). A second
    // preview of each file against itself is left to the dev stack: the lifecycle's "up again" finds no change, and
    // every stack file plans the same inputs twice under the mocks (test/program/machine-independence.test.ts).
    const recorded = fs.existsSync(recordedDestroy(file));
    test(`deploys with the stand-ins${recorded ? ", and plan --destroy deletes exactly what the recorded destroy plan lists, in its order" : ""}`, async () => {
        const r = await plan("--stack-file", file, "--destroy");
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        if (recorded) expect(r.stdout).toBe(fs.readFileSync(recordedDestroy(file), "utf8"));
    });
});

test("the dev stack: the engine previews no change against itself", async () => {
    expect(await plan("--stack-file", "Pulumi.dev.yaml", "--from", "Pulumi.dev.yaml")).toEqual({ code: 0, stdout: "no changes\n", stderr: "" });
});

test("plan --destroy --json: the same steps as JSON, under the stack's name", async () => {
    const r = await plan("--stack-file", "Pulumi.dev.yaml", "--destroy", "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { stack: string; destroy: Array<{ wave: number; name: string; how: string }> };
    expect(json.stack).toBe("dev");
    expect(json.destroy.map((s) => `${s.wave} ${s.how} ${s.name}`)).toEqual(
        fs
            .readFileSync(recordedDestroy("Pulumi.dev.yaml"), "utf8")
            .trimEnd()
            .split("\n")
            .map((l) => {
                const m = /^\s*(\d+)\s+(deleted with|deleted|retained|nothing to delete)\s+\S+ (\S+)/.exec(l)!;
                return `${m[1]} ${m[2]} ${m[3]}`;
            }),
    );
});

test("npm run changes, as the workflow runs it: each stack file against its base — changed, new or unchanged — as markdown", async () => {
    // The base branch: the rotation example before its second key, the dev stack as it is, no other stack file yet.
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-base-"));
    try {
        fs.mkdirSync(path.join(base, "examples"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), path.join(base, "Pulumi.dev.yaml"));
        const rotation = fs.readFileSync(path.join(REPO_ROOT, "examples", "Pulumi.rotation.yaml"), "utf8");
        fs.writeFileSync(path.join(base, "examples", "Pulumi.rotation.yaml"), rotation.replace('keys: [initial, "2027-02"]', "keys: [initial]"));
        // A process of its own, the pulumi on PATH: exit 0, the markdown on stdout.
        const cli = await runProcess(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "tools/offline/changes.ts", "--base-dir", base, "--markdown"],
            {
                cwd: REPO_ROOT,
                env: { ...process.env, PATH: [...engine, process.env.PATH].join(":") },
                timeoutMs: 240000,
            },
        );
        expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
        expect(cli.stdout).toMatch(/^### Change preview\n/);
        expect(cli.stdout).toContain("<details><summary><code>examples/Pulumi.rotation.yaml</code>: changed</summary>");
        expect(cli.stdout).toMatch(/create {3}tls:PrivateKey signing-key-2027-02/);
        expect(cli.stdout).toContain("<details><summary><code>examples/Pulumi.arc.yaml</code>: new</summary>");
        expect(cli.stdout).toContain("No changes: `Pulumi.dev.yaml`.");
        expect(cli.stdout).not.toMatch(/\[secret #|PRIVATE KEY/);
    } finally {
        fs.rmSync(base, { recursive: true, force: true });
    }
}, 300000);
