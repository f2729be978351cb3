/**
 * The package component's inputs as the stack config they stand for: the project's defaults as the CLI applies them,
 * every section under its key, a secret kubeconfig present but unread, an output refused by name.
 */
import { parse } from "yaml";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackConfig } from "../../lib/config";
import { NotPlainInput, PROJECT_CONFIG_DEFAULTS, projectConfigDefaults, rawConfigOf } from "../../lib/config/packageInputs";
import { OFFLINE_SECRET } from "../../lib/config/types";

const ROOT = path.resolve(__dirname, "../..");
const isOutput = (v: unknown) => typeof v === "object" && v !== null && "__output" in v;

test("the defaults are Pulumi.yaml's, key for key", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> };
    expect(PROJECT_CONFIG_DEFAULTS).toEqual(Object.fromEntries(Object.entries(project.config).map(([k, d]) => [k, d.default])));
});

test("sections under entra-wif:, the location under azure-native:, a default for what is left out, a section given replacing its default whole", () => {
    const raw = rawConfigOf(
        { location: "westeurope", issuer: { hosting: "staticWebsite" }, workloads: [{ namespace: "demo", serviceAccount: "sa" }] },
        projectConfigDefaults(),
        isOutput,
    );
    expect(raw["azure-native:location"]).toBe("westeurope");
    expect(JSON.parse(raw["entra-wif:issuer"])).toEqual({ hosting: "staticWebsite" });
    expect(JSON.parse(raw["entra-wif:webhook"])).toEqual(PROJECT_CONFIG_DEFAULTS.webhook);
    // The same config the TypeScript program gets from a stack file with these values.
    const config = parseStackConfig(raw, { stack: "dev" });
    expect(config.issuer.hosting).toBe("staticWebsite");
    expect(config.workloads.map((w) => `${w.namespace}/${w.serviceAccount}`)).toEqual(["demo/sa"]);
});

test("a secret kubeconfig (an output) is present and unread; any other output is refused, naming the input", () => {
    const secret = { __output: true };
    expect(rawConfigOf({ location: "westeurope", kubeconfig: secret }, {}, isOutput)["entra-wif:kubeconfig"]).toBe(OFFLINE_SECRET);
    expect(() => rawConfigOf({ location: "westeurope", issuer: { customUrl: secret } }, {}, isOutput)).toThrow(NotPlainInput);
    expect(() => rawConfigOf({ location: "westeurope", issuer: { customUrl: secret } }, {}, isOutput)).toThrow(
        /^entra-wif: issuer is another resource's output; the component takes it as stack config is taken/,
    );
});

test("a bad value is refused with the program's own message, every problem at once", () => {
    const raw = rawConfigOf({ location: "westeurope", issuer: { hosting: "ftp" }, signingKey: { rsaBits: 1024 } }, projectConfigDefaults(), isOutput);
    expect(() => parseStackConfig(raw, { stack: "dev" })).toThrow(/entra-wif:issuer\.hosting[\s\S]*entra-wif:signingKey\.rsaBits/);
});
