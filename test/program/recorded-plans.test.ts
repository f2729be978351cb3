/**
 * The plans of the example stacks, recorded: with fixed test keys (test/fixtures/keys) every plan is the same on
 * every run, so a refactoring that must change nothing — resource names, URNs, inputs, options, outputs — is checked
 * byte for byte against the copy taken before it (test/fixtures/plans). A change of behaviour re-records them on
 * purpose: ENTRA_WIF_RECORD_PLANS=1 npx jest test/program/recorded-plans.test.ts (never in CI), and the diff shows
 * in review what the change does to every stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateProgram } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { loadStackFile, REPO_ROOT } from "../../tools/offline/stackFile";

process.setMaxListeners(100);

const STACK_FILES = [
    "Pulumi.dev.yaml",
    "Pulumi.e2e.yaml",
    ...fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)).map((f) => `examples/${f}`),
    "test/fixtures/Pulumi.byo.yaml",
];
const KEYS_DIR = path.join(REPO_ROOT, "test", "fixtures", "keys");
const fixedPrivateKeys = Object.fromEntries(
    fs.readdirSync(KEYS_DIR).filter((f) => f.endsWith(".TESTONLY.pem")).map((f) => [f.replace(/\.TESTONLY\.pem$/, ""), fs.readFileSync(path.join(KEYS_DIR, f), "utf8")]),
);
const recordedFile = (stackFile: string) => path.join(REPO_ROOT, "test", "fixtures", "plans", `${path.basename(stackFile, ".yaml").replace(/^Pulumi\./, "")}.json`);
const recording = process.env.ENTRA_WIF_RECORD_PLANS === "1" && process.env.CI !== "true";

test.each(STACK_FILES)("%s plans exactly as recorded", async (stackFile) => {
    const mocks = new AzureMocks({ fixedPrivateKeys });
    let exports: Record<string, unknown> = {};
    const plan = await evaluateProgram({
        ...loadStackFile(path.join(REPO_ROOT, stackFile)),
        mocks,
        load: () => {
            jest.isolateModules(() => {
                exports = require(path.join(REPO_ROOT, "index"));
            });
            return exports;
        },
    });
    // Every key came from the fixtures: nothing random is in the plan.
    expect(mocks.generatedPrivateKeys.every((pem) => Object.values(fixedPrivateKeys).some((fixed) => fixed.trim().split("\n").slice(1, 3).every((line) => pem.includes(line))))).toBe(true);
    const text = `${JSON.stringify(plan, null, 2)}\n`;
    if (recording) fs.writeFileSync(recordedFile(stackFile), text);
    expect(text).toBe(fs.readFileSync(recordedFile(stackFile), "utf8"));
});
