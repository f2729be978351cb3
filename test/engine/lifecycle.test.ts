/**
 * The stack taken through what users run, each step a real `pulumi` command of the real engine (v3.276.0, built from
 * the Go module proxy) on a throwaway file backend, with stand-in providers that answer from lib/plans/providerRules.ts
 * and Azurite serving the issuer. The dev stack's shape (a kind cluster, blob hosting, one workload, the sample), then
 * every change the change preview lists, the README's rotation, refresh, and destroy and up again.
 *
 * After every step:
 * - the documents Azurite serves (anonymously, application/json) hold the kid the cluster signs with, under the issuer
 *   the stack outputs;
 * - at every moment the cluster started signing with a key (kind create, the rotation's restart), the JWKS served then
 *   held its kid (recorded by the stand-in kind and docker);
 * - the state holds no plaintext private key and no storage key;
 * - no object of a fixed name was created while the old one still existed, and no create was refused: the stand-ins'
 *   world refuses it as azure-native's Create does, so the engine's own step order is what is checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVIDER_RULES } from "../../lib/plans/providerRules";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { DEV_ACCOUNT_KEY } from "../../tools/engine/azurite";
import { EngineWorld, providerCalls } from "../../tools/engine/world";
import { azureCliCalls } from "../../tools/engine/azureCli";

const STACK = "dev";
const KEY_DIR = "~/.entra-wif/entra-wif-dev";
const ACCOUNTS = ["stwifenga", "stwifengb"];

type Config = Record<string, unknown>;
const dev = (): Config => ({
    "azure-native:location": "westeurope",
    "entra-wif:issuer": { hosting: "blob", containerName: "oidc", storageAccountName: ACCOUNTS[0] },
    "entra-wif:signingKey": { rsaBits: 2048 },
    "entra-wif:cluster": { mode: "kind" },
    "entra-wif:identity": { type: "managedIdentity" },
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
});
const withKey = (config: Config, key: string, value: unknown): Config => ({ ...config, [key]: value });
const merge = (config: Config, key: string, fields: Record<string, unknown>): Config => ({ ...config, [key]: { ...(config[key] as object), ...fields } });

let world: EngineWorld;
let current: Config = dev();
/** What each step did, for the report at the end: the engine's operations by count. */
const report: Array<{ step: string; seconds: number; ops: Record<string, number> }> = [];

/** The steps build on each other: after one fails, the rest say so instead of failing in its wake. */
let failedStep: string | undefined;
function step(name: string, body: () => Promise<void>): void {
    test(name, async () => {
        if (failedStep) throw new Error(`not run: the step "${failedStep}" failed, and every later step starts from its state`);
        try {
            await body();
        } catch (err) {
            failedStep = name;
            throw err;
        }
    });
}

beforeAll(async () => {
    world = await EngineWorld.start(ACCOUNTS);
    const init = await world.project.pulumi(["stack", "init", STACK]);
    if (init.code !== 0) throw new Error(`pulumi stack init failed:\n${init.stderr}`);
});

afterAll(async () => {
    process.stdout.write(
        `test:engine steps:\n${report.map((r) => `  ${r.step.padEnd(44)} ${r.seconds.toFixed(1).padStart(5)} s  ${JSON.stringify(r.ops)}`).join("\n")}\n`,
    );
    await world?.stop();
});

function failure(what: string, r: { code: number | null; stdout: string; stderr: string }): string {
    const errors = r.stdout
        .split("\n")
        .filter((l) => /error|failed/i.test(l))
        .slice(0, 40);
    return `${what} exited ${r.code}\n--- errors\n${errors.join("\n")}\n--- stdout (end)\n${r.stdout.slice(-3000)}\n--- stderr (end)\n${r.stderr.slice(-3000)}`;
}

async function outputs(): Promise<Record<string, unknown>> {
    const r = await world.project.pulumi(["stack", "output", "--json", "--stack", STACK]);
    if (r.code !== 0) throw new Error(failure("pulumi stack output", r));
    return JSON.parse(r.stdout);
}

/** The project's invariants, after a step that leaves the stack deployed. */
async function expectInvariants(step: string): Promise<void> {
    const out = await outputs();
    const issuer = String(out.issuerUrl);
    const served = await world.served(issuer);
    expect([step, served[JWKS_PATH].status, served[DISCOVERY_PATH].status]).toEqual([step, 200, 200]);
    expect([step, served[JWKS_PATH].contentType, served[DISCOVERY_PATH].contentType]).toEqual([step, "application/json", "application/json"]);
    // The issuer string, byte for byte, in the discovery document and the stack's output (which the credentials carry).
    expect([step, JSON.parse(served[DISCOVERY_PATH].body).issuer]).toEqual([step, issuer]);
    const kids = (JSON.parse(served[JWKS_PATH].body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const clusterKid = world.clusterKid(KEY_DIR);
    expect([step, clusterKid]).toEqual([step, out.signingKeyId]);
    expect([step, kids]).toEqual([step, expect.arrayContaining([clusterKid])]);
    // The cluster's flag is the same issuer.
    expect([step, (out.kubeApiServerFlags as string[])[0]]).toEqual([step, `--service-account-issuer=${issuer}`]);
    expectSigningAlwaysServed(step);
    await expectNoPlaintextSecretInState(step);
    expectNoNameCollision(step);
}

/**
 * A running cluster switched keys (the restart) only while the JWKS served held the new kid. A cluster is created as
 * soon as its issuer is known, so at its create the issuer may serve nothing yet (404: the first up, or a new issuer,
 * when no token is in use); a JWKS served without its kid would be a failure there too. What uses a token first, the
 * sample pod, waits for the documents (expectPodAfterPublished).
 */
function expectSigningAlwaysServed(step: string): void {
    for (const m of world.signingMoments()) {
        const notYetPublished = m.event === "create" && m.served === null && m.error === "HTTP 404";
        if (!notYetPublished) expect([step, m.event, m.kid, m.served ?? m.error]).toEqual([step, m.event, m.kid, expect.arrayContaining([m.kid])]);
    }
}

/** In the engine's own event log: every Pod created in an update was created after the issuer's gate finished. */
function expectPodAfterPublished(step: string, events: Array<{ kind: string; op?: string; urn?: string }>): void {
    const gateDone = events.findIndex((e) => e.kind === "resOutputsEvent" && /::issuer-verify$/.test(e.urn ?? ""));
    events.forEach((e, i) => {
        if (e.kind === "resourcePreEvent" && /Pod::/.test(e.urn ?? "") && /^(create|replace|create-replacement)$/.test(e.op ?? "")) {
            expect([step, e.urn, gateDone !== -1 && gateDone < i]).toEqual([step, e.urn, true]);
        }
    });
}

async function expectNoPlaintextSecretInState(step: string): Promise<void> {
    const r = await world.project.pulumi(["stack", "export", "--stack", STACK]);
    expect([step, r.code]).toEqual([step, 0]);
    expect([step, r.stdout.includes("PRIVATE KEY-----")]).toEqual([step, false]);
    expect([step, r.stdout.includes(DEV_ACCOUNT_KEY)]).toEqual([step, false]);
    expect([step, r.stdout.includes("MIIE")]).toEqual([step, false]);
}

/** From the stand-ins' own log: per object name, creates and deletes alternate; nothing was refused. */
function expectNoNameCollision(step: string): void {
    const live = new Map<string, boolean>();
    for (const c of providerCalls(world)) {
        if (c.op === "create-refused") throw new Error(`${step}: ${c.type} ${c.name} was created while its name (${c.key}) still existed`);
        // A kind cluster deleted: everything in it goes with it.
        if (c.op === "delete-scope") for (const id of live.keys()) if (id.startsWith(`${c.scope} `)) live.set(id, false);
        if (c.op !== "create" && c.op !== "delete") continue;
        const rule = PROVIDER_RULES[c.type!];
        if (!rule?.createRefusesExisting || rule.nameInputs.length === 0) continue;
        const id = `${c.scope} ${c.type} ${c.key}`;
        if (c.op === "create") expect([step, id, live.get(id) ?? false]).toEqual([step, id, false]);
        live.set(id, c.op === "create");
    }
}

/** What the last `up` printed. */
let lastOutput = "";

async function up(step: string, config: Config): Promise<Array<{ op: string; type: string; urn: string }>> {
    current = config;
    world.project.writeStack(STACK, config);
    const r = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
    if (r.code !== 0) throw new Error(failure(`${step}: pulumi up`, r));
    lastOutput = `${r.stdout}\n${r.stderr}`;
    expectPodAfterPublished(step, r.events);
    const ops: Record<string, number> = {};
    for (const s of r.steps) if (s.op !== "same") ops[s.op] = (ops[s.op] ?? 0) + 1;
    report.push({ step, seconds: r.seconds, ops });
    await expectInvariants(step);
    return r.steps;
}

const replaced = (steps: Array<{ op: string; type: string }>, type: string) => steps.some((s) => s.type === type && /replace/.test(s.op));
/** For a resource replaced delete-first: the old one's delete step comes before the new one's create. */
function deletedFirst(steps: Array<{ op: string; urn: string; type: string }>, type: string): boolean {
    const del = steps.findIndex((s) => s.type === type && s.op === "delete-replaced");
    const create = steps.findIndex((s) => s.type === type && s.op === "create-replacement");
    return del !== -1 && create !== -1 && del < create;
}

describe("the dev stack through the engine", () => {
    step("a deployer who cannot assign roles: preview warns, up stops before its first write, with what to ask for", async () => {
        // ARM's answer for Contributor alone (its notActions exclude Microsoft.Authorization/*/Write).
        fs.writeFileSync(
            world.armAnswersFile,
            JSON.stringify({
                permissions: { value: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"] }] },
            }),
        );
        try {
            world.project.writeStack(STACK, dev());
            const preview = await world.run(["preview", "--stack", STACK]);
            expect(preview.code).toBe(0);
            expect(preview.stdout).toContain("entra-wif: pulumi up would stop here: the Azure CLI login (az login) cannot assign roles at /subscriptions/");
            const r = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
            expect(r.code).not.toBe(0);
            const said = `${r.stdout}\n${r.stderr}`;
            expect(said).toContain("entra-wif: nothing was written, because Azure would refuse it:");
            expect(said).toContain("Ask for Role Based Access Control Administrator (or User Access Administrator, or Owner)");
            // Printed once, by itself: no serialization prefix, no stack trace.
            expect(said).not.toMatch(/error serializing property|at .*\.ts:\d+/);
            // Nothing in Azure was created: no create of an azure-native resource or of the documents.
            expect(r.steps.filter((s) => s.op === "create" && /^azure-native:|IssuerDocuments/.test(s.type))).toEqual([]);
            // Asked as the deployer, with a token.
            expect(world.armCalls().every((c) => c.bearer)).toBe(true);
        } finally {
            fs.rmSync(world.armAnswersFile, { force: true });
        }
    });

    step("up: every resource created; the issuer serves the cluster's kid before the cluster signs with it", async () => {
        const steps = await up("up", dev());
        // Created now, or kept from the stopped up before (its components, the signing key: nothing in Azure).
        expect(steps.filter((s) => s.op === "create" || s.op === "same").length).toBeGreaterThan(25);
        expect(steps.filter((s) => /^azure-native:/.test(s.type)).every((s) => s.op === "create")).toBe(true);
        expect(world.signingMoments().map((m) => m.event)).toEqual(["create"]);
        // The cluster did not wait for the storage chain and the grant's propagation: it was created before the
        // documents were written (its issuer then served nothing), and the sample pod after the gate.
        expect(world.signingMoments()[0]).toMatchObject({ served: null, error: "HTTP 404" });
        expect(steps.findIndex((s) => s.urn.endsWith("::cluster-kind"))).toBeLessThan(steps.findIndex((s) => s.urn.endsWith("::issuer-documents")));
        // The documents were written as the deployer (the stand-in az's token), after the grant the stack made it,
        // and the wait for that grant to reach storage was shown to the person running pulumi up.
        expect(steps.findIndex((s) => s.urn.endsWith("::issuer-writer-grant"))).toBeLessThan(steps.findIndex((s) => s.urn.endsWith("::issuer-documents")));
        expect(lastOutput).toContain(`waiting for the Storage Blob Data Contributor grant to reach storage account ${ACCOUNTS[0]}: 0 s of at most 10 min`);
        expect(azureCliCalls(path.join(world.tools, "az-calls.jsonl")).map((c) => c.resource)).toContain("https://storage.azure.com");
    });

    step("up again: no changes", async () => {
        world.project.writeStack(STACK, current);
        const r = await world.run(["preview", "--expect-no-changes", "--stack", STACK]);
        if (r.code !== 0) throw new Error(failure("preview --expect-no-changes", r));
        const again = await world.run(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", STACK]);
        if (again.code !== 0) throw new Error(failure("up --expect-no-changes", again));
        await expectInvariants("up again");
    });

    step("refresh with nothing changed: nothing changes", async () => {
        const r = await world.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes", "--stack", STACK]);
        if (r.code !== 0) throw new Error(failure("refresh --expect-no-changes", r));
        await expectInvariants("refresh");
    });

    step("rotation 1: add a key; the JWKS with both keys is served before the cluster switches", async () => {
        const before = world.clusterKid(KEY_DIR);
        const steps = await up("rotation: add key next", merge(current, "entra-wif:signingKey", { keys: ["initial", "next"] }));
        expect(world.clusterKid(KEY_DIR)).not.toBe(before);
        expect(world.signingMoments().at(-1)!.event).toBe("restart");
        // An update in place: the cluster is not replaced (its own update only reads the kubeconfig), the keys
        // Command switches them, and no identity or credential changes.
        expect(steps.filter((s) => s.urn.endsWith("::cluster-kind")).map((s) => s.op)).toEqual(["update"]);
        expect(steps.filter((s) => s.urn.endsWith("::cluster-keys")).map((s) => s.op)).toEqual(["update"]);
        expect(steps.filter((s) => /FederatedIdentityCredential|RoleAssignment|UserAssignedIdentity/.test(s.type) && s.op !== "same")).toEqual([]);
    });

    step("rotation 2: tokens of the new key; nothing to change", async () => {
        const r = await world.run(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", STACK]);
        if (r.code !== 0) throw new Error(failure("rotation 2", r));
        await expectInvariants("rotation 2");
    });

    step("rotation 3: remove the old key", async () => {
        await up("rotation: remove key initial", merge(current, "entra-wif:signingKey", { keys: ["next"] }));
        const served = await world.served(String((await outputs()).issuerUrl));
        expect(JSON.parse(served[JWKS_PATH].body).keys).toHaveLength(1);
    });

    step("workload added, then removed", async () => {
        const workloads = current["entra-wif:workloads"] as object[];
        await up("workload added", withKey(current, "entra-wif:workloads", [...workloads, { namespace: "payments", serviceAccount: "api" }]));
        await up("workload removed", withKey(current, "entra-wif:workloads", workloads));
    });

    step("webhook off, then on", async () => {
        await up("webhook off", merge(current, "entra-wif:webhook", { enabled: false }));
        await up("webhook on", merge(current, "entra-wif:webhook", { enabled: true }));
    });

    step("identity type application, then managedIdentity", async () => {
        await up("identity application", merge(current, "entra-wif:identity", { type: "application" }));
        await up("identity managedIdentity", merge(current, "entra-wif:identity", { type: "managedIdentity" }));
    });

    step("container renamed: the issuer moves; the cluster is replaced with it, deleted first", async () => {
        const steps = await up("container renamed", merge(current, "entra-wif:issuer", { containerName: "oidc2" }));
        expect(replaced(steps, "azure-native:storage:BlobContainer")).toBe(true);
        expect(deletedFirst(steps, "command:local:Command")).toBe(true);
    });

    step("storage account renamed", async () => {
        const steps = await up("account renamed", merge(current, "entra-wif:issuer", { storageAccountName: ACCOUNTS[1] }));
        expect(replaced(steps, "azure-native:storage:StorageAccount")).toBe(true);
    });

    step("hosting staticWebsite, then blob", async () => {
        await up("hosting staticWebsite", merge(current, "entra-wif:issuer", { hosting: "staticWebsite", containerName: undefined }));
        await up("hosting blob", merge(current, "entra-wif:issuer", { hosting: "blob", containerName: "oidc" }));
    });

    step("location changed: everything in Azure is replaced, each deleted first", async () => {
        const steps = await up("location changed", withKey(current, "azure-native:location", "northeurope"));
        for (const type of [
            "azure-native:resources:ResourceGroup",
            "azure-native:storage:StorageAccount",
            "azure-native:storage:BlobContainer",
            "azure-native:managedidentity:FederatedIdentityCredential",
            "azure-native:authorization:RoleAssignment",
            "azure-native:keyvault:Secret",
        ]) {
            expect([type, deletedFirst(steps, type)]).toEqual([type, true]);
        }
        // Since CLI 3.260 (pulumi/pulumi#23818) what is deletedWith a replaced resource is replaced with it.
        expect(replaced(steps, "entra-wif:index:IssuerDocuments")).toBe(true);
    });

    step("resource group moved to an existing one", async () => {
        const steps = await up("resource group moved", withKey(current, "entra-wif:resourceGroupName", "rg-platform"));
        expect(steps.some((s) => s.type === "azure-native:resources:ResourceGroup" && s.op === "delete")).toBe(true);
    });

    step("sample off", async () => {
        const steps = await up("sample off", merge(current, "entra-wif:sample", { enabled: false }));
        expect(steps.some((s) => s.type === "azure-native:keyvault:Vault" && s.op === "delete")).toBe(true);
    });

    step("refresh after the storage account was deleted outside Pulumi, then up: the documents are served again", async () => {
        await world.deleteOutsidePulumi(
            "azure-native:storage:StorageAccount",
            String((current["entra-wif:issuer"] as { storageAccountName: string }).storageAccountName),
        );
        const refresh = await world.run(["refresh", "--yes", "--skip-preview", "--stack", STACK]);
        if (refresh.code !== 0) throw new Error(failure("refresh after the account was deleted", refresh));
        await up("up after the account was deleted", current);
    });

    step("destroy, then up again at once, then destroy", async () => {
        const destroy = await world.run(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
        if (destroy.code !== 0) throw new Error(failure("destroy", destroy));
        expect(world.clusterKid(KEY_DIR)).toBeUndefined();
        expect(fs.readdirSync(path.join(world.project.standInState, "azure-native"))).toEqual([]);
        await up("up again after destroy", current);
        const last = await world.run(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
        if (last.code !== 0) throw new Error(failure("destroy again", last));
        expectNoNameCollision("destroy again");
    });
});
