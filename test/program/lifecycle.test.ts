/**
 * The lifecycle users run — up, rotate, destroy, up again — against Azure's real rules, as far as the program's
 * requests decide it: what a destroy deletes and through which API, what a replacement keeps, and what frees the
 * names Azure reserves after a delete. The reasons, with their sources, are in the components' comments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { destroyPlan, formatDestroyPlan, UNREACHABLE_DELETE_APIS } from "../../lib/plans/destroyPlan";
import { shortType } from "../../lib/plans/graph";
import { PURGE_ENV, purgeAfterDeleteScript, purgeBeforeCreateScript } from "../../lib/entra/keyVaultPurge";
import { Plan } from "../../tools/offline/harness";
import { MOCK_AZURE } from "../../tools/offline/mocks";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { BatchResult, planBatch } from "../support/planBatch";
import { byName, runProgram } from "../support/program";

const LOCATION = { "azure-native:location": "westeurope" };
const DEV = { ...LOCATION, "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }], "entra-wif:sample": { enabled: true } };

/** The example stacks and the fixtures of the other modes, with their recorded destroy plans (test/fixtures/destroy). */
const STACKS = [
    "Pulumi.dev.yaml",
    "examples/Pulumi.aks.yaml",
    "examples/Pulumi.arc.yaml",
    "examples/Pulumi.existing.yaml",
    "examples/Pulumi.rotation.yaml",
    "examples/Pulumi.two-identities.yaml",
    "test/fixtures/Pulumi.byo.yaml",
];
const recordedFile = (stackFile: string) =>
    path.join(REPO_ROOT, "test", "fixtures", "destroy", `${path.basename(stackFile, ".yaml").replace(/^Pulumi\./, "")}.txt`);
/** The recorded destroy plan; ENTRA_WIF_RECORD_DESTROY=1 writes `drawn` as the new record first (review the diff). */
const recorded = (stackFile: string, drawn: string) => {
    if (process.env.ENTRA_WIF_RECORD_DESTROY === "1") fs.writeFileSync(recordedFile(stackFile), drawn);
    return fs.readFileSync(recordedFile(stackFile), "utf8");
};

describe("the sample Key Vault: destroyed and re-created with the README's rights only", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram(DEV);
    });

    test("the secret is never deleted through the data plane: it goes with the vault, and a replacement keeps the old one", () => {
        const secret = byName(plan, "sample-secret");
        expect(secret.deletedWith).toBe(byName(plan, "sample-vault").urn);
        expect(secret.options.retainOnDelete).toBe(true);
    });

    test("the vault depends on its purge, so a destroy deletes the vault first and then purges it", () => {
        const purge = byName(plan, "sample-vault-purge");
        expect(byName(plan, "sample-vault").dependsOn).toContain(purge.urn);
        expect(purge.inputs.create).toBe(purgeBeforeCreateScript());
        expect(purge.inputs.delete).toBe(purgeAfterDeleteScript());
        expect(purge.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
        expect(purge.inputs.environment).toEqual({
            [PURGE_ENV.vaultName]: byName(plan, "sample-vault").inputs.vaultName,
            [PURGE_ENV.location]: "westeurope",
            [PURGE_ENV.subscription]: MOCK_AZURE.subscriptionId,
            [PURGE_ENV.derivedName]: "true",
        });
        const steps = destroyPlan(plan.resources);
        const wave = (name: string) => steps.find((s) => s.name === name)!.wave;
        expect(wave("sample-vault")).toBeLessThan(wave("sample-vault-purge"));
    });

    test("no purge protection, which would forbid the purge and hold the name for the whole retention", () => {
        const properties = byName(plan, "sample-vault").inputs.properties as Record<string, unknown>;
        expect(properties.enablePurgeProtection).toBeUndefined();
        expect(properties.softDeleteRetentionInDays).toBe(7);
    });

    test("a name the user chose is not purged before create: a soft-deleted vault of that name may be someone's to recover", async () => {
        const named = await runProgram({ ...DEV, "entra-wif:sample": { enabled: true, vaultName: "kv-team-demo" } });
        expect((byName(named, "sample-vault-purge").inputs.environment as Record<string, string>)[PURGE_ENV.derivedName]).toBe("false");
    });
});

describe("static website hosting: up, refresh and destroy with the README's rights", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({ ...LOCATION, "entra-wif:issuer": { hosting: "staticWebsite" } });
    });

    test("the website is enabled by the documents resource with the deployer's token, after the deployer's grant covering the account", () => {
        // azure-native's StorageAccountStaticWebsite read the account with the deployer's Entra token seconds after a
        // fresh grant that takes minutes to apply, without waiting: the first up failed. The documents' writer waits,
        // bounded, for the grant it depends on (lib/trust/issuerDocuments.ts untilGrantReachesStorage).
        expect(plan.resources.map((r) => r.type)).not.toContain("azure-native:storage:StorageAccountStaticWebsite");
        const grant = byName(plan, "issuer-writer-grant");
        // On the stack's own group, which covers the account whose $web the website serves.
        expect(grant.inputs).toMatchObject({ principalId: MOCK_AZURE.objectId, scope: expect.stringMatching(/\/resourceGroups\/rg-entra-wif-test$/) });
        const documents = byName(plan, "issuer-documents");
        expect(documents.inputs).toMatchObject({ hosting: "staticWebsite", containerName: "$web", auth: "entraToken" });
        expect(documents.dependsOn).toContain(grant.urn);
    });

    test("a destroy makes no data-plane call for the website or the documents: they go with the account", () => {
        const documents = byName(plan, "issuer-documents");
        expect(documents.deletedWith).toBe(byName(plan, "issuer-account").urn);
        const step = destroyPlan(plan.resources).find((s) => s.urn === documents.urn)!;
        expect(step.how).toBe("deleted with");
    });
});

/** The stacks' plans, made by the plan CLI's own code in one process (test/support/planBatch.ts). */
let batched: BatchResult[] = [];
beforeAll(async () => {
    batched = await planBatch(STACKS.map((f) => ["--stack-file", f]));
}, 120000);
const batchedPlan = (stackFile: string): Plan => JSON.parse(batched.find((b) => b.argv.length === 2 && b.argv[1] === stackFile)!.stdout) as Plan;

describe.each(STACKS)("the destroy plan of %s", (stackFile) => {
    let plan: Plan;
    beforeAll(() => {
        plan = batchedPlan(stackFile);
    });

    test("is the recorded one: every resource once, in the engine's order", () => {
        const steps = destroyPlan(plan.resources);
        const drawn = `${formatDestroyPlan(steps, shortType)}\n`;
        expect(drawn).toBe(recorded(stackFile, drawn));
        expect(steps.map((s) => s.urn).sort()).toEqual(plan.resources.map((r) => r.urn).sort());
    });

    test("deletes nothing through a data plane the deployer cannot reach", () => {
        const steps = destroyPlan(plan.resources);
        expect(steps.filter((s) => s.how === "deleted" && UNREACHABLE_DELETE_APIS.includes(s.through!))).toEqual([]);
    });

    test("deletes every dependent before what it depends on", () => {
        const steps = destroyPlan(plan.resources);
        const wave = new Map(steps.map((s) => [s.urn, s.wave]));
        for (const r of plan.resources) {
            for (const needed of [...r.dependsOn, ...(r.parent ? [r.parent] : [])]) {
                if (wave.has(needed)) expect([r.name, wave.get(r.urn)! < wave.get(needed)!]).toEqual([r.name, true]);
            }
        }
    });
});

test("a kind stack's destroy needs no API server: every cluster object goes with the cluster, whose delete never fails", () => {
    const plan = batchedPlan("Pulumi.dev.yaml");
    const steps = destroyPlan(plan.resources);
    const cluster = byName(plan, "cluster-kind").urn;
    const inCluster = steps.filter((s) => s.type.startsWith("kubernetes:") && !s.type.startsWith("pulumi:providers:"));
    expect(inCluster.length).toBeGreaterThan(0);
    for (const s of inCluster) expect([s.name, s.how, s.with]).toEqual([s.name, "deleted with", cluster]);
    // An unreachable cluster (a laptop's, from a CI runner) is forgotten, not waited for.
    expect(byName(plan, "kubernetes").inputs.deleteUnreachable).toBe("true");
    // Everything on Azure is deleted through ARM or goes with what is (a retained secret goes with its vault).
    for (const s of steps.filter((x) => x.type.startsWith("azure-native:"))) {
        expect(["deleted", "deleted with", "retained"]).toContain(s.how);
        if (s.how === "retained") expect(s.with).toBeDefined();
        if (s.how === "deleted") expect(s.through).toBe("Azure Resource Manager");
    }
});
