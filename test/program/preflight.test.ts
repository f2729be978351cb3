/**
 * The program waits for the deployer's preflight (components/deployerPreflight.ts) before its first write: what ARM
 * would refuse stops `pulumi up` with every problem and nothing registered in Azure; a preview (a reviewer's, often
 * with reader rights) warns and goes on. The problems are the plugin's (test/integration/preflight.test.ts); here the
 * mocks answer its function as it answers.
 */
import { nativeTooling } from "../support/native";
import * as path from "node:path";
import { runProcess } from "../support/processes";
import { runProgram } from "../support/program";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

// Built in the SDK's own realm: a list made in jest's realm reaches the SDK's struct conversion as a plain object.
const AzureMocks = nativeTooling().mocks.AzureMocks;

const DEV = {
    "azure-native:location": "westeurope",
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
};
const FLAT = Object.fromEntries(Object.entries(DEV).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
const PROBLEMS = [
    "the Azure CLI login (az login) cannot assign roles at /subscriptions/s (no Microsoft.Authorization/roleAssignments/write), and the stack does: …",
    "Azure Policy would deny the storage account: assignment no-public-blob (definition 4fa4b6c0-31ca-4c0d-b10d-24b96f62a751) judges …",
];

test("the preflight is asked once, with the stack's group, whether it assigns roles and the account as created", async () => {
    const mocks = new AzureMocks();
    await runProgram(DEV, { mocks });
    expect(mocks.invoked.filter((i) => i.token === "entra-wif:index:checkDeployer").map((i) => i.inputs)).toEqual([
        {
            subscriptionId: "00000000-1111-4222-8333-444444444444",
            resourceGroupName: "rg-entra-wif-test",
            assignsRoles: true,
            account: { location: "westeurope", allowSharedKeyAccess: false, allowBlobPublicAccess: true },
        },
    ]);
});

test("pulumi up: every problem, one per line, and nothing registered in Azure", async () => {
    // In a process of its own, as the language host runs the program: a failed program leaves every input that
    // waited for the check rejected, and the runtime reports the one error once (cmd/run uncaughtHandler dedupes).
    const script = [
        'const harness = require("./tools/offline/harness");',
        'const { AzureMocks } = require("./tools/offline/mocks");',
        `const mocks = new AzureMocks({ deployerProblems: ${JSON.stringify(PROBLEMS)} });`,
        "harness.evaluateProgram({",
        `  project: "entra-wif", stack: "test", config: ${JSON.stringify(FLAT)},`,
        '  mocks, load: harness.freshProgramLoader(require("node:path").resolve("index")),',
        "}).then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ message: e.message,",
        '  runError: require("@pulumi/pulumi").RunError.isInstance(e),',
        '  registered: mocks.registered.filter((r) => r.startsWith("azure-native:") || r.startsWith("entra-wif:index:IssuerDocuments")) })));',
    ].join("\n");
    const r = await runProcess(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: REPO_ROOT,
        env: process.env,
        timeoutMs: 60000,
    });
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({
        message: `entra-wif: nothing was written, because Azure would refuse it:\n- ${PROBLEMS[0]}\n- ${PROBLEMS[1]}`,
        // Printed by its message alone, without a stack (cmd/run uncaughtHandler).
        runError: true,
        registered: [],
    });
});

test("a preflight that cannot ask at all (a proxy refusing, no token) is a problem like the others", async () => {
    const warnings: string[] = [];
    const reason = "entra-wif: checking the deployer's rights at https://management.azure.com/subscriptions/s answered HTTP 403 without ARM's error";
    await runProgram(DEV, { mocks: new AzureMocks({ deployerCheckFails: reason }), preview: true, warnings });
    expect(warnings.filter((w) => w.startsWith("entra-wif: pulumi up would stop here: "))).toEqual([
        `entra-wif: pulumi up would stop here: Azure could not be asked what it would refuse: ${reason}`,
    ]);
});

test("pulumi preview: the same problems as warnings, and the plan goes on", async () => {
    const warnings: string[] = [];
    const plan = await runProgram(DEV, { mocks: new AzureMocks({ deployerProblems: PROBLEMS }), preview: true, warnings });
    expect(warnings.filter((w) => w.startsWith("entra-wif: pulumi up would stop here: "))).toEqual(
        PROBLEMS.map((p) => `entra-wif: pulumi up would stop here: ${p}`),
    );
    expect(plan.resources.map((r) => r.type)).toContain("azure-native:storage:StorageAccount");
});
