/**
 * The README's output table and the program agree: every output a stack can have is in the table, every name in the
 * table is an output of some example stack, an output that does not apply is absent (not null), and the flags the
 * table names are the ones the program sets. Read from the recorded plans of the examples (test/fixtures/plans).
 */
import { DOC_FILES, readDoc, section as sectionOf } from "../support/docs";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/offline/stackFile";

const section = sectionOf(readDoc(DOC_FILES.configuration), "## Outputs");
/** The table's rows: the output names of each row's first cell, and the row. */
const rows = section
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => ({ names: [...l.split(" | ")[0].matchAll(/`(\w+)`/g)].map((m) => m[1]), row: l }));
const documented = rows.flatMap((r) => r.names);

const plansDir = path.join(REPO_ROOT, "test", "fixtures", "plans");
const plans = fs
    .readdirSync(plansDir)
    .map((f) => ({ file: f, plan: JSON.parse(fs.readFileSync(path.join(plansDir, f), "utf8")) as { outputs: Record<string, unknown> } }));

test("every output of every example stack is in the README's table", () => {
    for (const { file, plan } of plans) for (const key of Object.keys(plan.outputs)) expect([file, key, documented.includes(key)]).toEqual([file, key, true]);
});

test("every output the table names is an output of some example stack", () => {
    const produced = new Set(plans.flatMap(({ plan }) => Object.keys(plan.outputs)));
    for (const name of documented) expect([name, produced.has(name)]).toEqual([name, true]);
});

test("an output that does not apply is absent, as the table says, never null", () => {
    expect(section).toMatch(/An output that does\s+not apply to the stack's mode is absent/);
    for (const { file, plan } of plans)
        for (const [key, value] of Object.entries(plan.outputs)) expect([file, key, value === null]).toEqual([file, key, false]);
    // kind has no clusterSnippets; aks has no signing keys.
    expect(plans.find((p) => p.file === "dev.json")!.plan.outputs).not.toHaveProperty("clusterSnippets");
    expect(plans.find((p) => p.file === "aks.json")!.plan.outputs).not.toHaveProperty("signingKeyIds");
});

test("the flags the table names are the ones the program sets", () => {
    const row = rows.find((r) => r.names.includes("kubeApiServerFlags"))!.row;
    const named = [...row.matchAll(/`(--[\w-]+)`/g)].map((m) => m[1]).sort();
    const dev = plans.find((p) => p.file === "dev.json")!.plan.outputs;
    const set = [...(dev.kubeApiServerFlags as string[]), ...(dev.kubeControllerManagerFlags as string[])].map((f) => f.split("=")[0]).sort();
    expect(named).toEqual(set);
});
