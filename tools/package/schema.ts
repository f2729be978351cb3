/**
 * The Pulumi package schema of entra-wif (schema.json): what `pulumi package get-schema` answers and what `gen-sdk`
 * generates every language's SDK from. Derived from the component's TypeScript source by the Pulumi SDK's own
 * analyzer (@pulumi/pulumi/provider/experimental: each Args field's type and doc comment become an input property
 * and its description, each public Output a property), with the version and description from package.json and the
 * secret outputs marked secret. test/unit/packageSchema.test.ts fails when schema.json is not what the source says.
 *
 *   npm run --silent package:schema      (writes schema.json and docs/package.md, its reference)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { formatHelp, INFO_FLAGS, runWithoutArguments } from "../cli";
import { PackageSchemaDoc, packageReference } from "./reference";

const ROOT = path.resolve(__dirname, "../..");
export const SCHEMA_FILE = path.join(ROOT, "schema.json");
/** The package's reference, generated from the schema. */
export const REFERENCE_FILE = path.join(ROOT, "docs", "package.md");
/** The package's components, each in its own file under components/. */
export const PACKAGE_COMPONENTS = [{ name: "EntraWorkloadIdentity", file: "components/entraWorkloadIdentity.ts" }] as const;
/** Numbers the config takes as whole numbers (TypeScript's number says nothing of it): integers in every language. */
export const INTEGER_PROPERTIES = ["rsaBits", "nodeCount", "tokenExpiration"] as const;
/** Outputs and inputs that carry a private key or a kubeconfig: secret in every language. */
export const SECRET_PROPERTIES = ["serviceAccountSigningKey", "kubeconfig"] as const;

/**
 * The SDKs' names, fixed: a package installed from git gets its URL's owner as namespace when its schema has none
 * (pkg/cmd/pulumi/packages setSpecNamespace), and the generators name the SDKs after it (Python's PyPack, Go's
 * github.com/<namespace>/pulumi-<name>), so the same package would import differently from every fork. These are the
 * names a package without a namespace gets, the ones the README's examples import. The Go module need not be
 * fetchable: `pulumi package add` links the SDK it generates from the consumer's sdks folder.
 */
const SDK_NAMES: Record<string, Record<string, string>> = {
    python: { packageName: "pulumi_entra_wif" },
    go: { importBasePath: "example.com/pulumi-entra-wif/sdk/go/entra-wif" },
    nodejs: { packageName: "@pulumi/entra-wif" },
};

type Schema = {
    resources: Record<string, { inputProperties?: Record<string, Record<string, unknown>>; properties?: Record<string, Record<string, unknown>> }>;
    [key: string]: unknown;
};

export function packageSchema(): Schema {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string; description: string };
    const components: Record<string, unknown> = {};
    const types: Record<string, unknown> = {};
    for (const component of PACKAGE_COMPONENTS) {
        const analyzed = new Analyzer(ROOT, manifest.name, { name: manifest.name, main: component.file }, new Set([component.name])).analyze();
        Object.assign(components, analyzed.components);
        Object.assign(types, analyzed.typeDefinitions);
    }
    const schema = generateSchema(
        manifest.name,
        manifest.version,
        manifest.description,
        components as Parameters<typeof generateSchema>[3],
        types as Parameters<typeof generateSchema>[4],
        [],
    ) as unknown as Schema;
    // As the CLI serves it (pulumi package get-schema binds and writes the spec back): "optional", which the SDK's
    // generator leaves on a property, is not a schema field (requiredness is in required and requiredInputs), empty
    // required and dependencies lists are left out, and config is always present.
    const withoutOptional = (value: unknown): unknown =>
        Array.isArray(value)
            ? value.map(withoutOptional)
            : value && typeof value === "object"
              ? Object.fromEntries(
                    Object.entries(value)
                        .filter(([k, v]) => k !== "optional" && !(k === "required" && Array.isArray(v) && v.length === 0))
                        .map(([k, v]) => [k, withoutOptional(v)]),
                )
              : value;
    Object.assign(schema, withoutOptional(schema));
    if (Array.isArray(schema.dependencies) && schema.dependencies.length === 0) delete schema.dependencies;
    schema.config = schema.config ?? {};
    for (const type of Object.values(schema.types as Record<string, { properties?: Record<string, Record<string, unknown>> }>)) {
        for (const key of INTEGER_PROPERTIES) if (type.properties?.[key]?.type === "number") type.properties[key].type = "integer";
    }
    for (const resource of Object.values(schema.resources)) {
        for (const group of [resource.inputProperties, resource.properties]) {
            for (const key of SECRET_PROPERTIES) if (group?.[key]) group[key].secret = true;
        }
    }
    const language = schema.language as Record<string, Record<string, unknown>>;
    for (const [lang, names] of Object.entries(SDK_NAMES)) language[lang] = { ...language[lang], ...names };
    return schema;
}

export const schemaText = (): string => `${JSON.stringify(packageSchema(), null, 2)}\n`;
/** docs/package.md for a schema.json text. */
export const referenceText = (schemaJson: string): string => packageReference(JSON.parse(schemaJson) as PackageSchemaDoc);

if (require.main === module) {
    runWithoutArguments(
        process.argv.slice(2),
        () =>
            formatHelp(
                ["Writes schema.json, the Pulumi package schema, from the components' TypeScript source."],
                "usage: npm run --silent package:schema",
                INFO_FLAGS,
                [],
            ),
        "usage: npm run --silent package:schema",
        () => {
            const text = schemaText();
            fs.writeFileSync(SCHEMA_FILE, text);
            fs.writeFileSync(REFERENCE_FILE, referenceText(text));
            process.stdout.write(`${path.relative(process.cwd(), SCHEMA_FILE)}\n${path.relative(process.cwd(), REFERENCE_FILE)}\n`);
        },
    );
}
