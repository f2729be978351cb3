/**
 * What test:engine builds and runs with, checked with Node alone: the pinned engine and language host, the stand-ins'
 * decisions read from the one rules table, and the refusal without Go.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENGINE_COMPONENTS, ENGINE_SUITE } from "../../tools/engine/build";
import { requiredVersion } from "../../tools/goBuild";
import { kubeconfigCluster, nameKeyOf, ruleDiff } from "../../tools/engine/standins/providers";
import { hasUnknown, parseUrn, reveal, SECRET_SIG, SECRET_SIG_KEY, UNKNOWN } from "../../tools/engine/standins/server";
import { PROVIDER_RULES } from "../../lib/plans/providerRules";
import { BenchInputError, latencyFileFrom } from "../../tools/bench/engine";
import { LATENCIES, latencyOf, latencyTableProblems } from "../../tools/bench/latencies";
import { runTool } from "../support/processes";

const goMod = (wrapper: string) => fs.readFileSync(path.join(ENGINE_SUITE.wrappers, wrapper, "go.mod"), "utf8");

test("the engine is the Pulumi CLI v3.276.0, the language host the last sdk/v3 that ships one (v3.68.0), both pinned with go.sum", () => {
    expect(requiredVersion(goMod("pulumi"), "github.com/pulumi/pulumi/pkg/v3")).toBe("v3.276.0");
    expect(requiredVersion(goMod("language-nodejs"), "github.com/pulumi/pulumi/sdk/v3")).toBe("v3.68.0");
    for (const c of ENGINE_COMPONENTS) expect(fs.existsSync(path.join(ENGINE_SUITE.wrappers, c.wrapper, "go.sum"))).toBe(true);
    // Stamped as a release build, so `pulumi version` answers the version.
    expect(ENGINE_COMPONENTS[0].stamps!("v3.276.0")).toEqual(["github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.276.0"]);
});

test(".ci/run runs test:engine after test:cluster", () => {
    expect(fs.readFileSync(path.resolve(__dirname, "../../.ci/run"), "utf8")).toMatch(/npm run test:cluster\nnpm run test:engine\n/);
});

test("without Go on the PATH, engine:build says what test:engine needs and exits 2, building nothing", async () => {
    const r = await runTool("tools/engine/build.ts", [], { PATH: "/nonexistent" });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
        "npm run test:engine builds the Pulumi CLI and its Node.js language host with Go (1.26.4 or later) from the Go module proxy; `go` is not on PATH\n",
    );
});

describe("the stand-ins decide from lib/plans/providerRules.ts", () => {
    test("azure-native: a path parameter or location replaces, deleted first; a property is an update", () => {
        const account = { resourceGroupName: "rg", accountName: "st1", location: "westeurope", allowBlobPublicAccess: true };
        expect(ruleDiff("azure-native:storage:StorageAccount", account, { ...account, location: "northeurope" })).toEqual({
            changes: true,
            replaces: ["location"],
            deleteBeforeReplace: true,
            diffs: ["location"],
        });
        expect(ruleDiff("azure-native:storage:StorageAccount", account, { ...account, allowBlobPublicAccess: false })).toMatchObject({
            changes: true,
            replaces: [],
        });
        expect(ruleDiff("azure-native:storage:StorageAccount", account, account)).toMatchObject({ changes: false, replaces: [] });
    });

    test("a name not known yet replaces: the provider cannot tell it is the same name", () => {
        const container = { resourceGroupName: "rg", accountName: "st1", containerName: "oidc" };
        expect(ruleDiff("azure-native:storage:BlobContainer", container, { ...container, accountName: UNKNOWN }).replaces).toEqual(["accountName"]);
    });

    test("secrets are compared by value, and a type the table lacks fails naming it", () => {
        const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });
        expect(ruleDiff("command:local:Command", { environment: { K: secret("a") } }, { environment: { K: secret("a") } }).changes).toBe(false);
        expect(ruleDiff("command:local:Command", { triggers: [secret("a")] }, { triggers: [secret("b")] })).toMatchObject({ replaces: ["triggers"] });
        expect(() => ruleDiff("azure-native:network:VirtualNetwork", {}, {})).toThrow(/no provider rule for azure-native:network:VirtualNetwork/);
        expect(reveal({ a: [secret({ b: 1 })] })).toEqual({ a: [{ b: 1 }] });
        expect(hasUnknown({ a: [UNKNOWN] })).toBe(true);
    });

    test("an object's name is the rule's name inputs; the kubernetes provider's cluster is the kubeconfig's context and server", () => {
        expect(nameKeyOf("azure-native:storage:BlobContainer", { accountName: "st1", containerName: "oidc", resourceGroupName: "rg" }, "x")).toBe(
            '["st1","oidc"]',
        );
        expect(nameKeyOf("tls:index/privateKey:PrivateKey", { algorithm: "RSA" }, "abc")).toBe("id:abc");
        const kubeconfig = [
            "apiVersion: v1",
            "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]",
            "contexts: [{name: kind-dev, context: {cluster: c, user: u}}]",
            "current-context: kind-dev",
        ].join("\n");
        expect(kubeconfigCluster(kubeconfig)).toBe("kind-dev https://127.0.0.1:6443");
        expect(kubeconfigCluster(undefined)).toBeNull();
        expect(parseUrn("urn:pulumi:dev::entra-wif::entra-wif:index:OidcIssuer$azure-native:storage:StorageAccount::issuer-account")).toEqual({
            type: "azure-native:storage:StorageAccount",
            name: "issuer-account",
        });
    });
});

describe("the benchmark's latency table", () => {
    test("every row names a type the program registers, with seconds to create and delete", () => {
        expect(latencyTableProblems(LATENCIES as Record<string, unknown>, Object.keys(PROVIDER_RULES))).toEqual([]);
        // The project's own plugin (entra-wif:) and the dynamic provider run for real in the simulated up: no sleep to look up.
        for (const type of Object.keys(PROVIDER_RULES).filter((t) => !t.startsWith("pulumi") && !t.startsWith("entra-wif:")))
            expect([type, type in LATENCIES]).toEqual([type, true]);
    });

    test("a resource's own row wins over its type's; a scale shortens every sleep alike; an unknown type is named", () => {
        const file = { scale: 0.1, table: { ...LATENCIES } };
        expect(latencyOf(file, "command:local:Command", "cluster-kind", "create")).toBeCloseTo(6);
        expect(latencyOf(file, "command:local:Command", "issuer-verify", "create")).toBeCloseTo(0.1);
        expect(latencyOf(file, "azure-native:storage:StorageAccount", "issuer-account", "update")).toBeCloseTo(0.5);
        expect(() => latencyOf(file, "azure-native:network:VirtualNetwork", "vnet", "create")).toThrow(/no latency for azure-native:network:VirtualNetwork/);
    });

    test("a table with an unknown type or a missing figure, given to the bench, is bad input (exit 2) naming it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-latency-"));
        try {
            const file = path.join(dir, "measured.json");
            fs.writeFileSync(
                file,
                JSON.stringify({ "azure-native:network:VirtualNetwork": { create: 1, delete: 1 }, "azure-native:keyvault:Vault": { create: 1 } }),
            );
            expect(() => latencyFileFrom({ BENCH_LATENCIES: file })).toThrow(BenchInputError);
            expect(() => latencyFileFrom({ BENCH_LATENCIES: file })).toThrow(
                /VirtualNetwork: not a type the program registers[\s\S]*keyvault:Vault: delete must be a number of seconds/,
            );
            expect(() => latencyFileFrom({ BENCH_LATENCY_SCALE: "2" })).toThrow(/BENCH_LATENCY_SCALE=2: use a number in \(0, 1\]/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

test("plan --from and --destroy without a pulumi on PATH say what to install and exit 2; --engine is no flag (the engine is the answer)", async () => {
    for (const args of [["--from", "Pulumi.dev.yaml"], ["--destroy"]]) {
        const r = await runTool("tools/offline/plan.ts", ["--stack-file", "Pulumi.dev.yaml", ...args], { PATH: "/nonexistent" });
        expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
        expect(r.stderr).toMatch(
            /^the change preview asks the Pulumi engine \(`pulumi preview` with stand-in providers\), and no `pulumi` is on PATH: install/,
        );
    }
    const usage = await runTool("tools/offline/plan.ts", ["--stack-file", "Pulumi.dev.yaml", "--from", "Pulumi.dev.yaml", "--engine"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^unknown argument: --engine\n/);
});

test("changes without a pulumi on PATH says what to install and exits 2; a base folder is required", async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-base-"));
    // A stack file that differs from this checkout's: it needs the engine (one that is the same needs none).
    fs.writeFileSync(path.join(base, "Pulumi.dev.yaml"), "config:\n  azure-native:location: northeurope\n");
    const r = await runTool("tools/offline/changes.ts", ["--base-dir", base], { PATH: "/nonexistent" }).finally(() =>
        fs.rmSync(base, { recursive: true, force: true }),
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^the change preview asks the Pulumi engine .* no `pulumi` is on PATH: install the Pulumi CLI/);
    const missing = await runTool("tools/offline/changes.ts", ["--base-dir", path.join(base, "no-such")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such: no such folder\nusage: npm run --silent changes -- --base-dir/);
});
