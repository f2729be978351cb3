/**
 * The package's plugin as a Node.js language host starts it for a package installed from git (provider/PulumiPlugin.yaml,
 * package.json's main plugin.js): under @pulumi/pulumi's own cmd/run-plugin, from a consumer's folder without the
 * repository's tsconfig.json, it serves what the launcher serves. run-plugin registers ts-node with type-checking on
 * whatever the runtime options say; plugin.js switches that off, which the start time and the absence of a TSError
 * show. test:engine runs it under the real CLI (test/engine/gitPackage.test.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { BLOB_ENDPOINT_TOKEN } from "../../lib/entra/cloud";
import { startProviderPlugin } from "../support/providerPlugin";

const PROVIDER = path.resolve(__dirname, "..", "..", "provider");

test("PulumiPlugin.yaml runs the folder with the Node.js runtime, whose main is plugin.js, its postinstall the repository's npm ci", () => {
    expect(parse(fs.readFileSync(path.join(PROVIDER, "PulumiPlugin.yaml"), "utf8"))).toEqual({
        runtime: { name: "nodejs", options: { typescript: false, packagemanager: "npm" } },
    });
    const pkg = JSON.parse(fs.readFileSync(path.join(PROVIDER, "package.json"), "utf8"));
    expect([pkg.main, pkg.dependencies, pkg.scripts]).toEqual(["plugin.js", undefined, { postinstall: "cd .. && npm ci --omit=dev --no-audit --no-fund" }]);
});

test("started by run-plugin it answers as the launcher's plugin does, without type-checking the package first", async () => {
    const answers: unknown[] = [];
    for (const startedBy of ["launcher", "languageHost"] as const) {
        const started = Date.now();
        const plugin = await startProviderPlugin({}, startedBy);
        try {
            const seconds = (Date.now() - started) / 1000;
            answers.push(await plugin.invoke(BLOB_ENDPOINT_TOKEN, { accountName: "stwifdev" }));
            expect([startedBy, plugin.stderr().includes("TSError")]).toEqual([startedBy, false]);
            // Type-checking the package takes a minute; Sucrase transpiles it in a few seconds.
            expect([startedBy, seconds < 20]).toEqual([startedBy, true]);
        } finally {
            await plugin.stop();
        }
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toEqual({ outputs: { endpoint: "https://stwifdev.blob.core.windows.net/" }, failures: [] });
});
