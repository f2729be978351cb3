/**
 * `plan --from --engine`: the change preview with the engine's own answer (a throwaway stack deployed from the "before"
 * stack file with the stand-in providers, then `pulumi preview`), where the offline model of the engine was wrong:
 * resources replaced because a dependency is replaced delete-first, and documents replaced with their container
 * (deletedWith, CLI 3.260+).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { enginePath } from "../../tools/engine/build";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { runProcess, runTool } from "../support/processes";

interface Step {
    kind: string;
    type: string;
    name: string;
    replace?: { order: string; decidedBy: string; because: string[] };
}

let dir: string;
let engine: string[];
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-engine-preview-"));
    engine = enginePath();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const dev = () => parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;

/** The engine's preview of `after` over a stack deployed from the dev stack file, as JSON. */
async function enginePreview(after: Record<string, unknown>): Promise<{ code: number; steps: Step[]; problems: string[]; stderr: string }> {
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, stringify({ config: after }));
    // As a user runs it: its own process, with the pulumi on PATH (here the one engine:build made).
    const r = await runTool("tools/offline/plan.ts", ["--stack-file", file, "--from", path.join(REPO_ROOT, "Pulumi.dev.yaml"), "--engine", "--json"], {
        PATH: [...engine, process.env.PATH].join(":"),
    });
    const { stdout, stderr } = r;
    const code = r.code ?? -1;
    if (code !== 0 && code !== 3) throw new Error(`plan --from --engine exited ${code}:\n${stderr}`);
    const preview = JSON.parse(stdout) as { steps: Step[]; problems: string[] };
    return { code, ...preview, stderr };
}

const step = (steps: Step[], name: string) => steps.find((s) => s.name === name)!;

test("a location change: everything in Azure is replaced, each deleted first, and what the engine adds is said to be the engine's", async () => {
    const { steps, problems, code } = await enginePreview({ ...dev(), "azure-native:location": "northeurope" });
    for (const name of ["group-rg", "issuer-account", "issuer-container", "issuer-documents", "sample-secret", "id-entra-wif-dev-fic-demo_workload-sa"]) {
        expect([name, step(steps, name).kind, step(steps, name).replace?.order]).toEqual([name, "replace", "delete-first"]);
    }
    // The documents: replaced with their container (deletedWith) and after what they depend on, not by their own diff.
    expect(step(steps, "issuer-documents").replace).toMatchObject({
        decidedBy: "the engine",
        because: expect.arrayContaining(["it goes with issuer-container, which is replaced"]),
    });
    expect(step(steps, "group-rg").replace).toMatchObject({ decidedBy: "the provider", because: ["location"] });
    // The kind cluster is deleted before the storage and created after the documents: it never signs unserved.
    expect(problems).toEqual([]);
    expect(code).toBe(0);
});

test("a container rename: the documents are replaced with their container, not updated", async () => {
    const { steps } = await enginePreview({ ...dev(), "entra-wif:issuer": { ...(dev()["entra-wif:issuer"] as object), containerName: "oidc2" } });
    expect(step(steps, "issuer-container")).toMatchObject({ kind: "replace", replace: { order: "delete-first", because: ["containerName"] } });
    expect(step(steps, "issuer-documents")).toMatchObject({ kind: "replace", replace: { decidedBy: "the engine" } });
});

test("a rotation's first step: the documents and the cluster are updated in place; no identity, credential or role changes", async () => {
    const { steps, problems } = await enginePreview({ ...dev(), "entra-wif:signingKey": { rsaBits: 2048, keys: ["initial", "next"] } });
    expect(step(steps, "issuer-documents").kind).toBe("update");
    expect(step(steps, "cluster-kind").kind).toBe("update");
    expect(steps.filter((s) => /FederatedIdentityCredential|RoleAssignment|UserAssignedIdentity/.test(s.type)).map((s) => s.kind)).toEqual([
        "same",
        "same",
        "same",
    ]);
    expect(problems).toEqual([]);
});

test("no change: every step is the same", async () => {
    const { steps, code } = await enginePreview(dev());
    expect(steps.filter((s) => s.kind !== "same")).toEqual([]);
    expect(code).toBe(0);
});

test("every stack file of the repository deploys with the stand-ins, and the engine previews no change against itself", async () => {
    // `npm run changes -- --engine` with the base branch's copies equal to this checkout's: what a pull request that
    // touches no stack file sees. Each file is a real `pulumi up` (aks, Arc, an existing cluster, a rotation, …).
    const base = fs.mkdtempSync(path.join(dir, "base-"));
    fs.mkdirSync(path.join(base, "examples"));
    const files = [
        ...fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml"),
        ...fs.readdirSync(path.join(REPO_ROOT, "examples")).map((f) => `examples/${f}`),
    ].filter((f) => /Pulumi\..+\.yaml$/.test(f));
    for (const f of files) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(base, f));
    const r = await runProcess(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/offline/changes.ts", "--base-dir", base, "--engine"], {
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: [...engine, process.env.PATH].join(":") },
        timeoutMs: 540000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const statuses = [...r.stdout.matchAll(/^== (\S+) \((\w+)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(statuses).toEqual(files.sort().map((f) => [f, "unchanged"]));
}, 600000);
