/**
 * The change preview (`npm run plan -- --from`), as the engine answers it: for every lifecycle transition users run,
 * a throwaway stack deployed from the "before" config with the stand-in providers, then `pulumi preview` of the
 * "after" one (tools/engine/preview.ts), read into the report (lib/plans/changePreview.ts), and checked against the
 * invariants the stack promises:
 *
 * - no create of a fixed name while the old one still exists (the report's `problems`);
 * - at every wave the JWKS Entra can read holds the kid the cluster signs with (the same);
 * - nothing deleted through a data plane the README's rights do not open (the same);
 * - what users expect to survive a transition survives it (per transition, below).
 *
 * One engine session for the file: each "before" config is deployed once, and every preview from it reuses it.
 * The CLI's own code runs in this worker (test/support/native.ts), with the session passed in.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { capturedStreams } from "../../lib/doctor/capture";
import { type ChangePreview, engineChangePreview, formatChangePreview } from "../../lib/plans/changePreview";
import { shortType } from "../../lib/plans/graph";
import { enginePath } from "../../tools/engine/build";
import type { EnginePreviewer } from "../../tools/engine/preview";
import type { Plan } from "../../tools/offline/harness";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { inThisRealm, nativeTooling, withoutStackFrames } from "../support/native";

const DEV = {
    "azure-native:location": "westeurope",
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
};
const TWO_KEYS = { ...DEV, "entra-wif:signingKey": { keys: ["initial", "2027-02"] } };

let dir: string;
let previewer: EnginePreviewer;
beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-engine-preview-"));
    const { enginePreview, stackFile } = nativeTooling();
    // Every storage account the transitions below name, known to Azurite from the start.
    const accounts = [DEV, { ...DEV, "entra-wif:issuer": { customUrl: "https://i.example.com/", storageAccountName: "oidcdev2" } }];
    previewer = await enginePreview.EnginePreviewer.start(
        accounts.map((c) => stackFile.loadStackFile(writeStack(`accounts-${accounts.indexOf(c)}`, c))),
        enginePath(),
    );
}, 120000);
afterAll(async () => {
    await previewer?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

/** A stack file of the dev stack with `config`, in a folder of its own. */
function writeStack(folder: string, config: Record<string, unknown>): string {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    const file = path.join(dir, folder, "Pulumi.dev.yaml");
    fs.writeFileSync(file, stringify({ config }));
    return file;
}

let files = 0;
/** `npm run plan -- --stack-file <after> --from <before> --json`, the CLI's code with this file's engine session. */
async function transition(before: Record<string, unknown>, after: Record<string, unknown>): Promise<{ preview: ChangePreview; code: number }> {
    const [from, to] = [writeStack(`t${++files}`, before), writeStack(`t${++files}`, after)];
    const { out, err, text } = capturedStreams();
    const code = await withoutStackFrames(() => nativeTooling().plan.runPlan(["--stack-file", to, "--from", from, "--json"], out, err, { previewer })).catch(
        (e) => {
            throw inThisRealm(e);
        },
    );
    const { stdout, stderr } = text();
    if (code !== 0 && code !== 3) throw new Error(`plan --from exited ${code}:\n${stderr}`);
    return { preview: JSON.parse(stdout) as ChangePreview, code };
}

const acting = (p: ChangePreview) => p.steps.filter((s) => s.kind !== "same");
const named = (p: ChangePreview, name: string) => p.steps.find((s) => s.name === name)!;
const kinds = (p: ChangePreview) => Object.fromEntries(acting(p).map((s) => [s.name, s.kind]));
const touches = (p: ChangePreview, pattern: RegExp) => acting(p).filter((s) => pattern.test(s.type));
const ENTRA_TRUST = /UserAssignedIdentity|FederatedIdentityCredential|RoleAssignment|azuread:/;
const KID = "[A-Za-z0-9_-]{43}";

describe("the signing key", () => {
    test("add a key: the JWKS is updated before the cluster switches; nothing of Entra's trust changes", async () => {
        const { preview, code } = await transition(DEV, TWO_KEYS);
        expect(preview.problems).toEqual([]);
        expect(code).toBe(0);
        expect(kinds(preview)).toEqual({
            "signing-key-2027-02": "create",
            "issuer-documents": "update",
            "issuer-verify": "replace",
            "cluster-kind": "update",
            "cluster-keys": "update",
        });
        expect(named(preview, "issuer-documents").wave).toBeLessThan(named(preview, "issuer-verify").wave);
        // The running cluster switches keys after the gate; the cluster's own update (the keys a cluster created later
        // starts with) runs nothing on it.
        expect(named(preview, "issuer-verify").wave).toBeLessThan(named(preview, "cluster-keys").wave);
        expect(named(preview, "cluster-keys").notes).toEqual([
            "the cluster's key files are rewritten in place and its control plane restarted; pods keep running",
        ]);
        expect(named(preview, "cluster-kind").notes).toEqual(["only the keys a cluster created later starts with: nothing runs on the cluster"]);
        expect(named(preview, "issuer-documents").changed).toEqual(["documents openid/v1/jwks"]);
        expect(named(preview, "issuer-documents").notes).toEqual([expect.stringMatching(new RegExp(`^Entra will find the new key ${KID} in the JWKS$`))]);
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
        // As a person reads it: the steps in order, the secret's change named without its value.
        const text = formatChangePreview(preview, shortType);
        expect(
            text
                .split("\n")
                .filter((l) => /^\s*\d+ {2}/.test(l))
                .map((l) => l.trim().split(/\s+/).slice(0, 3).join(" ")),
        ).toEqual(["2 create tls:PrivateKey", "3 update local:Command", "5 update IssuerDocuments", "6 replace local:Command", "7 update local:Command"]);
        expect(text).toContain("environment.ENTRA_WIF_SIGNING_KEY");
        expect(text).not.toMatch(/PRIVATE KEY|\[secret #/);
    });

    test("rsaBits: the existing key is never regenerated (ignoreChanges), so nothing changes", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:signingKey": { rsaBits: 4096 } });
        expect(acting(preview)).toEqual([]);
        expect(preview.problems).toEqual([]);
    });
});

/** What the preview says when the documents go with what holds them while the cluster keeps signing. */
const DOCUMENTS_GAP =
    "is deleted before it is created again, and the issuer's documents with it: " +
    "until they are written again Entra cannot read the JWKS, and refuses every token the running cluster signs";

const issuerChange = /the issuer changes from .* every token in flight carries the old issuer/;

describe("where the issuer lives", () => {
    test.each([
        ["blob → staticWebsite", {}, { "entra-wif:issuer": { hosting: "staticWebsite" } }],
        ["set customUrl", {}, { "entra-wif:issuer": { customUrl: "https://issuer.example.com/dev/" } }],
    ])("%s: the documents follow, credentials are updated in place, the cluster moves to the new issuer, and the preview says so", async (_name, from, to) => {
        const { preview } = await transition({ ...DEV, ...from }, { ...DEV, ...to });
        expect(preview.problems).toEqual([]);
        expect(["update", "replace"]).toContain(named(preview, "issuer-documents").kind);
        expect(named(preview, "issuer-documents").notes.some((n) => issuerChange.test(n)) || named(preview, "issuer-documents").kind === "replace").toBe(true);
        // Entra's side is updated in place: the identity and its client id survive.
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").kind).toBe("update");
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").changed).toEqual(["issuer"]);
        expect(named(preview, "id-entra-wif-dev-identity").kind).toBe("same");
        // A kind cluster cannot change its issuer: it is replaced, the old one deleted first (same name).
        expect(named(preview, "cluster-kind").replace).toMatchObject({ order: "delete-first", decidedBy: "a resource option" });
        expect(named(preview, "cluster-kind").notes[0]).toMatch(/the kind cluster is deleted and created anew/);
    });

    test("a container rename: the container is replaced, deleted first, and the documents with it (deletedWith, CLI 3.260+)", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:issuer": { containerName: "issuer" } });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "issuer-container").replace).toEqual({ order: "delete-first", decidedBy: "the provider", because: ["containerName"] });
        // A model that compared inputs alone said "update" here: the engine replaces them with their container.
        expect(named(preview, "issuer-documents")).toMatchObject({
            kind: "replace",
            replace: { decidedBy: "the engine", because: expect.arrayContaining(["it goes with issuer-container, which is replaced"]) },
        });
        expect(named(preview, "issuer-container").wave).toBeLessThan(named(preview, "issuer-documents").wave);
        // The issuer URL names the container: the credentials follow in place, the cluster is made anew.
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").kind).toBe("update");
        expect(named(preview, "cluster-kind").replace).toMatchObject({ order: "delete-first" });
    });

    test("blob → staticWebsite deletes the public container through ARM; the account is updated, not replaced", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:issuer": { hosting: "staticWebsite" } });
        expect(named(preview, "issuer-container")).toMatchObject({ kind: "delete", delete: { outcome: "provider delete", through: "Azure Resource Manager" } });
        expect(named(preview, "issuer-account")).toMatchObject({ kind: "update", changed: ["allowBlobPublicAccess"] });
    });

    test("a location change: everything in Azure is replaced, each deleted first; what the engine adds is said to be the engine's", async () => {
        const { preview, code } = await transition(DEV, { ...DEV, "azure-native:location": "northeurope" });
        for (const name of ["group-rg", "issuer-account", "issuer-container", "issuer-documents", "sample-secret", "id-entra-wif-dev-fic-demo_workload-sa"]) {
            expect([name, named(preview, name).kind, named(preview, name).replace?.order]).toEqual([name, "replace", "delete-first"]);
        }
        // The documents: replaced with their container (deletedWith) and after what they depend on, not by their own diff.
        expect(named(preview, "issuer-documents").replace).toMatchObject({
            decidedBy: "the engine",
            because: expect.arrayContaining(["it goes with issuer-container, which is replaced"]),
        });
        expect(named(preview, "group-rg").replace).toMatchObject({ decidedBy: "the provider", because: ["location"] });
        expect(named(preview, "issuer-account").notes).toContain(
            "the issuer's documents go with the account: Entra cannot read the issuer until they are written again",
        );
        // The kind cluster stays (its issuer is derived from the account's name, which does not change), and the
        // account, deleted before it is created again, takes the documents with it: every exchange fails until they
        // are written again. The preview says so as a broken invariant (exit 3), not as a note alone.
        expect(named(preview, "cluster-kind").kind).toBe("same");
        expect(preview.problems).toEqual([expect.stringMatching(new RegExp(`^wave \\d+: issuer-(account|container) ${DOCUMENTS_GAP}$`))]);
        expect(code).toBe(3);
    });

    test("a move to an existing resource group: the stack's own group is deleted, and everything in it made anew there", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:resourceGroupName": "rg-platform" });
        expect(named(preview, "group-rg")).toMatchObject({ kind: "delete", delete: { outcome: "provider delete", through: "Azure Resource Manager" } });
        for (const name of ["issuer-account", "id-entra-wif-dev-identity", "sample-vault"]) {
            expect([name, named(preview, name).kind, named(preview, name).replace?.order]).toEqual([name, "replace", "delete-first"]);
        }
        expect(preview.problems).toEqual([]);
    });
});

describe("the sample and the workloads", () => {
    test("a new sample.secretName: a new secret, the old one kept in the vault (never deleted through the data plane)", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:sample": { enabled: true, secretName: "other-secret" } });
        expect(preview.problems).toEqual([]);
        const secret = named(preview, "sample-secret");
        expect(secret.replace).toMatchObject({ order: "delete-first", decidedBy: "the provider" });
        expect(secret.delete).toEqual({ outcome: "retained" });
        expect(named(preview, "sample-vault").kind).toBe("same");
        expect(named(preview, "sample-pod").replace).toMatchObject({ order: "delete-first", decidedBy: "a resource option" });
    });

    test("add a workload: its credential, namespace and service account; nothing else of Entra's changes", async () => {
        const more = { ...DEV, "entra-wif:workloads": [...DEV["entra-wif:workloads"], { namespace: "jobs", serviceAccount: "worker" }] };
        const { preview } = await transition(DEV, more);
        expect(preview.problems).toEqual([]);
        expect(acting(preview).map((s) => `${s.kind} ${s.name}`)).toEqual(
            expect.arrayContaining(["create id-entra-wif-dev-fic-jobs_worker", "create workloads-ns-jobs", "create workloads-sa-jobs_worker"]),
        );
        expect(touches(preview, ENTRA_TRUST).map((s) => s.name)).toEqual(["id-entra-wif-dev-fic-jobs_worker"]);
    });

    test("switch the identity type: the managed identity goes, an app registration comes; the preview names the new client id", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:identity": { type: "application" } });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "id-entra-wif-dev-identity").notes).toContain("the identity is deleted: workloads that use it can no longer get tokens");
        expect(touches(preview, /azuread:/).map((s) => s.kind)).toEqual(["create", "create", "create"]);
        expect(named(preview, "workloads-sa-demo_workload-sa").notes).toEqual([
            "the service account names another client id: pods already running keep the old one until they restart",
        ]);
    });

    test("turn the sample off: the vault and its purge go through ARM and the az script; identities and credentials stay", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:sample": { enabled: false } });
        expect(preview.problems).toEqual([]);
        expect(kinds(preview)).toMatchObject({ "sample-vault": "delete", "sample-secret": "delete", "sample-pod": "delete" });
        expect(named(preview, "sample-secret").delete).toEqual({ outcome: "retained" });
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").kind).toBe("same");
        expect(named(preview, "id-entra-wif-dev-identity").kind).toBe("same");
    });
});

describe("the cluster and the webhook", () => {
    test("a new kind node image replaces the cluster (delete first), its provider and so every object in it", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:cluster": { mode: "kind", nodeImage: "kindest/node:v1.35.0" } });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "cluster-kind").replace).toMatchObject({ order: "delete-first" });
        expect(named(preview, "kubernetes").kind).toBe("replace");
        for (const s of acting(preview).filter((x) => x.type.startsWith("kubernetes:"))) {
            expect([s.name, s.kind]).toEqual([s.name, "replace"]);
            // They go with the old cluster: nothing to delete one by one.
            expect([s.name, s.delete]).toEqual([s.name, { outcome: "deleted with", with: named(preview, "cluster-kind").urn }]);
        }
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });

    test("a new webhook chart version upgrades the release in place", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:webhook": { version: "1.6.1" } });
        expect(preview.problems).toEqual([]);
        expect(kinds(preview)).toEqual({ "webhook-release": "update" });
        expect(named(preview, "webhook-release").changed).toEqual(["version"]);
    });

    test("the webhook off: the release and its namespace go; Entra's side stays", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:webhook": { enabled: false } });
        expect(kinds(preview)).toMatchObject({ "webhook-release": "delete", "webhook-namespace": "delete" });
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
        expect(preview.problems).toEqual([]);
    });
});

describe("the invariants catch what they are for", () => {
    test("a kind cluster that switched keys alongside the JWKS (the dependency missing) may sign with a kid Entra cannot find", async () => {
        // The engine's steps for adding a key, read against the program as it would be if the keys Command did not
        // wait for the published JWKS: the Command needing only the keys and the cluster.
        const { stackFile, harness, mocks } = nativeTooling();
        const [from, to] = [stackFile.loadStackFile(writeStack("dep-before", DEV)), stackFile.loadStackFile(writeStack("dep-after", TWO_KEYS))];
        const events = await previewer.changeSteps(from, to);
        const shared = new mocks.AzureMocks({ prefetchKey: true });
        const load = harness.freshProgramLoader(path.join(REPO_ROOT, "index"));
        const evaluate = (s: typeof from) =>
            withoutStackFrames(() => harness.evaluateProgram({ ...s, mocks: shared, load, fingerprintSecrets: true })).catch((e) => {
                throw inThisRealm(e);
            });
        const [a, b] = [await evaluate(from), await evaluate(to)];
        expect(engineChangePreview(a, b, events).problems).toEqual([]);
        const withoutWait: Plan = {
            ...b,
            resources: b.resources.map((r) =>
                r.name === "cluster-keys" ? { ...r, dependsOn: r.dependsOn.filter((d) => !/issuer-verify|issuer-documents/.test(d)) } : r,
            ),
        };
        expect(engineChangePreview(a, withoutWait, events).problems).toEqual([
            expect.stringMatching(/the cluster may sign with its new signing key \(signingKeyId\) while the JWKS Entra reads does not hold it$/),
        ]);
    });
});

/** Transitions from other configs than the dev stack's: each deploys its "before" anew, so they come last. */
describe("from other configs", () => {
    test("switch signing back to the older key: both stay published, so either order is safe", async () => {
        const { preview } = await transition(TWO_KEYS, { ...DEV, "entra-wif:signingKey": { keys: ["2027-02", "initial"] } });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "cluster-keys").kind).toBe("update");
        expect(touches(preview, /PrivateKey/)).toEqual([]);
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });
    test("remove the old key: it leaves the JWKS (said in words) and the state; the signing key is untouched", async () => {
        const { preview } = await transition(TWO_KEYS, { ...DEV, "entra-wif:signingKey": { keys: ["2027-02"] } });
        expect(preview.problems).toEqual([]);
        expect(kinds(preview)).toMatchObject({ "signing-key-initial": "delete", "issuer-documents": "update", "cluster-keys": "update" });
        expect(named(preview, "issuer-documents").notes).toContainEqual(
            expect.stringMatching(new RegExp(`^the JWKS no longer holds ${KID}: tokens signed with that key are refused from now on$`)),
        );
        expect(named(preview, "signing-key-initial").delete).toEqual({ outcome: "provider delete", through: "the state alone" });
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });
    test("remove a workload: its credential through ARM, and its namespace — with everything in it, said in words", async () => {
        const more = { ...DEV, "entra-wif:workloads": [...DEV["entra-wif:workloads"], { namespace: "jobs", serviceAccount: "worker" }] };
        const { preview } = await transition(more, DEV);
        expect(preview.problems).toEqual([]);
        expect(named(preview, "id-entra-wif-dev-fic-jobs_worker").notes).toEqual([
            "token exchanges for system:serviceaccount:jobs:worker fail until the credential exists again",
        ]);
        expect(named(preview, "workloads-ns-jobs").notes).toContain("deletes everything in namespace jobs");
        expect(named(preview, "id-entra-wif-dev-identity").kind).toBe("same");
    });
    test("another storage account behind the same custom URL: the JWKS is unreadable while the cluster still signs (exit 3)", async () => {
        const custom = { ...DEV, "entra-wif:issuer": { customUrl: "https://i.example.com/" } };
        const { preview, code } = await transition(custom, {
            ...DEV,
            "entra-wif:issuer": { customUrl: "https://i.example.com/", storageAccountName: "oidcdev2" },
        });
        expect(named(preview, "issuer-account").replace).toMatchObject({ order: "delete-first", decidedBy: "the provider", because: ["accountName"] });
        // Said by what goes, not by a kid: a kid is new on every deployment (and every run).
        expect(preview.problems).toEqual([expect.stringMatching(new RegExp(`^wave \\d+: issuer-account ${DOCUMENTS_GAP}$`))]);
        expect(code).toBe(3);
        expect(formatChangePreview(preview, shortType).split("\n")[0]).toMatch(/^PROBLEM {2}wave \d+: issuer-account is deleted before it is created again/);
    });
});
