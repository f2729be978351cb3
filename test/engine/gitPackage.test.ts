/**
 * The install the README gives users of other languages, run for real: `pulumi package add <git URL>/provider@<tag>`
 * in a Pulumi YAML program, against this checkout's files tagged as a release (v<package.json version>) on a git host
 * of the test's own (tools/engine/gitServer.ts). The CLI clones the tag, has the Node.js language host install the
 * package's dependencies (provider/package.json) and start its plugin (provider/PulumiPlugin.yaml, plugin.js), reads
 * the schema, writes the package into Pulumi.yaml; then `pulumi up` deploys the dev scenario with the plugin from
 * Pulumi's plugin cache, the git host gone. The Node.js host is the project's own
 * (tools/engine/go/plugin-host-nodejs): the proxy serves no current pulumi-language-nodejs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { enginePath, pluginHostPath } from "../../tools/engine/build";
import { GitHost, GIT_HOST_NAME, startGitHost } from "../../tools/engine/gitServer";
import { EngineWorld } from "../../tools/engine/world";
import { REPO_ROOT } from "../../tools/goBuild";

const STACK = "dev";
const ACCOUNT = "stwifgitpackage";
const OWNER = "contoso";
/** The package's name as the CLI gives it for a git install: the namespace is the URL's owner. */
const PLUGIN_DIR = `resource-${GIT_HOST_NAME}_${OWNER}_entra-wif.git_provider`;

let world: EngineWorld;
let git: GitHost;
let consumer: string;
let added: { code: number | null; stdout: string; stderr: string };

async function must(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await world.project.pulumi(args, env);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r.stdout;
}

beforeAll(async () => {
    // The project's Node.js host first on PATH: it runs the package's plugin; the YAML host runs the program.
    world = await EngineWorld.start([ACCOUNT], [pluginHostPath(), ...enginePath()]);
    git = await startGitHost(OWNER, "entra-wif");
    // examples/yaml as a user of the package writes it: no plugins section, the package to be added.
    consumer = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-consumer-"));
    const program = parse(fs.readFileSync(path.join(REPO_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8"));
    delete program.plugins;
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), stringify(program));
    world.project.useProgram(consumer);
    added = await world.project.pulumi(["package", "add", `${git.repoUrl}/provider@${git.tag}`], {
        SSL_CERT_FILE: git.caFile,
        HTTPS_PROXY: git.proxyUrl,
        // The registry is npm's own (and its cache first), not reached through the test's proxy if one was set before.
        ...(process.env.HTTPS_PROXY ? { npm_config_https_proxy: process.env.HTTPS_PROXY } : {}),
        npm_config_prefer_offline: "true",
        npm_config_update_notifier: "false",
    });
    // From here on nothing reaches the git host: what runs is what the plugin cache holds.
    await git.stop();
}, 600000);

afterAll(async () => {
    await world?.project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    await git?.stop();
    await world?.stop();
    if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
}, 300000);

test("pulumi package add <git URL>/provider@<tag> installs the tagged package and records it in Pulumi.yaml", () => {
    expect([added.code, added.stderr.slice(-2000)]).toEqual([0, expect.stringContaining(`Added package ${OWNER}/entra-wif`)]);
    const project = parse(fs.readFileSync(path.join(world.project.dir, "Pulumi.yaml"), "utf8"));
    expect(project.packages).toEqual({ "entra-wif": `${GIT_HOST_NAME}/${OWNER}/entra-wif/provider@${git.tag}` });
    // The plugin cache holds the tag's commit, its dependencies installed by the language host (npm ci at the root).
    const installed = path.join(world.project.root, "pulumi-home", "plugins", `${PLUGIN_DIR}-${git.tag}`);
    expect(fs.readFileSync(path.join(installed, ".git", "HEAD"), "utf8").trim()).toBe(git.commit);
    expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi", "package.json"))).toBe(true);
    // Only what the package needs at run time: no test tools.
    expect(fs.existsSync(path.join(installed, "node_modules", "jest"))).toBe(false);
    // YAML's "SDK" is the package's declaration: its name, version and where it comes from.
    const declaration = parse(fs.readFileSync(path.join(world.project.dir, "sdks", `${OWNER}-entra-wif`, `entra-wif-${git.tag.slice(1)}.yaml`), "utf8"));
    expect(declaration).toEqual({
        packageDeclarationVersion: 1,
        name: "entra-wif",
        version: git.tag.slice(1),
        downloadUrl: `git://${GIT_HOST_NAME}/${OWNER}/entra-wif/provider`,
    });
});

describe("pulumi up with the package installed from git", () => {
    let outputs: Record<string, unknown>;

    beforeAll(async () => {
        if (added.code !== 0) return;
        await must(["stack", "init", STACK]);
        world.project.writeStack(STACK, { "entra-wif-yaml:storageAccountName": ACCOUNT });
        await must(["up", "--yes", "--skip-preview", "--stack", STACK]);
        outputs = JSON.parse(await must(["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    }, 600000);

    test("the component deploys: Entra reads the discovery document and a JWKS with the signing kid", async () => {
        const served = await world.served(String(outputs.issuerUrl));
        expect([served[DISCOVERY_PATH].status, served[DISCOVERY_PATH].contentType, served[DISCOVERY_PATH].body]).toEqual([
            200,
            "application/json",
            outputs.discoveryDocument,
        ]);
        expect(JSON.parse(String(outputs.discoveryDocument)).issuer).toBe(outputs.issuerUrl);
        expect([served[JWKS_PATH].status, JSON.parse(served[JWKS_PATH].body).keys.map((k: { kid: string }) => k.kid)]).toEqual([200, outputs.signingKeyIds]);
        expect((outputs.federatedCredentials as Array<{ subject: string }>).map((c) => c.subject)).toEqual(["system:serviceaccount:demo:workload-sa"]);
    });

    test("the secrets stayed secret across the language boundary, and no folder of this machine is in the state", async () => {
        const state = await must(["stack", "export", "--stack", STACK]);
        const shown = JSON.parse(await must(["stack", "output", "--json", "--stack", STACK]));
        expect([shown.serviceAccountSigningKey, shown.kubeconfig]).toEqual(["[secret]", "[secret]"]);
        expect(state.includes("PRIVATE KEY-----")).toBe(false);
        // The issuer check ran in the plugin (entra-wif:index:IssuerCheck), not from the plugin cache's folder: a
        // preview on another machine, with its own home folder, sees the same inputs.
        const resources = JSON.parse(state).deployment.resources as Array<{ type: string; inputs?: Record<string, unknown> }>;
        expect(resources.filter((r) => r.type === "entra-wif:index:IssuerCheck").map((r) => r.inputs?.issuer)).toEqual([outputs.issuerUrl]);
        for (const folder of [world.project.root, REPO_ROOT]) expect([folder, state.includes(folder)]).toEqual([folder, false]);
    });

    test("up again changes nothing, with the plugin the engine finds in its cache: the tag's, at the tag's version", async () => {
        // The engine says where it found each plugin at verbosity 6 (sdk/go/common/workspace plugins.go getPluginInfoAndPath).
        const r = await world.project.pulumi(["preview", "--expect-no-changes", "--stack", STACK, "--logtostderr", "-v=6"]);
        expect([r.code, r.stdout.slice(-1500)]).toEqual([0, expect.any(String)]);
        const found = r.stderr.split("\n").filter((l) => l.includes("GetPluginPath(resource, entra-wif,") && l.includes("found"));
        expect(found.length).toBeGreaterThan(0);
        for (const line of found) expect(line).toContain(path.join("pulumi-home", "plugins", `${PLUGIN_DIR}-${git.tag}`));
        const state = JSON.parse(await must(["stack", "export", "--stack", STACK]));
        const providers = (state.deployment.resources as Array<{ type: string; inputs?: Record<string, unknown> }>).filter(
            (p) => p.type === "pulumi:providers:entra-wif",
        );
        expect(providers.map((p) => p.inputs?.version)).toEqual([git.tag.slice(1)]);
    });

    test("a key added (the rotation's first step): the JWKS holds both, and the plugin's issuer check runs again in place", async () => {
        const file = path.join(world.project.dir, "Pulumi.yaml");
        const project = parse(fs.readFileSync(file, "utf8"));
        project.resources.wif.properties.signingKey.keys = ["initial", "2027-02"];
        fs.writeFileSync(file, stringify(project));
        const r = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
        expect([r.code, r.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);
        // The engine's own steps: an update (lib/doctor/gate.ts diffIssuerCheck, never a replacement), after the documents'.
        const stepOf = (type: string) => r.steps.filter((s) => s.type === type).map((s) => s.op);
        expect(stepOf("entra-wif:index:IssuerCheck")).toEqual(["update"]);
        expect(stepOf("entra-wif:index:IssuerDocuments")).toEqual(["update"]);
        const order = r.steps.map((s) => s.type);
        expect(order.indexOf("entra-wif:index:IssuerDocuments")).toBeLessThan(order.indexOf("entra-wif:index:IssuerCheck"));
        const rotated = JSON.parse(await must(["stack", "output", "--json", "--stack", STACK]));
        expect(rotated.signingKeyIds).toHaveLength(2);
        const served = await world.served(String(rotated.issuerUrl));
        expect(JSON.parse(served[JWKS_PATH].body).keys.map((k: { kid: string }) => k.kid)).toEqual(rotated.signingKeyIds);
        await must(["preview", "--expect-no-changes", "--stack", STACK]);
    });
});
