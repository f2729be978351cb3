/**
 * Upgrading a stack deployed before the IssuerDocuments resource: its state holds the documents as azure-native
 * storage.Blob (retainOnDelete) and, with a static website, azure-native's StorageAccountStaticWebsite and the
 * deployer's Storage Blob Data Reader grant. What `pulumi up` with this program does to each of them, by the engine's
 * and the providers' rules (lib/plans/providerRules.ts), from the plans the previous program recorded
 * (test/fixtures/migration). test/integration/issuerDocuments.test.ts runs the blob case against Azurite.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { deleteOutcome, ruleFor } from "../../lib/plans/providerRules";
import type { Plan, PlannedResource } from "../../tools/offline/harness";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { runStackFile } from "../support/program";

const recorded = (name: string): Plan => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "migration", name), "utf8")) as Plan;
const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

/** What the engine does with each resource of the old state the new program no longer registers. */
function removals(before: Plan, after: Plan, state: PlannedResource[] = before.resources) {
    const kept = new Set(after.resources.map((r) => r.urn));
    const removed = state.filter((r) => !kept.has(r.urn) && r.custom);
    const goes = new Set(removed.map((r) => r.urn));
    return removed.map((r) => {
        const outcome = deleteOutcome({ retainOnDelete: r.options.retainOnDelete, deletedWith: r.deletedWith }, (u) => goes.has(u));
        return { name: r.name, type: r.type, outcome, through: outcome === "provider delete" ? ruleFor(r.type).deleteThrough : undefined };
    });
}

test("blob hosting: the old documents leave the state without a delete; the new resource writes over them in place", async () => {
    const before = recorded("dev.storage-blob.json");
    const after = await runStackFile("Pulumi.dev.yaml");
    expect(removals(before, after)).toEqual([
        { name: "issuer-discovery", type: "azure-native:storage:Blob", outcome: "retained", through: undefined },
        { name: "issuer-jwks", type: "azure-native:storage:Blob", outcome: "retained", through: undefined },
    ]);
    // The documents resource is new to the state, so it is created; its create overwrites, where azure-native's refused.
    expect(after.resources.find((r) => r.name === "issuer-documents")).toBeDefined();
    expect(ruleFor("pulumi-nodejs:dynamic/entra-wif:IssuerDocuments").createRefusesExisting).toBe(false);
    expect(ruleFor("azure-native:storage:Blob").createRefusesExisting).toBe(true);
});

describe("static website hosting", () => {
    let before: Plan;
    let after: Plan;
    beforeAll(async () => {
        before = recorded("byo.storage-blob.json");
        after = await runStackFile("test/fixtures/Pulumi.byo.yaml");
    });

    test("left alone, the old website resource would be deleted through the blob service: the website switched off", () => {
        expect(removals(before, after)).toEqual(
            expect.arrayContaining([
                {
                    name: "issuer-website",
                    type: "azure-native:storage:StorageAccountStaticWebsite",
                    outcome: "provider delete",
                    through: "blob service (the deployer's Entra token): SetProperties with the static website disabled",
                },
            ]),
        );
    });

    test("the README's one-time step removes it from the state first: then nothing live is deleted, only the grant through ARM", () => {
        const website = before.resources.find((r) => r.name === "issuer-website")!;
        // The command the README gives, for this stack: the website's URN, and its dependents with it.
        const command = /pulumi state delete --target-dependents --yes "urn:pulumi:\$\(pulumi stack --show-name\)(::[^"]+)"/.exec(README);
        expect(command).not.toBeNull();
        expect(`urn:pulumi:byo${command![1].replace(/\\\$/g, "$")}`).toBe(website.urn);
        // --target-dependents: what depends on the website, directly or not, leaves the state with it (Pulumi's state delete).
        const dependents = new Set([website.urn]);
        for (let grew = true; grew;) {
            grew = false;
            for (const r of before.resources) {
                if (!dependents.has(r.urn) && r.dependsOn.some((d) => dependents.has(d))) {
                    dependents.add(r.urn);
                    grew = true;
                }
            }
        }
        expect([...dependents].map((u) => u.split("::").pop()).sort()).toEqual(["issuer-discovery", "issuer-jwks", "issuer-verify", "issuer-website"]);
        const state = before.resources.filter((r) => !dependents.has(r.urn));
        expect(removals(before, after, state)).toEqual([
            {
                name: "issuer-deployer-blob-reader",
                type: "azure-native:authorization:RoleAssignment",
                outcome: "provider delete",
                through: "Azure Resource Manager",
            },
        ]);
    });
});
