/**
 * schema.json, the package's schema, is what the component's TypeScript source says (the Pulumi SDK's analyzer over
 * its Args and outputs): an input, output or doc comment changed without `npm run package:schema` fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageSchema, REFERENCE_FILE, referenceText, SCHEMA_FILE, schemaText } from "../../tools/package/schema";
import { ENTRA_WORKLOAD_IDENTITY_OUTPUTS } from "../../components/entraWorkloadIdentity";
import { PACKAGE_SECTIONS } from "../../lib/config/packageInputs";
import { KNOWN_KEYS } from "../../lib/config/types";

type Property = { type?: string; $ref?: string; description?: string; secret?: boolean; plain?: boolean };
let schema: ReturnType<typeof packageSchema>;
let component: { inputProperties: Record<string, Property>; properties: Record<string, Property>; requiredInputs?: string[]; description?: string };

beforeAll(() => {
    schema = packageSchema();
    component = schema.resources["entra-wif:index:EntraWorkloadIdentity"] as typeof component;
}, 60000);

test("schema.json is the schema the source gives (npm run package:schema writes it)", () => {
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(schemaText());
});

test("docs/package.md, the package's reference, is the one schema.json gives: every input, output and type in a table", () => {
    const reference = fs.readFileSync(REFERENCE_FILE, "utf8");
    expect(reference).toBe(referenceText(fs.readFileSync(SCHEMA_FILE, "utf8")));
    for (const name of [...Object.keys(component.inputProperties), ...Object.keys(component.properties)]) expect(reference).toContain(`| \`${name}\` |`);
    expect(reference).toContain("| `kubeconfig` | string (secret) |");
});

test("the package is entra-wif at package.json's version, its one component entra-wif:index:EntraWorkloadIdentity", () => {
    const manifest = JSON.parse(fs.readFileSync(`${__dirname}/../../package.json`, "utf8"));
    expect(schema).toMatchObject({ name: "entra-wif", version: manifest.version, description: manifest.description });
    expect(Object.keys(schema.resources)).toEqual(["entra-wif:index:EntraWorkloadIdentity"]);
    expect(component.description).toMatch(/^A Kubernetes cluster made an issuer of workload identities Entra trusts/);
});

test("its inputs are the config model: the location and every section the stack config has, each described", () => {
    const configSections = Object.keys(KNOWN_KEYS).filter((k) => k !== "demo");
    expect(Object.keys(component.inputProperties).sort()).toEqual(["location", ...configSections].sort());
    expect(Object.keys(component.inputProperties).sort()).toEqual(["location", "resourceGroupName", "kubeconfig", ...PACKAGE_SECTIONS].sort());
    expect(component.requiredInputs).toEqual(["location"]);
    for (const [name, property] of Object.entries(component.inputProperties)) expect([name, property.description]).toEqual([name, expect.any(String)]);
    // Each section's fields are the config's fields for it.
    const fields = (ref: string) =>
        Object.keys((schema.types as Record<string, { properties: Record<string, Property> }>)[ref.replace("#/types/", "")].properties);
    for (const section of ["issuer", "signingKey", "cluster", "webhook", "sample"] as const) {
        const known = KNOWN_KEYS[section]!.filter((f) => !["existingResourceGroupName"].includes(f) || section === "cluster");
        const schemaFields = fields(component.inputProperties[section].$ref!);
        expect([section, schemaFields.sort()]).toEqual([section, [...known].sort()]);
    }
});

test("its outputs are the stack's, the private key and the kubeconfig secret", () => {
    expect(Object.keys(component.properties).sort()).toEqual([...ENTRA_WORKLOAD_IDENTITY_OUTPUTS].sort());
    // The TypeScript program's stack outputs, name for name.
    const program = fs.readFileSync(`${__dirname}/../../index.ts`, "utf8");
    expect([...program.matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort()).toEqual([...ENTRA_WORKLOAD_IDENTITY_OUTPUTS].sort());
    const secret = Object.entries(component.properties)
        .filter(([, p]) => p.secret)
        .map(([k]) => k);
    expect(secret.sort()).toEqual(["kubeconfig", "serviceAccountSigningKey"]);
    expect(component.inputProperties.kubeconfig.secret).toBe(true);
});

test("its SDKs' names are fixed, whatever git host it is installed from, and the examples import them", () => {
    // A git install gives a schema without a namespace its URL's owner (pkg/cmd/pulumi/packages setSpecNamespace), which
    // the generators would otherwise put in the SDKs' names.
    const language = packageSchema().language as Record<string, Record<string, string>>;
    expect([language.python.packageName, language.go.importBasePath, language.nodejs.packageName]).toEqual([
        "pulumi_entra_wif",
        "example.com/pulumi-entra-wif/sdk/go/entra-wif",
        "@pulumi/entra-wif",
    ]);
    expect(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "python", "__main__.py"), "utf8")).toContain(
        `import ${language.python.packageName} as entra_wif`,
    );
    expect(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "go", "main.go"), "utf8")).toContain(`entrawif "${language.go.importBasePath}"`);
});
