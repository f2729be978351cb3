/**
 * Upgrading a stack deployed before the IssuerDocuments resource, read from the plans the earlier program recorded
 * (test/fixtures/migration: azure-native storage.Blob documents, and with a static website azure-native's
 * StorageAccountStaticWebsite and the deployer's Storage Blob Data Reader grant): every old resource this program
 * does not register under its URN or an alias is deleted at the end of the update by its old provider, and none of
 * those deletes may reach the blob service, where they would delete the new documents or turn the website off.
 *
 * The quick guard of `npm test`; test/engine/upgrade.test.ts runs the same upgrades with the real engine from the
 * commits that produced these states, polling the issuer throughout.
 */
import { allDocs } from "../support/docs";
import * as fs from "node:fs";
import * as path from "node:path";
import { deleteOutcome, ruleFor } from "../../lib/plans/providerRules";
import type { Plan, PlannedResource } from "../../tools/offline/harness";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { runStackFile } from "../support/program";

const recorded = (name: string): Plan => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "migration", name), "utf8")) as Plan;

/** The URNs a registration answers to: its own, and each alias's (a type or name change under the same parent). */
function urnsOf(r: PlannedResource): string[] {
    const aliases = (r.options.aliases ?? []) as Array<{ name?: string; type?: string; parenturn?: string } | string>;
    return [
        r.urn,
        ...aliases.map((a) => {
            if (typeof a === "string") return a;
            const [prefix, project, parentChain] = (a.parenturn ?? r.urn).split("::");
            const chain = a.parenturn ? `${parentChain}$` : "";
            return `${prefix}::${project}::${chain}${a.type || r.type}::${a.name || r.name}`;
        }),
    ];
}

/** What the engine does with each resource of the old state that the new program does not take over. */
function removals(before: Plan, after: Plan) {
    const kept = new Set(after.resources.flatMap(urnsOf));
    const removed = before.resources.filter((r) => !kept.has(r.urn) && r.custom);
    const goes = new Set(removed.map((r) => r.urn));
    return removed.map((r) => {
        const outcome = deleteOutcome({ retainOnDelete: r.options.retainOnDelete, deletedWith: r.deletedWith }, (u) => goes.has(u));
        return { name: r.name, type: r.type, outcome, through: outcome === "provider delete" ? ruleFor(r.type).deleteThrough : undefined };
    });
}

test("blob hosting: the old Blobs are taken over by the placeholders; nothing is removed", async () => {
    const before = recorded("dev.storage-blob.json");
    const after = await runStackFile("Pulumi.dev.yaml");
    expect(removals(before, after)).toEqual([]);
    for (const name of ["issuer-jwks", "issuer-discovery"]) {
        const old = before.resources.find((r) => r.name === name)!;
        const placeholder = after.resources.find((r) => urnsOf(r).includes(old.urn))!;
        expect([name, placeholder.type]).toEqual([name, "entra-wif:index:RetiredResource"]);
    }
    // The documents resource is new to the state, so it is created; its create writes over the live blobs, where
    // azure-native's refused them.
    expect(after.resources.find((r) => r.name === "issuer-documents")).toBeDefined();
    expect(ruleFor("entra-wif:index:IssuerDocuments").createRefusesExisting).toBe(false);
    expect(ruleFor("azure-native:storage:Blob").createRefusesExisting).toBe(true);
});

test("static website hosting: the website and the Blobs are taken over; only the old reader grant goes, through ARM", async () => {
    const before = recorded("byo.storage-blob.json");
    const after = await runStackFile("test/fixtures/Pulumi.byo.yaml");
    // Left alone, the website's delete would go through the blob service and switch the website off.
    expect(ruleFor("azure-native:storage:StorageAccountStaticWebsite").deleteThrough).toMatch(/^blob service .* static website disabled$/);
    expect(removals(before, after)).toEqual([
        {
            name: "issuer-deployer-blob-reader",
            type: "azure-native:authorization:RoleAssignment",
            outcome: "provider delete",
            through: "Azure Resource Manager",
        },
    ]);
    // And the README asks for no manual step any more.
    expect(allDocs()).not.toMatch(/pulumi state delete --target-dependents/);
});
