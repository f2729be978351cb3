/**
 * A stack deployed by an earlier version of the program, upgraded with one `pulumi up` of this one, by the real engine:
 * the earlier program is taken from the repository's own history (`git archive` of a commit, into a temporary folder,
 * with this checkout's node_modules), deployed with the stand-in providers, and then the throwaway project runs this
 * checkout's program over the same state, as a user's `git pull && pulumi up` does. Throughout the upgrade an
 * anonymous reader polls the issuer's documents, as Entra would: they must answer 200 with the signing kid at every
 * poll, and no manual step may be needed.
 *
 * The earlier versions covered, each the last commit of its kind:
 * - azure-native Blobs without retainOnDelete, and blob hosting (BLOB_COMMIT): their delete at the end of the upgrade
 *   would delete the blobs the new documents resource has just written under the same names;
 * - azure-native Blobs with retainOnDelete, and the static website as azure-native's StorageAccountStaticWebsite
 *   (RETAINED_BLOB_COMMIT): the website's delete would turn the website off;
 * - the IssuerDocuments dynamic resource (its provider's code serialized into the state), before the project's own
 *   provider plugin served it (DYNAMIC_RESOURCE_COMMIT).
 * The first two are taken over by the RetiredResource placeholders (lib/trust/retiredResources.ts); the stand-in
 * azure-native writes and deletes those blobs, and turns that website on and off, in Azurite as azure-native does.
 */
import * as fs from "node:fs";
import { JWKS_PATH } from "../../lib/trust/oidc";
import { programAt } from "../../tools/engine/project";
import { EngineWorld } from "../../tools/engine/world";
import { REPO_ROOT } from "../../tools/goBuild";

/** Blobs without retainOnDelete: the commit before c31b289 retained them. */
const BLOB_COMMIT = "b0b22f4f8f1addec321c3d24291302e11611da7d";
/** Retained Blobs and StorageAccountStaticWebsite: the commit before 36f70e1 made the documents the project's own resource. */
const RETAINED_BLOB_COMMIT = "afaab636846473c334821a11d8943417a77f3559";
/** The previous release's program: the writer's grant on the container, the kind cluster one Command after the gate. */
const CLUSTER_AFTER_GATE_COMMIT = "fa58dde49eb407af94e1f5e08246c9f62b681915";
/** The program as it was with the dynamic resource (the commit before provider/ was added). */
const DYNAMIC_RESOURCE_COMMIT = "50f186e0ab7ce2a2e97bfd04be69e8b70f9a2fa9";

interface Scenario {
    title: string;
    /** The kind cluster must neither be created again nor restart in the upgrade. */
    clusterUntouched?: boolean;
    commit: string;
    stack: string;
    account: string;
    hosting: "blob" | "staticWebsite";
    /** What the earlier version registered for the documents: its types, and what the upgrade does with each. */
    before: Record<string, string[]>;
    after: Record<string, string[]>;
}

const SCENARIOS: Scenario[] = [
    {
        title: "azure-native Blobs without retainOnDelete, blob hosting",
        commit: BLOB_COMMIT,
        stack: "blobs",
        account: "stwifupblob",
        hosting: "blob",
        before: { "azure-native:storage:Blob": ["create", "create"] },
        // Taken over by the placeholders: the engine calls nothing for them, and never deletes the blobs.
        after: { "azure-native:storage:Blob": [], "entra-wif:index:IssuerDocuments": ["create"], "entra-wif:index:RetiredResource": ["create"] },
    },
    {
        title: "retained azure-native Blobs and StorageAccountStaticWebsite, static website hosting",
        commit: RETAINED_BLOB_COMMIT,
        stack: "website",
        account: "stwifupweb",
        hosting: "staticWebsite",
        before: { "azure-native:storage:Blob": ["create", "create"], "azure-native:storage:StorageAccountStaticWebsite": ["create"] },
        after: {
            "azure-native:storage:Blob": [],
            "azure-native:storage:StorageAccountStaticWebsite": [],
            "entra-wif:index:IssuerDocuments": ["create"],
            "entra-wif:index:RetiredResource": [],
        },
    },
    {
        title: "the IssuerDocuments dynamic resource",
        commit: DYNAMIC_RESOURCE_COMMIT,
        stack: "dynamic",
        account: "stwifupdyn",
        hosting: "blob",
        before: { "pulumi-nodejs:dynamic/entra-wif:IssuerDocuments": ["create"] },
        // The plugin's resource is created, writing the documents over themselves; the old one's delete deletes nothing.
        after: { "entra-wif:index:IssuerDocuments": ["create"], "pulumi-nodejs:dynamic/entra-wif:IssuerDocuments": ["delete"] },
    },
    {
        title: "the kind cluster created after the gate, and the writer's grant on the container",
        commit: CLUSTER_AFTER_GATE_COMMIT,
        stack: "previous",
        account: "stwifupprev",
        hosting: "blob",
        clusterUntouched: true,
        before: { "entra-wif:index:IssuerDocuments": ["create"] },
        // The documents stay as they are; the grant moves to the stack's group (a new name: made before the old goes).
        after: { "entra-wif:index:IssuerDocuments": [], "azure-native:authorization:RoleAssignment": ["create-replacement", "delete-replaced", "replace"] },
    },
];

let world: EngineWorld;
const checkouts: string[] = [];

/** The program files of `commit`, with this checkout's installed packages (tools/engine/project.ts programAt). */
function checkout(commit: string): string {
    const dir = programAt(commit);
    checkouts.push(dir);
    return dir;
}

beforeAll(async () => {
    world = await EngineWorld.start(SCENARIOS.map((s) => s.account));
}, 120000);

afterAll(async () => {
    await world?.stop();
    for (const dir of checkouts) fs.rmSync(dir, { recursive: true, force: true });
});

const failure = (what: string, r: { code: number | null; stdout: string; stderr: string }) =>
    `${what} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;

async function issuerUrl(stack: string): Promise<string> {
    const r = await world.project.pulumi(["stack", "output", "issuerUrl", "--stack", stack]);
    if (r.code !== 0) throw new Error(failure("pulumi stack output", r));
    return r.stdout.trim();
}

/** What Entra reads at the issuer now: the JWKS's status and kids. */
async function jwksNow(issuer: string): Promise<{ status: number; kids: string[] }> {
    const served = (await world.served(issuer))[JWKS_PATH];
    return { status: served.status, kids: served.status === 200 ? (JSON.parse(served.body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid) : [] };
}

const opsOf = (steps: Array<{ op: string; type: string }>, type: string) => steps.filter((s) => s.type === type && s.op !== "same").map((s) => s.op);

describe.each(SCENARIOS)("upgrading a stack of $title", (scenario) => {
    const keyDir = `~/.entra-wif/entra-wif-${scenario.stack}`;

    test("the earlier program deploys, and its documents are served", async () => {
        world.project.useProgram(checkout(scenario.commit));
        const init = await world.project.pulumi(["stack", "init", scenario.stack]);
        if (init.code !== 0) throw new Error(`pulumi stack init failed:\n${init.stderr}`);
        world.project.writeStack(scenario.stack, {
            "azure-native:location": "westeurope",
            "entra-wif:issuer": { hosting: scenario.hosting, storageAccountName: scenario.account },
            "entra-wif:cluster": { mode: "kind" },
            "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
        });
        const up = await world.run(["up", "--yes", "--skip-preview", "--stack", scenario.stack]);
        if (up.code !== 0) throw new Error(failure("up with the earlier program", up));
        for (const [type, ops] of Object.entries(scenario.before)) expect([type, opsOf(up.steps, type)]).toEqual([type, ops]);
        const served = await jwksNow(await issuerUrl(scenario.stack));
        expect(served.status).toBe(200);
        expect(served.kids).toContain(world.clusterKid(keyDir));
    });

    test("one pulumi up of this program: no manual step, and Entra reads 200 with the signing kid at every poll", async () => {
        const issuer = await issuerUrl(scenario.stack);
        const kid = world.clusterKid(keyDir)!;
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
        const signingBefore = world.signingMoments().length;
        const up = await world.run(["up", "--yes", "--skip-preview", "--stack", scenario.stack]).finally(() => (running = false));
        await poller;
        if (up.code !== 0) throw new Error(failure("up with this program", up));
        expect(polls.length).toBeGreaterThan(3);
        expect(polls.filter((p) => p.status !== 200 || !p.kids.includes(kid))).toEqual([]);
        // And after it: still served, by the same issuer, with the same key.
        expect(await jwksNow(issuer)).toEqual({ status: 200, kids: expect.arrayContaining([kid]) });
        for (const [type, ops] of Object.entries(scenario.after)) expect([type, opsOf(up.steps, type).sort()]).toEqual([type, [...ops].sort()]);
        // Whatever goes, goes after the new documents are written.
        const order = up.steps.map((s) => `${s.op} ${s.type}`);
        const firstDelete = order.findIndex((o) => o.startsWith("delete "));
        if (firstDelete !== -1) expect(order.indexOf("create entra-wif:index:IssuerDocuments")).toBeLessThan(firstDelete);
        expect(await issuerUrl(scenario.stack)).toBe(issuer);
        expect(world.clusterKid(keyDir)).toBe(kid);
        // The cluster of a stack that already runs: not created again, its control plane not restarted.
        if (scenario.clusterUntouched) expect(world.signingMoments().slice(signingBefore)).toEqual([]);
        const state = await world.project.pulumi(["stack", "export", "--stack", scenario.stack]);
        expect(state.stdout).not.toContain("__provider");
    });

    test("after the upgrade: up again changes nothing, refresh keeps the documents, destroy goes through", async () => {
        const again = await world.run(["up", "--yes", "--skip-preview", "--stack", scenario.stack]);
        if (again.code !== 0) throw new Error(failure("up again", again));
        expect(again.steps.filter((s) => s.op !== "same")).toEqual([]);
        const refresh = await world.run(["refresh", "--yes", "--skip-preview", "--stack", scenario.stack]);
        if (refresh.code !== 0) throw new Error(failure("refresh", refresh));
        expect((await jwksNow(await issuerUrl(scenario.stack))).status).toBe(200);
        const destroy = await world.run(["destroy", "--yes", "--skip-preview", "--stack", scenario.stack]);
        if (destroy.code !== 0) throw new Error(failure("destroy", destroy));
    });
});
