/**
 * The plans of the example stacks, recorded: with fixed test keys (test/fixtures/keys) every plan is the same on
 * every run, so a refactoring that must change nothing — resource names, URNs, inputs, options, outputs — is checked
 * byte for byte against the copy taken before it (test/fixtures/plans). A change of behaviour re-records them on
 * purpose: ENTRA_WIF_RECORD_PLANS=1 npx jest test/program/recorded-plans.test.ts (never in CI), and the diff shows
 * in review what the change does to every stack.
 */
import * as fs from "node:fs";
import { BatchResult, planBatch } from "../support/planBatch";
import { exampleStackFiles, recordedPlanFile } from "../support/program";

const STACK_FILES = exampleStackFiles();

const recording = process.env.ENTRA_WIF_RECORD_PLANS === "1" && process.env.CI !== "true";

let plans: BatchResult[];
beforeAll(async () => {
    // The fixed keys only: the mocks refuse to make up a key for a name without one.
    plans = await planBatch(
        STACK_FILES.map((f) => ["--stack-file", f]),
        { fixedKeys: true },
    );
}, 120000);

test.each(STACK_FILES.map((f, i) => [f, i] as const))("%s plans exactly as recorded", (stackFile, i) => {
    const { code, stdout, stderr } = plans[i];
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    if (recording) fs.writeFileSync(recordedPlanFile(stackFile), stdout);
    expect(stdout).toBe(fs.readFileSync(recordedPlanFile(stackFile), "utf8"));
});
