/**
 * The change preview's report (lib/plans/changePreview.ts engineChangePreview) where the engine tier cannot reach:
 * a state an earlier program left (test/fixtures/migration), read with the steps the engine plans for it. The steps
 * are written as the engine's event log gives them for a replacement deleted first: delete-replaced, replace,
 * create-replacement, with the keys the provider named (pulumi/pulumi pkg/resource/deploy/step_generator.go, the
 * deleteBeforeReplace branch). Every other transition runs through the engine itself: test/engine/changePreview.test.ts.
 * And the one table every stand-in and report reads: a rule, cited, for every type the program registers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type EngineStepEvent, engineChangePreview } from "../../lib/plans/changePreview";
import { PROVIDER_RULES, ruleFor } from "../../lib/plans/providerRules";
import type { Plan } from "../../tools/offline/harness";
import { exampleStackFiles, recordedPlanFile } from "../support/program";

const migration = (name: string): Plan => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "migration", name), "utf8")) as Plan;

/** The engine's events for `urn` replaced delete-first because of `keys`. */
function replacedDeleteFirst(plan: Plan, name: string, keys: string[], sequence = 1): EngineStepEvent[] {
    const r = plan.resources.find((x) => x.name === name)!;
    const at = (op: string, i: number) => ({ sequence: sequence + i, op, urn: r.urn, type: r.type, keys: op === "delete-replaced" ? [] : keys, diffs: keys });
    return [at("delete-replaced", 0), at("replace", 1), at("create-replacement", 2)];
}

test("the first rotation with storage.Blob: a retained old blob and a create under its name — the create fails", () => {
    const old = migration("dev.storage-blob.json");
    const rotated: Plan = {
        ...old,
        resources: old.resources.map((r) => (r.name === "issuer-jwks" ? { ...r, inputs: { ...r.inputs, source: { asset: { text: '{"keys":[]}' } } } } : r)),
    };
    const report = engineChangePreview(old, rotated, replacedDeleteFirst(old, "issuer-jwks", ["source"]));
    expect(report.steps.find((s) => s.name === "issuer-jwks")).toMatchObject({
        kind: "replace",
        changed: ["source.asset.text"],
        replace: { order: "delete-first", decidedBy: "the provider", because: ["source"] },
        delete: { outcome: "retained" },
    });
    expect(report.problems).toEqual([
        "issuer-jwks: replaced under the same name while the old one is retained, so it still exists: the create of the new one fails",
    ]);
    // The same steps for a resource whose old half is deleted: nothing is in the way.
    const deleted: Plan = { ...old, resources: old.resources.map((r) => (r.name === "issuer-jwks" ? { ...r, options: {} } : r)) };
    const rotatedDeleted: Plan = { ...rotated, resources: rotated.resources.map((r) => (r.name === "issuer-jwks" ? { ...r, options: {} } : r)) };
    expect(engineChangePreview(deleted, rotatedDeleted, replacedDeleteFirst(old, "issuer-jwks", ["source"])).problems).toEqual([]);
});

test("every resource type the program registers, in every example, has a cited rule", () => {
    // The recorded plans are what the program registers (test/program/recorded-plans.test.ts keeps them current).
    const types = new Set<string>();
    for (const file of exampleStackFiles())
        for (const r of (JSON.parse(fs.readFileSync(recordedPlanFile(file), "utf8")) as Plan).resources) if (r.custom) types.add(r.type);
    for (const t of types) expect([t, PROVIDER_RULES[t] !== undefined]).toEqual([t, true]);
    for (const [t, rule] of Object.entries(PROVIDER_RULES)) expect([t, rule.source]).toEqual([t, expect.stringMatching(/\.go|\.ts|\.tf/)]);
    expect(() => ruleFor("azure-native:web:WebApp")).toThrow(/no provider rule for azure-native:web:WebApp: add it to lib\/plans\/providerRules\.ts/);
});
