/**
 * docs/package.md, the package's reference: its component, every input and output and every settings type, as tables
 * generated from schema.json (npm run package:schema writes both; test/unit/packageSchema.test.ts keeps them in step).
 */

interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    description?: string;
    secret?: boolean;
}
interface SchemaObject {
    description?: string;
    properties?: Record<string, SchemaProperty>;
    required?: string[];
    inputProperties?: Record<string, SchemaProperty>;
    requiredInputs?: string[];
}
export interface PackageSchemaDoc {
    name: string;
    version: string;
    description?: string;
    resources: Record<string, SchemaObject>;
    types?: Record<string, SchemaObject>;
}

const typeName = (ref: string) =>
    ref
        .replace(/^#\/types\//, "")
        .split(":")
        .pop()!;
const anchor = (name: string) => name.toLowerCase();

/** A property's type as a reader reads it: string, integer, list of X, map of X, or a link to a settings type. */
function typeOf(p: SchemaProperty): string {
    if (p.$ref) return `[${typeName(p.$ref)}](#${anchor(typeName(p.$ref))})`;
    if (p.type === "array" && p.items) return `list of ${typeOf(p.items)}`;
    if (p.type === "object" && p.additionalProperties) return `map of ${typeOf(p.additionalProperties)}`;
    return p.type ?? "any";
}

/** Markdown table cells hold no line breaks or bare pipes. */
const cell = (text: string | undefined) => (text ?? "").replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

function table(properties: Record<string, SchemaProperty> | undefined, required: string[] | undefined, requiredWord: string): string[] {
    const rows = Object.entries(properties ?? {}).sort(([a], [b]) => a.localeCompare(b));
    return [
        `| name | type | ${requiredWord} | description |`,
        "| --- | --- | --- | --- |",
        ...rows.map(
            ([name, p]) =>
                `| \`${name}\` | ${typeOf(p)}${p.secret ? " (secret)" : ""} | ${(required ?? []).includes(name) ? "yes" : ""} | ${cell(p.description)} |`,
        ),
    ];
}

export function packageReference(schema: PackageSchemaDoc): string {
    const lines = [
        `# The ${schema.name} package`,
        "",
        "<!-- Generated from schema.json by `npm run --silent package:schema`; a test keeps it current. Do not edit. -->",
        "",
        `Version ${schema.version}. ${cell(schema.description)} How to use it from YAML, Python, Go and C#: the README,`,
        '"From other languages".',
        "",
    ];
    for (const [token, resource] of Object.entries(schema.resources)) {
        lines.push(`## ${token.split(":").pop()}`, "", `\`${token}\`: ${cell(resource.description)}`, "", "### Inputs", "");
        lines.push(...table(resource.inputProperties, resource.requiredInputs, "required"), "", "### Outputs", "");
        lines.push(...table(resource.properties, resource.required, "always set"), "");
    }
    lines.push("## Types", "");
    for (const [token, type] of Object.entries(schema.types ?? {}).sort(([a], [b]) => typeName(a).localeCompare(typeName(b)))) {
        lines.push(`### ${typeName(token)}`, "", cell(type.description) || "—", "", ...table(type.properties, type.required, "required"), "");
    }
    return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
