/**
 * Every lifecycle transition users run, previewed offline (lib/plans/changePreview.ts with the rules of
 * lib/plans/providerRules.ts) from two evaluations of the real program on one stack's state (one mocks instance: a key of
 * the same name is the same key in both), and checked against the invariants the stack promises:
 *
 * - no create of a fixed name while the old one still exists (the changePreview `problems`);
 * - at every wave the JWKS Entra can read holds the kid the cluster signs with (the same);
 * - nothing deleted through a data plane the README's rights do not open (the same);
 * - what users expect to survive a transition survives it (per transition, below).
 */
import { ChangePreview, changePreview, changePreview as preview } from "../../lib/plans/changePreview";
import { destroyPlan } from "../../lib/plans/destroyPlan";
import { PROVIDER_RULES, ruleFor } from "../../lib/plans/providerRules";
import type { Plan } from "../../tools/offline/harness";
import { nativeTooling } from "../support/native";
import { exampleStackFiles, recordedPlanFile, runProgram, runStackFile } from "../support/program";

const DEV = {
    "azure-native:location": "westeurope",
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
};

/**
 * One stack's state across the file: one mocks instance (a key of the same name is the same key in every plan, as in
 * the stack's state), and each config evaluated once.
 */
let stackState: ReturnType<typeof nativeTooling>["mocks"]["AzureMocks"]["prototype"] | undefined;
const evaluated = new Map<string, Promise<Plan>>();
function planOf(config: Record<string, unknown>): Promise<Plan> {
    const { AzureMocks, processKeyPool } = nativeTooling().mocks;
    // The worker's key pool: real keys, made once per worker, never the same one twice for one stack.
    stackState ??= new AzureMocks({ keyPool: processKeyPool });
    const key = JSON.stringify(config);
    if (!evaluated.has(key)) evaluated.set(key, runProgram(config, { mocks: stackState, stack: "dev", fingerprintSecrets: true }));
    return evaluated.get(key)!;
}

/** Two `pulumi up`s of one stack: the state after `before`, then the program with `after`. */
async function transition(before: Record<string, unknown>, after: Record<string, unknown>): Promise<{ preview: ChangePreview; a: Plan; b: Plan }> {
    const a = await planOf(before);
    const b = await planOf(after);
    return { preview: changePreview(a, b), a, b };
}

const acting = (p: ChangePreview) => p.steps.filter((s) => s.kind !== "same");
const named = (p: ChangePreview, name: string) => p.steps.find((s) => s.name === name)!;
const kinds = (p: ChangePreview) => Object.fromEntries(acting(p).map((s) => [s.name, s.kind]));
const touches = (p: ChangePreview, pattern: RegExp) => acting(p).filter((s) => pattern.test(s.type));
const ENTRA_TRUST = /UserAssignedIdentity|FederatedIdentityCredential|RoleAssignment|azuread:/;

describe("the signing key", () => {
    test("add a key: the JWKS is updated before the cluster switches; nothing of Entra's trust changes", async () => {
        const { preview, b } = await transition(DEV, { ...DEV, "entra-wif:signingKey": { keys: ["initial", "2027-02"] } });
        expect(preview.problems).toEqual([]);
        expect(kinds(preview)).toEqual({
            "signing-key-2027-02": "create",
            "issuer-documents": "update",
            "issuer-verify": "replace",
            "cluster-kind": "update",
        });
        expect(named(preview, "issuer-documents").wave).toBeLessThan(named(preview, "issuer-verify").wave);
        expect(named(preview, "issuer-verify").wave).toBeLessThan(named(preview, "cluster-kind").wave);
        expect(named(preview, "issuer-documents").notes).toEqual([`Entra will find the new key ${b.outputs.signingKeyId} in the JWKS`]);
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });

    test("switch signing back to the older key: both stay published, so either order is safe", async () => {
        const two = { ...DEV, "entra-wif:signingKey": { keys: ["initial", "2027-02"] } };
        const { preview } = await transition(two, { ...DEV, "entra-wif:signingKey": { keys: ["2027-02", "initial"] } });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "cluster-kind").kind).toBe("update");
        expect(touches(preview, /PrivateKey/)).toEqual([]);
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });

    test("remove the old key: it leaves the JWKS (said in words) and the state; the signing key is untouched", async () => {
        const two = { ...DEV, "entra-wif:signingKey": { keys: ["initial", "2027-02"] } };
        const { preview, a } = await transition(two, { ...DEV, "entra-wif:signingKey": { keys: ["2027-02"] } });
        expect(preview.problems).toEqual([]);
        expect(kinds(preview)).toMatchObject({ "signing-key-initial": "delete", "issuer-documents": "update", "cluster-kind": "update" });
        const oldKid = (a.outputs.signingKeyIds as string[])[0];
        expect(named(preview, "issuer-documents").notes).toContain(`the JWKS no longer holds ${oldKid}: tokens signed with that key are refused from now on`);
        expect(named(preview, "signing-key-initial").delete).toEqual({ outcome: "provider delete", through: "the state alone" });
        expect(touches(preview, ENTRA_TRUST)).toEqual([]);
    });

    test("rsaBits: the existing key is never regenerated (ignoreChanges), so nothing changes", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:signingKey": { rsaBits: 4096 } });
        expect(acting(preview)).toEqual([]);
        expect(preview.problems).toEqual([]);
    });
});

describe("where the issuer lives", () => {
    const issuerChange = /the issuer changes from .* every token in flight carries the old issuer/;

    test.each([
        ["blob → staticWebsite", {}, { "entra-wif:issuer": { hosting: "staticWebsite" } }],
        ["staticWebsite → blob", { "entra-wif:issuer": { hosting: "staticWebsite" } }, {}],
        ["set customUrl", {}, { "entra-wif:issuer": { customUrl: "https://issuer.example.com/dev/" } }],
        ["change customUrl", { "entra-wif:issuer": { customUrl: "https://a.example.com/" } }, { "entra-wif:issuer": { customUrl: "https://b.example.com/" } }],
        ["change containerName", {}, { "entra-wif:issuer": { containerName: "issuer" } }],
    ])("%s: documents written in place, credentials follow, the cluster moves to the new issuer, and the preview says so", async (_name, from, to) => {
        const { preview } = await transition({ ...DEV, ...from }, { ...DEV, ...to });
        expect(preview.problems).toEqual([]);
        expect(named(preview, "issuer-documents").kind).toBe("update");
        expect(named(preview, "issuer-documents").notes.some((n) => issuerChange.test(n))).toBe(true);
        // Entra's side is updated in place: the identity and its client id survive.
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").kind).toBe("update");
        expect(named(preview, "id-entra-wif-dev-fic-demo_workload-sa").changed).toEqual(["issuer"]);
        expect(named(preview, "id-entra-wif-dev-identity").kind).toBe("same");
        // A kind cluster cannot change its issuer: it is replaced, the old one deleted first (same name).
        expect(named(preview, "cluster-kind").replace).toMatchObject({ order: "delete-first", decidedBy: "a resource option" });
        expect(named(preview, "cluster-kind").notes[0]).toMatch(/the kind cluster is deleted and created anew/);
    });

    test("a new container replaces the container, the old one deleted first, and its documents go with it", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:issuer": { containerName: "issuer" } });
        expect(named(preview, "issuer-container").replace).toEqual({ order: "delete-first", decidedBy: "the provider", because: ["containerName"] });
        expect(named(preview, "issuer-container").wave).toBeLessThan(named(preview, "issuer-documents").wave);
    });

    test("blob → staticWebsite deletes the public container through ARM; the account is updated, not replaced", async () => {
        const { preview } = await transition(DEV, { ...DEV, "entra-wif:issuer": { hosting: "staticWebsite" } });
        expect(named(preview, "issuer-container")).toMatchObject({ kind: "delete", delete: { outcome: "provider delete", through: "Azure Resource Manager" } });
        expect(named(preview, "issuer-account")).toMatchObject({ kind: "update", changed: ["allowBlobPublicAccess"] });
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

    test("remove a workload: its credential through ARM, and its namespace — with everything in it, said in words", async () => {
        const more = { ...DEV, "entra-wif:workloads": [...DEV["entra-wif:workloads"], { namespace: "jobs", serviceAccount: "worker" }] };
        const { preview } = await transition(more, DEV);
        expect(preview.problems).toEqual([]);
        expect(named(preview, "id-entra-wif-dev-fic-jobs_worker").notes).toEqual([
            "token exchanges for system:serviceaccount:jobs:worker fail until the credential exists again",
        ]);
        // On a kind cluster the objects would go with the cluster only if it went too; here the API server deletes them.
        expect(named(preview, "workloads-ns-jobs").notes).toContain("deletes everything in namespace jobs");
        expect(named(preview, "id-entra-wif-dev-identity").kind).toBe("same");
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
        expect(named(preview, "cluster-kind").replace).toMatchObject({ order: "delete-first", because: ["triggers[1]"] });
        expect(named(preview, "kubernetes").replace!.because).toEqual(["its cluster cluster-kind is replaced"]);
        for (const s of acting(preview).filter((x) => x.type.startsWith("kubernetes:"))) {
            expect([s.name, s.kind, s.replace?.because]).toEqual([s.name, "replace", expect.arrayContaining(["its provider kubernetes is replaced"])]);
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
});

test("destroy: everything goes, the same way the destroy plan says, and nothing through an unreachable data plane", async () => {
    const plan = await runStackFile("Pulumi.dev.yaml");
    const destroyed = preview(plan, { resources: [], outputs: {} });
    expect(destroyed.problems).toEqual([]);
    const byPlan = new Map(destroyPlan(plan.resources).map((s) => [s.urn, s]));
    for (const s of destroyed.steps) {
        const d = byPlan.get(s.urn)!;
        const how = d.how === "deleted" ? "provider delete" : d.how;
        if (d.how !== "nothing to delete") expect([s.name, s.delete!.outcome]).toEqual([s.name, how]);
    }
});

describe("the invariants catch what they are for", () => {
    test("another storage account behind the same custom URL: the JWKS is unreadable while the cluster still signs", async () => {
        const custom = { ...DEV, "entra-wif:issuer": { customUrl: "https://issuer.example.com/dev/" } };
        const { preview } = await transition(custom, {
            ...DEV,
            "entra-wif:issuer": { customUrl: "https://issuer.example.com/dev/", storageAccountName: "oidcdev2" },
        });
        expect(named(preview, "issuer-account").replace).toMatchObject({ order: "delete-first", decidedBy: "the provider", because: ["accountName"] });
        expect(preview.problems).toEqual([
            // The key by its role, not its kid: a kid is new on every deployment (and every offline run).
            `wave ${named(preview, "issuer-account").wave}: the cluster may sign with its signing key (signingKeyId) ` +
                "while the JWKS Entra reads does not hold it",
        ]);
    });

    test("a kind cluster that switched keys alongside the JWKS (the dependency missing) may sign with a kid Entra cannot find", async () => {
        const { a, b } = await transition(DEV, { ...DEV, "entra-wif:signingKey": { keys: ["initial", "2027-02"] } });
        // As the program was before the cluster waited for the published JWKS: the Command needs only the keys.
        const withoutWait: Plan = {
            ...b,
            resources: b.resources.map((r) =>
                r.name === "cluster-kind" ? { ...r, dependsOn: r.dependsOn.filter((d) => !/issuer-verify|issuer-documents/.test(d)) } : r,
            ),
        };
        const unsafe = changePreview(a, withoutWait);
        expect(unsafe.problems).toEqual([
            expect.stringMatching(/the cluster may sign with its new signing key \(signingKeyId\) while the JWKS Entra reads does not hold it$/),
        ]);
    });

    test("the first rotation with storage.Blob: a retained old blob and a create under its name — the create fails", async () => {
        const fs = await import("node:fs");
        const path = await import("node:path");
        const old = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "migration", "dev.storage-blob.json"), "utf8")) as Plan;
        const rotated: Plan = {
            ...old,
            resources: old.resources.map((r) => (r.name === "issuer-jwks" ? { ...r, inputs: { ...r.inputs, source: { asset: { text: '{"keys":[]}' } } } } : r)),
        };
        const p = changePreview(old, rotated);
        expect(named(p, "issuer-jwks").replace).toEqual({ order: "delete-first", decidedBy: "the provider", because: ["source.asset.text"] });
        expect(p.problems).toEqual([
            "issuer-jwks: replaced under the same name while the old one is retained, so it still exists: the create of the new one fails",
        ]);
    });
});

test("every resource type the program registers, in every example, has a cited rule", async () => {
    // The recorded plans are what the program registers (test/program/recorded-plans.test.ts keeps them current).
    const fs = await import("node:fs");
    const types = new Set<string>();
    for (const file of exampleStackFiles())
        for (const r of (JSON.parse(fs.readFileSync(recordedPlanFile(file), "utf8")) as Plan).resources) if (r.custom) types.add(r.type);
    for (const t of types) expect([t, PROVIDER_RULES[t] !== undefined]).toEqual([t, true]);
    for (const [t, rule] of Object.entries(PROVIDER_RULES)) expect([t, rule.source]).toEqual([t, expect.stringMatching(/\.go|\.ts|\.tf/)]);
    expect(() => ruleFor("azure-native:web:WebApp")).toThrow(/no provider rule for azure-native:web:WebApp: add it to lib\/plans\/providerRules\.ts/);
});
