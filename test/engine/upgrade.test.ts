/**
 * A stack deployed by an earlier version of the program, upgraded with one `pulumi up` of this one, by the real engine:
 * the earlier program is taken from the repository's own history (`git archive` of a commit, into a temporary folder,
 * with this checkout's node_modules), deployed with the stand-in providers, and then the throwaway project runs this
 * checkout's program over the same state, as a user's `git pull && pulumi up` does. Throughout the upgrade an
 * anonymous reader polls the issuer's documents, as Entra would: they must answer 200 with the signing kid at every
 * poll, and no manual step may be needed.
 *
 * The earlier versions covered:
 * - the IssuerDocuments dynamic resource (its provider's code serialized into the state), before the project's own
 *   provider plugin served it: the last commit with it is DYNAMIC_RESOURCE_COMMIT.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JWKS_PATH } from "../../lib/trust/oidc";
import { PROGRAM_FILES } from "../../tools/engine/project";
import { EngineWorld } from "../../tools/engine/world";
import { REPO_ROOT } from "../../tools/goBuild";

/** The program as it was with the dynamic resource (the commit before provider/ was added). */
const DYNAMIC_RESOURCE_COMMIT = "50f186e0ab7ce2a2e97bfd04be69e8b70f9a2fa9";
const STACK = "dev";
const ACCOUNT = "stwifupgrade";
const KEY_DIR = "~/.entra-wif/entra-wif-dev";

let world: EngineWorld;
let oldProgram: string;

/** The program files of `commit`, from this repository's history, with this checkout's installed packages. */
function checkout(commit: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-old-program-"));
    const files = [...PROGRAM_FILES.filter((f) => f !== "node_modules"), "Pulumi.yaml"];
    const present = files.filter((f) => {
        try {
            execFileSync("git", ["cat-file", "-e", `${commit}:${f}`], { cwd: REPO_ROOT, stdio: "ignore" });
            return true;
        } catch {
            return false;
        }
    });
    const archive = execFileSync("git", ["archive", "--format=tar", commit, ...present], { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

beforeAll(async () => {
    oldProgram = checkout(DYNAMIC_RESOURCE_COMMIT);
    world = await EngineWorld.start([ACCOUNT]);
    world.project.useProgram(oldProgram);
    const init = await world.project.pulumi(["stack", "init", STACK]);
    if (init.code !== 0) throw new Error(`pulumi stack init failed:\n${init.stderr}`);
    world.project.writeStack(STACK, {
        "azure-native:location": "westeurope",
        "entra-wif:issuer": { hosting: "blob", containerName: "oidc", storageAccountName: ACCOUNT },
        "entra-wif:cluster": { mode: "kind" },
        "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    });
}, 120000);

afterAll(async () => {
    await world?.stop();
    if (oldProgram) fs.rmSync(oldProgram, { recursive: true, force: true });
});

const failure = (what: string, r: { code: number | null; stdout: string; stderr: string }) =>
    `${what} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;

async function issuerUrl(): Promise<string> {
    const r = await world.project.pulumi(["stack", "output", "issuerUrl", "--stack", STACK]);
    if (r.code !== 0) throw new Error(failure("pulumi stack output", r));
    return r.stdout.trim();
}

/** What Entra reads at the issuer now: the JWKS's status and kids. */
async function jwksNow(issuer: string): Promise<{ status: number; kids: string[] }> {
    const served = (await world.served(issuer))[JWKS_PATH];
    return { status: served.status, kids: served.status === 200 ? (JSON.parse(served.body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid) : [] };
}

test("the earlier program deploys: its documents are a dynamic resource, served", async () => {
    const up = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
    if (up.code !== 0) throw new Error(failure("up with the earlier program", up));
    expect(up.steps.filter((s) => s.type === "pulumi-nodejs:dynamic/entra-wif:IssuerDocuments").map((s) => s.op)).toEqual(["create"]);
    const served = await jwksNow(await issuerUrl());
    expect(served.status).toBe(200);
    expect(served.kids).toContain(world.clusterKid(KEY_DIR));
});

test("one pulumi up of this program: the plugin's resource is created, the dynamic one deleted, and Entra reads 200 throughout", async () => {
    const issuer = await issuerUrl();
    const kid = world.clusterKid(KEY_DIR)!;
    world.project.useProgram(REPO_ROOT);
    // An anonymous reader polling the JWKS while the update runs, as Entra would.
    const polls: Array<{ status: number; kids: string[] }> = [];
    let running = true;
    const poller = (async () => {
        while (running) {
            polls.push(await jwksNow(issuer).catch(() => ({ status: 0, kids: [] })));
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    })();
    const up = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]).finally(() => (running = false));
    await poller;
    if (up.code !== 0) throw new Error(failure("up with this program", up));
    const ops = (type: string) => up.steps.filter((s) => s.type === type).map((s) => s.op);
    expect(ops("entra-wif:index:IssuerDocuments")).toEqual(["create"]);
    expect(ops("pulumi-nodejs:dynamic/entra-wif:IssuerDocuments")).toEqual(["delete"]);
    // The new resource is written before the old one goes (its delete deletes nothing anyway).
    const order = up.steps.map((s) => `${s.op} ${s.type}`);
    expect(order.indexOf("create entra-wif:index:IssuerDocuments")).toBeLessThan(order.indexOf("delete pulumi-nodejs:dynamic/entra-wif:IssuerDocuments"));
    expect(polls.length).toBeGreaterThan(3);
    expect(polls.filter((p) => p.status !== 200 || !p.kids.includes(kid))).toEqual([]);
    // The same issuer, the same key: nothing else of the stack changed.
    expect(await issuerUrl()).toBe(issuer);
    expect(world.clusterKid(KEY_DIR)).toBe(kid);
    // No provider code in the state any more.
    const state = await world.project.pulumi(["stack", "export", "--stack", STACK]);
    expect(state.stdout).not.toContain("__provider");
});

test("after the upgrade: up again changes nothing, refresh reads the documents through the plugin, destroy goes through", async () => {
    const again = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
    if (again.code !== 0) throw new Error(failure("up again", again));
    expect(again.steps.filter((s) => s.op !== "same")).toEqual([]);
    const refresh = await world.run(["refresh", "--yes", "--skip-preview", "--stack", STACK]);
    if (refresh.code !== 0) throw new Error(failure("refresh", refresh));
    expect((await jwksNow(await issuerUrl())).status).toBe(200);
    const destroy = await world.run(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    if (destroy.code !== 0) throw new Error(failure("destroy", destroy));
});
