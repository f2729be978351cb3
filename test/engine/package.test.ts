/**
 * entra-wif as a Pulumi package, through the real engine: the schema the CLI reads from the package's plugin, and
 * examples/yaml — the dev scenario in Pulumi YAML, run by Pulumi YAML's own language host (built from the Go proxy) —
 * whose EntraWorkloadIdentity component the plugin constructs. For the same config it publishes the same discovery
 * document, sends Entra the same federated credentials and gives the cluster the same flags as the TypeScript program;
 * its private key and kubeconfig stay secret; a bad value is refused with the TypeScript program's own messages,
 * before anything is created.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../../lib/config";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { EngineWorld } from "../../tools/engine/world";
import { REPO_ROOT } from "../../tools/goBuild";

const STACK = "dev";
const ACCOUNT = "stwifpackage";
const YAML_PROGRAM = path.join(REPO_ROOT, "examples", "yaml");
const PLUGIN = path.join(REPO_ROOT, "provider", "pulumi-resource-entra-wif");
/** The dev stack's config (Pulumi.dev.yaml), the account named so both programs publish to the same place. */
const DEV = {
    "azure-native:location": "westeurope",
    "entra-wif:issuer": { hosting: "blob", containerName: "oidc", storageAccountName: ACCOUNT },
    "entra-wif:signingKey": { rsaBits: 2048 },
    "entra-wif:cluster": { mode: "kind" },
    "entra-wif:identity": { type: "managedIdentity" },
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
    "entra-wif:sample": { enabled: true },
};

let world: EngineWorld;
const temporary: string[] = [];

beforeAll(async () => {
    world = await EngineWorld.start([ACCOUNT]);
}, 120000);
afterAll(async () => {
    await world?.stop();
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

async function must(args: string[]): Promise<string> {
    const r = await world.project.pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    return r.stdout;
}
const outputs = async (showSecrets = true) =>
    JSON.parse(await must(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : []), "--stack", STACK])) as Record<string, unknown>;

test("pulumi package get-schema reads schema.json from the package's plugin", async () => {
    const schema = JSON.parse(await must(["package", "get-schema", PLUGIN]));
    expect(schema).toEqual(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")));
});

describe("the dev scenario from Pulumi YAML and from TypeScript, one after the other", () => {
    const seen: Record<"typescript" | "yaml", Record<string, unknown>> = { typescript: {}, yaml: {} };
    let served: Record<string, { status: number; contentType: string; body: string }>;

    beforeAll(async () => {
        // The TypeScript program, deployed and destroyed first: the same account cannot hold both at once.
        world.project.useProgram(REPO_ROOT);
        await must(["stack", "init", STACK]);
        world.project.writeStack(STACK, DEV);
        await must(["up", "--yes", "--skip-preview", "--stack", STACK]);
        seen.typescript = await outputs();
        await must(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
        await must(["stack", "rm", "--yes", STACK]);

        world.project.useProgram(YAML_PROGRAM);
        await must(["stack", "init", STACK]);
        world.project.writeStack(STACK, { "entra-wif-yaml:storageAccountName": ACCOUNT });
        await must(["up", "--yes", "--skip-preview", "--stack", STACK]);
        seen.yaml = await outputs();
        served = await world.served(String(seen.yaml.issuerUrl));
    }, 600000);

    afterAll(async () => {
        await world.project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    }, 300000);

    test("the same issuer, discovery document, federated credentials and cluster flags", () => {
        for (const key of ["issuerUrl", "discoveryDocument", "federatedCredentials", "kubeApiServerFlags", "kubeControllerManagerFlags", "sampleCommands"]) {
            expect([key, seen.yaml[key]]).toEqual([key, seen.typescript[key]]);
        }
    });

    test("Entra reads the documents the component published: the discovery document byte for byte, the JWKS of its own key", () => {
        expect([served[DISCOVERY_PATH].status, served[DISCOVERY_PATH].contentType, served[DISCOVERY_PATH].body]).toEqual([
            200,
            "application/json",
            seen.typescript.discoveryDocument,
        ]);
        // A key is generated per stack, so the JWKS is the one the TypeScript program builds for the YAML stack's key.
        const publicKeys = seen.yaml.signingPublicKeys as string[];
        expect(publicKeys).toHaveLength(1);
        expect(served[JWKS_PATH].body).toBe(seen.yaml.jwks);
        expect(JSON.parse(served[JWKS_PATH].body).keys.map((k: { kid: string }) => k.kid)).toEqual(seen.yaml.signingKeyIds);
        expect(served[JWKS_PATH].body).toBe(serializeJwks(buildJwks(publicKeys)));
    });

    test("the private key and the kubeconfig stay secret across the language boundary: in the outputs and in the state", async () => {
        const shown = await outputs(false);
        expect([shown.serviceAccountSigningKey, shown.kubeconfig]).toEqual(["[secret]", "[secret]"]);
        expect(String(seen.yaml.serviceAccountSigningKey)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
        const state = await must(["stack", "export", "--stack", STACK]);
        expect(state.includes("PRIVATE KEY-----")).toBe(false);
        expect(state.includes("token: stand-in")).toBe(false);
    });

    test("up again changes nothing", async () => {
        await must(["preview", "--expect-no-changes", "--stack", STACK]);
    });
});

test("a bad value from YAML is refused with the TypeScript program's own messages, every one, before anything is created", async () => {
    // The example with two bad values, as a user might write them.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-yaml-bad-"));
    temporary.push(dir);
    const program = parse(fs.readFileSync(path.join(YAML_PROGRAM, "Pulumi.yaml"), "utf8"));
    program.plugins.providers[0].path = path.join(REPO_ROOT, "provider");
    program.resources.wif.properties.issuer.hosting = "ftp";
    program.resources.wif.properties.signingKey.rsaBits = 1024;
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(program));
    world.project.useProgram(dir);
    await world.project.pulumi(["stack", "init", "bad"]);
    world.project.writeStack("bad", {});
    const r = await world.run(["up", "--yes", "--skip-preview", "--stack", "bad"]);
    expect(r.code).not.toBe(0);
    // What the TypeScript program says for the same config.
    let expected = "";
    try {
        parseStackConfig(
            {
                ...Object.fromEntries(Object.entries(DEV).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
                "entra-wif:issuer": JSON.stringify({ hosting: "ftp", containerName: "oidc" }),
                "entra-wif:signingKey": JSON.stringify({ rsaBits: 1024 }),
            },
            { stack: "bad" },
        );
    } catch (err) {
        expected = (err as Error).message;
    }
    const lines = expected.split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const said = `${r.stdout}\n${r.stderr}`;
    for (const line of lines) expect([line, said.includes(line)]).toEqual([line, true]);
    expect(r.steps.filter((s) => s.op === "create" && s.type !== "pulumi:pulumi:Stack" && s.type !== "pulumi:providers:entra-wif")).toEqual([]);
});
