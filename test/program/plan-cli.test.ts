/** The offline plan as a user runs it: `npm run --silent plan -- --stack-file <file>`. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/stackFile";

function plan(...args: string[]) {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/plan.ts", ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 60000,
        env: { ...process.env, PLAN_DEBUG: "" },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const fixture = (name: string) => path.join("test", "fixtures", name);

test("the dev stack prints the graph as one JSON document", () => {
    const { code, stdout, stderr } = plan("--stack-file", "Pulumi.dev.yaml");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(["stack", "resources", "outputs"]);
    expect(doc.stack).toBe("dev");
    for (const r of doc.resources) {
        expect(Object.keys(r).sort()).toEqual(["custom", "deletedWith", "dependsOn", "inputs", "name", "parent", "type", "urn"]);
        expect(r.urn).toMatch(/^urn:pulumi:dev::entra-wif::/);
    }
    expect(doc.resources.map((r: { type: string }) => r.type)).toEqual(expect.arrayContaining([
        "tls:index/privateKey:PrivateKey", "azure-native:storage:StorageAccount", "azure-native:storage:BlobContainer", "azure-native:storage:Blob",
    ]));
    expect(doc.outputs.serviceAccountSigningKey).toBe("[secret]");
    expect(stdout).not.toMatch(/PRIVATE KEY/);
});

test("the same stack file plans the same resources and inputs twice", () => {
    const a = plan("--stack-file", fixture("Pulumi.byo.yaml"));
    const b = plan("--stack-file", fixture("Pulumi.byo.yaml"));
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.outputs.issuerUrl).toBe("https://oidcplatform01.z6.web.core.windows.net/");
    expect(doc.outputs.kubeApiServerFlags).toEqual(["--service-account-issuer=https://oidcplatform01.z6.web.core.windows.net/"]);
});

test("a bad value: exit 1, one line on stderr naming key, value and what is allowed, nothing on stdout", () => {
    const { code, stdout, stderr } = plan("--stack-file", fixture("Pulumi.badhosting.yaml"));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('entra-wif:issuer.hosting: "blobs" is not valid; use one of: blob, staticWebsite\n');
});

test("bad arguments exit 2 with usage", () => {
    const { code, stdout, stderr } = plan("--stack", "dev");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/usage: npm run --silent plan -- --stack-file/);
});
