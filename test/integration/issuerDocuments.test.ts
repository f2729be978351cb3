/**
 * The issuer documents through their whole life, as `pulumi up` runs them: the IssuerDocuments provider, run in the
 * project's own provider plugin (provider/main.ts) as the engine starts it, writing to a real blob service (Azurite over
 * HTTPS); the engine's decisions from lib/plans/providerRules.ts. After every step both URLs are read anonymously, as Entra
 * reads them, content type included; during an update they are read again and again while the provider writes.
 *
 * The design it replaced is replayed against the same storage with azure-native's real rules for storage.Blob (the
 * same table): the first rotation fails with "cannot create already existing resource", and so does every retry.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { engineStep, ruleFor } from "../../lib/plans/providerRules";
import type { Plan, PlannedResource } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { Azurite, azuriteFor } from "../../tools/engine/azurite";
import { startAzureFront } from "../../tools/engine/world";
import { ProviderPlugin, startProviderPlugin } from "../support/providerPlugin";
import { sharedRelyingParty } from "../support/native";
import { byName, PluginInputs, runProgram } from "../support/program";
import { Deployment, documentsOf, publishPlan, refresh, remove, ResourceState, up } from "../support/publish";
import type { RelyingParty } from "../support/relyingParty";

let azurite: Azurite;
let rp: RelyingParty;
let host: ProviderPlugin;
let mocks: AzureMocks;

const storage = () => ({ blobEndpoint: azurite.blobEndpoint, accountName: azurite.accountName, accountKey: azurite.accountKey });

async function deploy(issuer: Record<string, unknown>, keys: string[]): Promise<Deployment> {
    const plugin: PluginInputs = new Map();
    const plan = await runProgram(
        {
            "azure-native:location": "westeurope",
            "entra-wif:issuer": { storageAccountName: azurite.accountName, ...issuer },
            "entra-wif:signingKey": { keys },
        },
        { mocks, plugin },
    );
    return { plan, plugin };
}

const documentText = (d: Deployment, p: string) => (documentsOf(d).inputs.documents as Array<{ path: string; text: string }>).find((x) => x.path === p)!.text;

/** Both documents read anonymously, as Entra reads them. */
async function readAsEntra(d: Deployment) {
    return Promise.all([d.plan.outputs.discoveryUrl as string, d.plan.outputs.jwksUrl as string].map((url) => rp.fetch(url)));
}

/** Anonymous reads of `urls`, one after another, until `work` settles: what readers saw while it ran. */
async function readWhile<T>(
    urls: string[],
    work: Promise<T>,
): Promise<{ result: T; seen: Array<{ status: number; contentType: string | null; body: string }> }> {
    let done = false;
    const settled = work.finally(() => (done = true));
    const seen: Array<{ status: number; contentType: string | null; body: string }> = [];
    while (!done) for (const url of urls) seen.push(await rp.fetch(url));
    for (const url of urls) seen.push(await rp.fetch(url));
    return { result: await settled, seen };
}

beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    rp = sharedRelyingParty(azurite.caFile);
    mocks = new AzureMocks({
        blobEndpoint: () => azurite.blobEndpoint,
        webEndpoint: () => `${azurite.blobEndpoint}$web/`,
        storageAccountKey: () => azurite.accountKey,
    });
    host = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile });
}, 120000);

afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
});

describe("a key rotation is an update in place: create, add a key, remove a key, refresh, destroy", () => {
    const deployments: Record<string, Deployment> = {};
    let state: ResourceState;

    beforeAll(async () => {
        deployments.initial = await deploy({ containerName: "rotation" }, ["2026-11"]);
        deployments.overlap = await deploy({ containerName: "rotation" }, ["2026-11", "2027-02"]);
        deployments.retired = await deploy({ containerName: "rotation" }, ["2027-02"]);
    }, 60000);

    test("create: Pulumi's host writes both documents; anonymous reads answer 200, application/json, no-cache, the exact bytes", async () => {
        const result = await publishPlan(rp, azurite, host, deployments.initial);
        expect(result.step).toBe("create");
        state = result.state;
        const [discovery, jwks] = await readAsEntra(deployments.initial);
        expect(discovery).toMatchObject({ status: 200, contentType: "application/json", cacheControl: "no-cache" });
        expect(discovery.body).toBe(deployments.initial.plan.outputs.discoveryDocument);
        expect(jwks).toMatchObject({ status: 200, contentType: "application/json", cacheControl: "no-cache" });
        expect(jwks.body).toBe(deployments.initial.plan.outputs.jwks);
        // Written as the deployer: the stand-in `az` was asked for a storage token (AzureCliCredential's resource for
        // the scope https://storage.azure.com/.default), and no key exists anywhere in the inputs or the state.
        expect(host.azCalls().map((c) => c.resource)).toContain("https://storage.azure.com");
        expect(documentsOf(deployments.initial).inputs).toMatchObject({ auth: "entraToken" });
        expect(documentsOf(deployments.initial).inputs).not.toHaveProperty("accountKey");
        expect(JSON.stringify(state)).not.toContain(azurite.accountKey);
        expect(await rp.discover(deployments.initial.plan.outputs.issuerUrl as string)).toMatchObject({ ok: true });
    });

    test.each([
        ["add a key", "overlap"],
        ["remove the old key", "retired"],
    ])("%s: the provider's diff asks for an update, never a replacement, and the URLs never answer anything but 200", async (_what, step) => {
        const d = deployments[step];
        const urls = [d.plan.outputs.discoveryUrl as string, d.plan.outputs.jwksUrl as string];
        const before = (await readAsEntra(d))[1].body;
        const { result, seen } = await readWhile(urls, up(host, documentsOf(d).urn, documentsOf(d).inputs, state));
        expect(result.diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(result.engineStep).toEqual({ kind: "update" });
        expect(result.step).toBe("update");
        state = result.state;
        for (const answer of seen) {
            expect(answer.status).toBe(200);
            expect(answer.contentType).toBe("application/json");
            expect(() => JSON.parse(answer.body)).not.toThrow();
        }
        const jwksSeen = seen.filter((a) => a.body.startsWith('{"keys"')).map((a) => a.body);
        // Old, then new; never anything else.
        expect(new Set(jwksSeen)).toEqual(new Set(jwksSeen.includes(before) ? [before, d.plan.outputs.jwks] : [d.plan.outputs.jwks]));
        const [, jwks] = await readAsEntra(d);
        expect(jwks.body).toBe(d.plan.outputs.jwks);
        // The discovery document does not change with the keys: same issuer, same jwks_uri.
        expect(documentText(d, DISCOVERY_PATH)).toBe(documentText(deployments.initial, DISCOVERY_PATH));
    });

    test("the same inputs again: no change, nothing written (another way of signing in alone is not a change)", async () => {
        const d = deployments.retired;
        const again = await up(host, documentsOf(d).urn, documentsOf(d).inputs, state);
        expect(again.step).toBe("same");
        expect(again.diff!.changes).toBe(false);
        const keyed = { ...documentsOf(d).inputs, auth: "sharedKey", accountKey: azurite.accountKey };
        expect((await up(host, documentsOf(d).urn, keyed, state)).step).toBe("same");
    });

    test("refresh: a document deleted behind the stack's back: the documents read as gone, and the next up writes them again", async () => {
        const d = deployments.retired;
        await rp.replay({ ...storage(), containerName: "rotation", steps: [{ op: "delete", blobName: JWKS_PATH, contentType: "", text: "" }], probes: [] });
        expect((await readAsEntra(d))[1].status).toBe(404);
        // Gone is gone: refresh drops the resource, and the next up creates it, writing both documents.
        expect(await refresh(host, documentsOf(d).urn, state)).toBeUndefined();
        const repaired = await up(host, documentsOf(d).urn, documentsOf(d).inputs, undefined);
        expect(repaired.step).toBe("create");
        state = repaired.state;
        expect((await readAsEntra(d))[1]).toMatchObject({ status: 200, body: d.plan.outputs.jwks });
    });

    test("destroy: deleted with the container, no provider call; even a direct Delete deletes nothing", async () => {
        const d = deployments.retired;
        const documents = byName(d.plan, "issuer-documents");
        const container = byName(d.plan, "issuer-container").urn;
        expect(documents.deletedWith).toBe(container);
        expect(await remove(host, documents.urn, state, { ...documents.options, deletedWith: documents.deletedWith }, (urn) => urn === container)).toBe(
            "deleted with",
        );
        await host.delete(documents.urn, state.id, state.outputs);
        expect((await readAsEntra(d)).map((r) => r.status)).toEqual([200, 200]);
    });
});

describe("a change of place: customUrl, container, blob ↔ static website", () => {
    let state: ResourceState;
    let blob: Deployment;

    beforeAll(async () => {
        blob = await deploy({ containerName: "moving" }, ["2026-11"]);
        state = (await publishPlan(rp, azurite, host, blob)).state;
    }, 60000);

    test("a custom URL changes the discovery document only, written in place", async () => {
        const custom = await deploy({ containerName: "moving", customUrl: "https://issuer.example.com/" }, ["2026-11"]);
        const result = await up(host, documentsOf(custom).urn, documentsOf(custom).inputs, state);
        expect(result.step).toBe("update");
        state = result.state;
        const served = await rp.fetch(`${azurite.blobEndpoint}moving/${DISCOVERY_PATH}`);
        expect(JSON.parse(served.body)).toMatchObject({ issuer: "https://issuer.example.com/", jwks_uri: "https://issuer.example.com/openid/v1/jwks" });
        // Back to the storage URL for the rest.
        state = (await up(host, documentsOf(blob).urn, documentsOf(blob).inputs, state)).state;
    });

    test("to the static website: enabled with the deployer's token, documents in $web, the old container's removed", async () => {
        const website = await deploy({ hosting: "staticWebsite" }, ["2026-11"]);
        expect(documentsOf(website).inputs).toMatchObject({ hosting: "staticWebsite", containerName: "$web" });
        const result = await up(host, documentsOf(website).urn, documentsOf(website).inputs, state);
        expect(result.step).toBe("update");
        state = result.state;
        expect((await rp.service(storage())).staticWebsite).toMatchObject({ enabled: true });
        for (const [p, text] of [
            [DISCOVERY_PATH, website.plan.outputs.discoveryDocument],
            [JWKS_PATH, website.plan.outputs.jwks],
        ]) {
            // Azurite serves no website endpoint: read $web with the key, properties included.
            expect(await rp.blob({ ...storage(), containerName: "$web", blobName: p as string })).toMatchObject({
                exists: true,
                contentType: "application/json",
                cacheControl: "no-cache",
                body: text,
            });
            expect(await rp.blob({ ...storage(), containerName: "moving", blobName: p as string })).toMatchObject({ exists: false });
        }
    });

    test("and back to blob hosting: written to the container, the $web copies removed, the website it turned on turned off", async () => {
        expect(state.outputs.websiteTurnedOn).toBe(true);
        const result = await publishPlan(rp, azurite, host, blob, "blob", state);
        expect(result.step).toBe("update");
        state = result.state;
        expect((await readAsEntra(blob)).map((r) => r.status)).toEqual([200, 200]);
        expect(await rp.blob({ ...storage(), containerName: "$web", blobName: JWKS_PATH })).toMatchObject({ exists: false });
        expect((await rp.service(storage())).staticWebsite).toMatchObject({ enabled: false });
        expect(state.outputs.websiteTurnedOn).toBeUndefined();
    });

    test("a static website someone else turned on is left on, there and back (its other settings kept)", async () => {
        expect((await rp.service({ ...storage(), staticWebsite: { enabled: true, indexDocument: "index.html" } })).staticWebsite).toMatchObject({
            enabled: true,
        });
        const website = await deploy({ hosting: "staticWebsite" }, ["2026-11"]);
        const there = await up(host, documentsOf(website).urn, documentsOf(website).inputs, state);
        expect(there.step).toBe("update");
        expect(there.state.outputs.websiteTurnedOn).toBeUndefined();
        const back = await publishPlan(rp, azurite, host, blob, "blob", there.state);
        state = back.state;
        expect((await rp.service(storage())).staticWebsite).toMatchObject({ enabled: true, indexDocument: "index.html" });
    });
});

describe("the provider refuses what it cannot publish, before writing anything", () => {
    test("a document that is not JSON, a static website outside $web, an endpoint that is not https", async () => {
        const d = await deploy({ containerName: "refused" }, ["2026-11"]);
        const { urn, inputs } = documentsOf(d);
        const bad = {
            ...inputs,
            blobEndpoint: "http://127.0.0.1/",
            hosting: "staticWebsite",
            documents: [{ path: JWKS_PATH, text: "not json" }],
        };
        const checked = await host.check(urn, {}, bad);
        expect(checked.failures.map((f) => f.property).sort()).toEqual(["blobEndpoint", "containerName", "documents[0].text"]);
    });

    test("in a preview the account key is unknown: Check passes it and Diff still answers from the documents", async () => {
        const d = await deploy({ containerName: "refused" }, ["2026-11"]);
        const { urn, inputs } = documentsOf(d);
        const preview = { ...inputs, accountKey: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" };
        expect((await host.check(urn, {}, preview)).failures).toEqual([]);
        const { accountKey: _key, ...published } = inputs;
        expect(await host.diff(urn, "id", { ...published, urls: [] }, preview)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    });
});

/**
 * The previous design, storage.Blob with retainOnDelete, replayed with azure-native's real rules from
 * lib/plans/providerRules.ts: a new source replaces the Blob, the provider answers delete-before-replace, the engine's
 * delete of a retained resource calls nothing, and the create reads the blob first and refuses it.
 */
describe("what storage.Blob did on the same storage, with azure-native's real rules", () => {
    const rule = ruleFor("azure-native:storage:Blob");
    const blobs = (plan: Plan) => plan.resources.filter((r) => r.type === "azure-native:storage:Blob");
    const recorded = (name: string): Plan => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "migration", name), "utf8")) as Plan;
    const text = (r: PlannedResource) => (r.inputs.source as { asset: { text: string } }).asset.text;

    /** azure-native's Blob Create: customCreate reads the blob first (its Read) and refuses one that exists. */
    async function azureNativeBlobCreate(containerName: string, r: PlannedResource): Promise<string | undefined> {
        const existing = await rp.blob({ ...storage(), containerName, blobName: r.inputs.blobName as string });
        if (rule.createRefusesExisting && existing.exists) return `cannot create already existing resource "${r.inputs.blobName}"`;
        await rp.replay({
            ...storage(),
            containerName,
            steps: [{ op: "create", blobName: r.inputs.blobName as string, contentType: "application/json", text: text(r) }],
            probes: [],
        });
        return undefined;
    }

    test("a rotation's new JWKS is a replacement the provider wants deleted first; retained, the create then refuses — on every retry", async () => {
        const before = recorded("dev.storage-blob.json");
        const jwks = blobs(before).find((r) => r.name === "issuer-jwks")!;
        expect(jwks.options).toEqual({ retainOnDelete: true });
        await rp.container({ ...storage(), containerName: "legacy", access: "blob" });
        for (const r of blobs(before)) expect(await azureNativeBlobCreate("legacy", r)).toBeUndefined();
        // The rotation changes `source`, which azure-native replaces (WillReplaceOnChanges)...
        expect(rule.replaceOn).toContain("source");
        const step = engineStep({ changes: true, replaces: ["source"], deleteBeforeReplace: rule.deleteBeforeReplace }, {});
        expect(step).toEqual({ kind: "replace", order: "delete-first", decidedBy: "the provider" });
        const rotated = { ...jwks, inputs: { ...jwks.inputs, source: { asset: { text: '{"keys":[]}' } } } };
        for (const attempt of [1, 2, 3]) {
            // ... the engine's delete of a retained resource calls nothing; the create that follows refuses.
            expect(jwks.options.retainOnDelete).toBe(true);
            expect(await azureNativeBlobCreate("legacy", rotated)).toMatch(/cannot create already existing resource/);
            expect(attempt).toBeGreaterThan(0);
        }
    });

    test("without retainOnDelete the delete comes first: Entra reads 404 until the upload", async () => {
        await rp.container({ ...storage(), containerName: "legacy404", access: "blob" });
        const jwksUrl = `${azurite.blobEndpoint}legacy404/${JWKS_PATH}`;
        const { observed } = await rp.replay({
            ...storage(),
            containerName: "legacy404",
            steps: [
                { op: "create", blobName: JWKS_PATH, contentType: "application/json", text: '{"keys":[]}' },
                { op: "delete", blobName: JWKS_PATH, contentType: "", text: "" },
                { op: "create", blobName: JWKS_PATH, contentType: "application/json", text: '{"keys":[1]}' },
            ],
            probes: [jwksUrl],
        });
        expect(observed.map((o) => o.statuses[jwksUrl].status)).toEqual([200, 404, 200]);
    });
});

describe("upgrading a stack whose documents storage.Blob published", () => {
    test("the documents resource writes over the live blobs in place; the old Blobs leave the state without a delete", async () => {
        const old = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "migration", "dev.storage-blob.json"), "utf8")) as Plan;
        const upgraded = await deploy({ containerName: "upgrade" }, ["initial"]);
        // What storage.Blob left: the old documents, live.
        await rp.container({ ...storage(), containerName: "upgrade", access: "blob" });
        const oldBlobs = old.resources.filter((r) => r.type === "azure-native:storage:Blob");
        await rp.replay({
            ...storage(),
            containerName: "upgrade",
            steps: oldBlobs.map((r) => ({
                op: "create" as const,
                blobName: r.inputs.blobName as string,
                contentType: "application/json",
                text: (r.inputs.source as { asset: { text: string } }).asset.text,
            })),
            probes: [],
        });
        const urls = [upgraded.plan.outputs.discoveryUrl as string, upgraded.plan.outputs.jwksUrl as string];
        // The new resource is created (it is not in the state): its create overwrites, where azure-native's refused.
        const { result, seen } = await readWhile(urls, publishPlan(rp, azurite, host, upgraded));
        expect(result.step).toBe("create");
        expect(seen.every((a) => a.status === 200)).toBe(true);
        // The old Blobs are no longer in the program: the engine deletes them at the end, and their state says retainOnDelete.
        for (const r of oldBlobs) expect(await remove(host, r.urn, { id: "", inputs: {}, outputs: {} }, r.options, () => false)).toBe("retained");
        expect((await readAsEntra(upgraded)).map((r) => [r.status, r.body])).toEqual([
            [200, upgraded.plan.outputs.discoveryDocument],
            [200, upgraded.plan.outputs.jwks],
        ]);
    });
});

describe("issuer.sharedKeyAccess: the account key writes instead of the deployer's token", () => {
    test("the key is read only then, travels as a secret, and the documents are served alike; the state keeps no key", async () => {
        const keyed = await deploy({ containerName: "keyed", sharedKeyAccess: true }, ["2026-11"]);
        const inputs = documentsOf(keyed).inputs;
        expect(inputs).toMatchObject({ auth: "sharedKey", accountKey: azurite.accountKey });
        expect(byName(keyed.plan, "issuer-documents").inputs.accountKey).toBe("[secret]");
        const before = host.azCalls().length;
        const result = await publishPlan(rp, azurite, host, keyed);
        expect(result.step).toBe("create");
        expect(host.azCalls().length).toBe(before);
        expect(JSON.stringify(result.state.outputs)).not.toContain(azurite.accountKey);
        const [discovery, jwks] = await readAsEntra(keyed);
        expect([discovery.status, jwks.status, jwks.body]).toEqual([200, 200, keyed.plan.outputs.jwks]);
    });

    test("without the key, or with an unknown way of signing in, Check refuses before anything is written", async () => {
        const keyed = await deploy({ containerName: "keyed", sharedKeyAccess: true }, ["2026-11"]);
        const { accountKey: _key, ...withoutKey } = documentsOf(keyed).inputs;
        const checked = await host.check(documentsOf(keyed).urn, {}, withoutKey);
        expect(checked.failures).toEqual([{ property: "accountKey", reason: "accountKey must be a non-empty string" }]);
        const odd = await host.check(documentsOf(keyed).urn, {}, { ...documentsOf(keyed).inputs, auth: "sas" });
        expect(odd.failures).toEqual([{ property: "auth", reason: 'auth must be entraToken or sharedKey, not "sas"' }]);
    });
});

describe("a fresh grant: the first write waits, visibly and bounded, until storage honours it", () => {
    let front: { pid: number; blob: string; web: string } | undefined;
    const grants = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-grants-"));
    afterAll(() => {
        if (front) process.kill(front.pid, "SIGTERM");
        fs.rmSync(grants, { recursive: true, force: true });
    });

    test("the program's own grant, effective 5 s after it is made: 403 AuthorizationPermissionMismatch until then, the wait reported", async () => {
        // Storage as Azure RBAC answers a token (tools/engine/azureFront.js): only a recorded Storage Blob Data
        // Contributor grant for the token's principal on the container or account lets it write, once effective.
        front = await startAzureFront(azurite, azurite.blobEndpoint.replace(/[^/]+\/$/, ""), { ENTRA_WIF_FRONT_GRANTS: grants });
        const frontMocks = new AzureMocks({
            blobEndpoint: () => `${front!.blob}${azurite.accountName}/`,
            webEndpoint: () => `${front!.web}${azurite.accountName}/`,
            storageAccountKey: () => azurite.accountKey,
        });
        const plugin: PluginInputs = new Map();
        const plan = await runProgram(
            {
                "azure-native:location": "westeurope",
                "entra-wif:issuer": { storageAccountName: azurite.accountName, containerName: "granted" },
                "entra-wif:signingKey": { keys: ["2026-11"] },
            },
            { mocks: frontMocks, plugin },
        );
        const d = { plan, plugin };
        await rp.container({ ...storage(), containerName: "granted", access: "blob" });
        // The grant the program registered, as the stand-in azure-native records a created one.
        const grant = byName(plan, "issuer-writer-grant").inputs;
        // Made on the stack's own group: the front, as Azure RBAC, needs to know the account is in it.
        fs.mkdirSync(path.join(grants, "accounts"), { recursive: true });
        fs.writeFileSync(path.join(grants, "accounts", azurite.accountName), String(plan.outputs.resourceGroupName));
        const started = Date.now();
        fs.writeFileSync(
            path.join(grants, "writer.json"),
            JSON.stringify({ scope: grant.scope, principalId: grant.principalId, roleDefinitionId: grant.roleDefinitionId, effectiveAt: started + 5000 }),
        );
        const result = await up(host, documentsOf(d).urn, documentsOf(d).inputs, undefined);
        expect(result.step).toBe("create");
        expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
        const waits = host
            .stderr()
            .split("\n")
            .filter((l) => l.includes("waiting for the Storage Blob Data Contributor grant"));
        expect(waits[0]).toBe(
            `entra-wif: waiting for the Storage Blob Data Contributor grant to reach storage account ${azurite.accountName}: 0 s of at most 10 min`,
        );
        expect(waits.length).toBeGreaterThanOrEqual(2);
        expect((await rp.fetch(plan.outputs.jwksUrl as string)).body).toBe(plan.outputs.jwks);
    }, 60000);
});
