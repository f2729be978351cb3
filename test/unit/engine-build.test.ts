/**
 * What test:engine builds and runs with, checked with Node alone: the pinned engine and language host, the stand-ins'
 * decisions read from the one rules table, and the refusal without Go.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENGINE_COMPONENTS, ENGINE_SUITE } from "../../tools/engine/build";
import { requiredVersion } from "../../tools/goBuild";
import { kubeconfigCluster, nameKeyOf, ruleDiff } from "../../tools/engine/standins/providers";
import { hasUnknown, parseUrn, reveal, SECRET_SIG, SECRET_SIG_KEY, UNKNOWN } from "../../tools/engine/standins/server";
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
