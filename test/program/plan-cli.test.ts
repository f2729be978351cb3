/** The offline plan as a user runs it: `npm run --silent plan -- --stack-file <file>`. */
import { DOC_FILES, readDoc } from "../support/docs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { EC_KEY_WARNING } from "../../lib/config";
import { largeStackConfig } from "../../tools/bench";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { BatchResult, planBatch } from "../support/planBatch";
import { ProcessResult, runTool } from "../support/processes";

const fixture = (name: string) => path.join("test", "fixtures", name);

/** The CLI in its own process, as a user runs it. */
function spawnPlan(...args: string[]): Promise<ProcessResult> {
    return runTool("tools/offline/plan.ts", args, { PLAN_DEBUG: "" });
}

/** What only a process of its own shows (exit codes, output flushed through a pipe): each argument list run once, all at once. */
const SPAWNED = [
    ["--stack-file", "Pulumi.dev.yaml"],
    ["--stack-file", fixture("Pulumi.badhosting.yaml")],
    ["--stacks", "dev"],
];
const spawned = new Map<string, Awaited<ReturnType<typeof spawnPlan>>>();
const plan = (...args: string[]) => spawned.get(JSON.stringify(args))!;

/** Plans read for their content, made by the CLI's own code in this process (test/support/planBatch.ts). */
const BATCHED = [
    ["--stack-file", path.join("examples", "Pulumi.two-identities.yaml")],
    ["--stack-file", "Pulumi.dev.yaml", "--graph"],
    ["--stack-file", fixture("Pulumi.byo.yaml")],
    // Twice: two evaluations of one stack file, each with the program's modules loaded afresh.
    ["--stack-file", fixture("Pulumi.byo.yaml")],
    ["--stack-file", fixture("Pulumi.byo-ec.yaml")],
    ["--stack-file", "Pulumi.dev.yaml", "--from", "Pulumi.dev.yaml", "--graph"],
    ["--stack-file", "Pulumi.dev.yaml", "--from"],
];
let batched: BatchResult[] = [];
beforeAll(async () => {
    const processes = Promise.all(SPAWNED.map(async (args) => spawned.set(JSON.stringify(args), await spawnPlan(...args))));
    batched = await planBatch(BATCHED);
    await processes;
}, 120000);
const fromBatch = (...args: string[]) => batched.find((b) => JSON.stringify(b.argv) === JSON.stringify(args))!;
const allFromBatch = (...args: string[]) => batched.filter((b) => JSON.stringify(b.argv) === JSON.stringify(args));

test("a cluster's own EC key is published, with a warning on stderr that Entra may refuse ES256 (AADSTS5002738)", () => {
    const { code, stdout, stderr } = fromBatch("--stack-file", fixture("Pulumi.byo-ec.yaml"));
    expect(code).toBe(0);
    expect(stderr).toBe(`warning: entra-wif:signingKey.publicKeys[0] ${EC_KEY_WARNING}\n`);
    expect(JSON.parse(JSON.parse(stdout).outputs.jwks).keys[0]).toMatchObject({ kty: "EC", alg: "ES256" });
});

/** What --from prints is the engine's answer: test/engine/changePreview.test.ts. Here, only what needs no engine. */
describe("--from", () => {
    test("usage: --from needs a file, and goes with neither --graph nor --destroy", () => {
        expect(fromBatch("--stack-file", "Pulumi.dev.yaml", "--from").code).toBe(2);
        expect(fromBatch("--stack-file", "Pulumi.dev.yaml", "--from")).toMatchObject({ stderr: expect.stringMatching(/^--from needs the stack file/) });
        expect(fromBatch("--stack-file", "Pulumi.dev.yaml", "--from", "Pulumi.dev.yaml", "--graph")).toMatchObject({
            code: 2,
            stderr: expect.stringMatching(/^give one of --graph, --destroy and --from/),
        });
    });
});

test("the dev stack prints the graph as one JSON document", () => {
    const { code, stdout, stderr } = plan("--stack-file", "Pulumi.dev.yaml");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(["stack", "resources", "outputs"]);
    expect(doc.stack).toBe("dev");
    for (const r of doc.resources) {
        expect(Object.keys(r).sort()).toEqual(["custom", "deletedWith", "dependsOn", "inputs", "name", "options", "parent", "provider", "type", "urn"]);
        expect(r.urn).toMatch(/^urn:pulumi:dev::entra-wif::/);
    }
    expect(doc.resources.map((r: { type: string }) => r.type)).toEqual(
        expect.arrayContaining([
            "tls:index/privateKey:PrivateKey",
            "azure-native:storage:StorageAccount",
            "azure-native:storage:BlobContainer",
            "entra-wif:index:IssuerDocuments",
        ]),
    );
    expect(doc.outputs.serviceAccountSigningKey).toBe("[secret]");
    expect(stdout).not.toMatch(/PRIVATE KEY/);
});

test("the same stack file plans the same resources and inputs twice", () => {
    // Across processes and machines too: test/program/machine-independence.test.ts.
    const [a, b] = allFromBatch("--stack-file", fixture("Pulumi.byo.yaml"));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.outputs.issuerUrl).toBe("https://oidcplatform01.z6.web.core.windows.net/");
    expect(doc.outputs.kubeApiServerFlags).toEqual([
        "--service-account-issuer=https://oidcplatform01.z6.web.core.windows.net/",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    ]);
});

test("a stack file outside the project folder plans, with a warning that pulumi up will not read it there and the cp that fixes it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-elsewhere-"));
    try {
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), file);
        const r = await spawnPlan("--stack-file", file, "--graph");
        expect(r.code).toBe(0);
        expect(r.stderr).toBe(
            `warning: ${file} is outside the project folder: pulumi up reads Pulumi.dev.yaml beside Pulumi.yaml only; ` +
                `to deploy it: cp '${file}' '${path.join(REPO_ROOT, "Pulumi.dev.yaml")}'\n`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("a bad value: exit 1, one line on stderr naming key, value and what is allowed, nothing on stdout", () => {
    const { code, stdout, stderr } = plan("--stack-file", fixture("Pulumi.badhosting.yaml"));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('entra-wif:issuer.hosting: "blobs" is not valid; a public-read blob container is hosting "blob"; use one of: blob, staticWebsite\n');
});

test("bad arguments exit 2 with usage", () => {
    const { code, stdout, stderr } = plan("--stacks", "dev");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^unknown argument: --stacks\nusage: npm run --silent plan -- --stack-file/);
});

test("the dev stack's plan lists the identity, its credential, the role assignment and the vault", () => {
    const doc = JSON.parse(plan("--stack-file", "Pulumi.dev.yaml").stdout);
    const names = doc.resources.map((r: { type: string; name: string }) => `${r.type} ${r.name}`);
    expect(names).toEqual(
        expect.arrayContaining([
            "azure-native:managedidentity:UserAssignedIdentity id-entra-wif-dev-identity",
            "azure-native:managedidentity:FederatedIdentityCredential id-entra-wif-dev-fic-demo_workload-sa",
            "azure-native:authorization:RoleAssignment id-entra-wif-dev-role-key-vault-secrets-user-sampleKeyVault",
            "azure-native:keyvault:Vault sample-vault",
            "azure-native:keyvault:Secret sample-secret",
        ]),
    );
});

test("three workloads over two identities: each credential's issuer, subject and audience, and the chain within an identity", () => {
    const { code, stdout, stderr } = fromBatch("--stack-file", path.join("examples", "Pulumi.two-identities.yaml"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    type R = { type: string; name: string; urn: string; dependsOn: string[]; inputs: Record<string, unknown> };
    const credentials: R[] = doc.resources.filter((r: R) => r.type === "azure-native:managedidentity:FederatedIdentityCredential");
    const documents = doc.resources.find((r: R) => r.name === "issuer-documents").inputs.documents as Array<{ path: string; text: string }>;
    const issuer = JSON.parse(documents.find((d) => d.path === ".well-known/openid-configuration")!.text).issuer;
    expect(issuer).toBe(doc.outputs.issuerUrl);
    expect(credentials.map((c) => [c.name, c.inputs.issuer, c.inputs.subject, c.inputs.audiences])).toEqual([
        ["id-shop-frontend-fic-shop_frontend", issuer, "system:serviceaccount:shop:frontend", ["api://AzureADTokenExchange"]],
        ["id-shop-frontend-fic-shop_frontend-canary", issuer, "system:serviceaccount:shop:frontend-canary", ["api://AzureADTokenExchange"]],
        ["id-shop-worker-fic-jobs_worker", issuer, "system:serviceaccount:jobs:worker", ["api://AzureADTokenExchange"]],
    ]);
    const chained = (c: R) => c.dependsOn.filter((d) => d.includes("FederatedIdentityCredential"));
    expect(credentials.map(chained)).toEqual([[], [credentials[0].urn], []]);
});

test("the dev stack's plan: cluster, webhook release, service account and pod on one provider", () => {
    const doc = JSON.parse(plan("--stack-file", "Pulumi.dev.yaml").stdout);
    type R = { type: string; name: string; urn: string; provider: string | null; deletedWith: string | null };
    const find = (name: string) => doc.resources.find((r: R) => r.name === name) as R;
    const provider = find("kubernetes");
    for (const name of ["webhook-release", "workloads-sa-demo_workload-sa", "sample-pod"]) {
        expect(find(name).provider?.startsWith(`${provider.urn}::`)).toBe(true);
        expect(find(name).deletedWith).toBe(find("cluster-kind").urn);
    }
    expect(doc.outputs.kindConfig).toContain("service-account-issuer: " + doc.outputs.issuerUrl);
});

test("an existing-cluster stack's plan prints the flags and the snippets", () => {
    const doc = JSON.parse(fromBatch("--stack-file", path.join("examples", "Pulumi.two-identities.yaml")).stdout);
    expect(doc.outputs.kubeApiServerFlags[0]).toBe(`--service-account-issuer=${doc.outputs.issuerUrl}`);
    expect(Object.keys(doc.outputs.clusterSnippets).sort()).toEqual([
        "distribution",
        "dropPrevious",
        "k0s",
        "k0sConfig",
        "k3s",
        "k3sConfig",
        "keyChange",
        "kind",
        "kindConfig",
        "kubeadm",
        "kubeadmConfig",
        "minikube",
        "rke2",
        "rke2Config",
        "steps",
        "writeKeyFiles",
    ]);
    expect(doc.outputs.clusterSnippets.minikube).toContain(`--extra-config='apiserver.service-account-issuer=${doc.outputs.issuerUrl}'`);
    expect(doc.resources.some((r: { name: string }) => r.name === "cluster-kind")).toBe(false);
});

test("--graph prints the dev stack as a Mermaid flowchart: every component a subgraph, every dependency an arrow", () => {
    const { code, stdout, stderr } = fromBatch("--stack-file", "Pulumi.dev.yaml", "--graph");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const opened = lines.filter((l) => /^\s*subgraph /.test(l)).length;
    expect(opened).toBe(lines.filter((l) => /^\s*end$/.test(l)).length);
    const doc = JSON.parse(plan("--stack-file", "Pulumi.dev.yaml").stdout);
    type R = { custom: boolean; dependsOn: string[]; name: string };
    expect(opened).toBe(doc.resources.filter((r: R) => !r.custom).length);
    const edges = lines.filter((l) => / --> /.test(l)).length;
    expect(edges).toBe(doc.resources.reduce((n: number, r: R) => n + r.dependsOn.length, 0));
    for (const name of ["issuer-account", "cluster-kind", "webhook-release", "sample-pod", "id-entra-wif-dev-fic-demo_workload-sa"]) {
        expect(stdout).toContain(`<br/>${name}"]`);
    }
});

test("the documentation's graph of the dev stack is the one the plan draws", () => {
    const readme = readDoc(DOC_FILES.tools);
    const drawn = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(drawn).toBe(fromBatch("--stack-file", "Pulumi.dev.yaml", "--graph").stdout);
});

const OUTSIDE_WARNING = /^warning: \S+ is outside the project folder: .*\n/;

describe("the benchmark's inputs (npm run bench)", () => {
    let dir: string;
    let bare: BatchResult;
    let large: BatchResult;
    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-bench-test-"));
        fs.writeFileSync(path.join(dir, "Pulumi.bare.yaml"), stringify({ config: { "azure-native:location": "westeurope" } }));
        fs.writeFileSync(path.join(dir, "Pulumi.large.yaml"), stringify({ config: largeStackConfig() }));
        [bare, large] = await planBatch([
            ["--stack-file", path.join(dir, "Pulumi.bare.yaml"), "--program", path.join("tools", "bench", "bare.ts")],
            ["--stack-file", path.join(dir, "Pulumi.large.yaml")],
        ]);
    }, 120000);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("--program evaluates the bare baseline: the same imports, one resource group", () => {
        const { code, stdout, stderr } = bare;
        // The benchmark's stack files live in a temporary folder: the one warning is that pulumi up would not read them there.
        expect(stderr.replace(OUTSIDE_WARNING, "")).toBe("");
        expect(code).toBe(0);
        const doc = JSON.parse(stdout);
        expect(doc.resources.map((r: { type: string }) => r.type)).toEqual(["azure-native:resources:ResourceGroup"]);
    });

    test("the large stack is valid and plans 100 credentials over 5 identities, 20 each", () => {
        const { code, stdout, stderr } = large;
        expect(stderr.replace(OUTSIDE_WARNING, "")).toBe("");
        expect(code).toBe(0);
        const resources: Array<{ type: string; parent: string }> = JSON.parse(stdout).resources;
        const credentials = resources.filter((r) => /FederatedIdentityCredential/.test(r.type));
        expect(credentials).toHaveLength(100);
        const perIdentity = new Map<string, number>();
        for (const c of credentials) perIdentity.set(c.parent, (perIdentity.get(c.parent) ?? 0) + 1);
        expect([...perIdentity.values()]).toEqual([20, 20, 20, 20, 20]);
        expect(resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")).toHaveLength(100);
    });
});
