/**
 * The resource graph as a Mermaid flowchart: components as (nested) subgraphs, resources as nodes, dependencies as
 * arrows from what is needed to what needs it, the provider a resource uses as a dotted arrow. Pure: from the plan.
 */

export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string | null;
    dependsOn: string[];
    provider: string | null;
}

/**
 * A readable type: `azure-native:storage:StorageAccount` → `storage:StorageAccount`, `kubernetes:core/v1:Pod` →
 * `core/v1:Pod`, `tls:index/privateKey:PrivateKey` → `tls:PrivateKey`, `entra-wif:index:OidcIssuer` → `OidcIssuer`,
 * `pulumi-nodejs:dynamic/entra-wif:IssuerDocuments` → `IssuerDocuments`.
 */
export function shortType(type: string): string {
    if (type.startsWith("pulumi:providers:")) return `provider:${type.slice("pulumi:providers:".length)}`;
    const [pkg, module, name] = type.split(":");
    if (name === undefined) return type;
    // The project's own: its components, and its dynamic resources (pulumi-nodejs:dynamic/entra-wif:<Name>).
    if (pkg === "entra-wif" || (pkg === "pulumi-nodejs" && module === "dynamic/entra-wif")) return name;
    return module === "index" || module.startsWith("index/") ? `${pkg}:${name}` : `${module}:${name}`;
}

const label = (text: string) => text.replace(/"/g, "#quot;");

export function mermaidGraph(resources: GraphResource[]): string {
    const ids = new Map(resources.map((r, i) => [r.urn, `r${i}`]));
    const children = new Map<string | null, GraphResource[]>();
    for (const r of resources) {
        const parent = r.parent && ids.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines = ["flowchart LR"];
    const emit = (parent: string | null, indent: string) => {
        for (const r of children.get(parent) ?? []) {
            const id = ids.get(r.urn)!;
            if (!r.custom) {
                lines.push(`${indent}subgraph ${id}["${label(`${shortType(r.type)} ${r.name}`)}"]`);
                emit(r.urn, `${indent}  `);
                lines.push(`${indent}end`);
            } else {
                lines.push(`${indent}${id}["${label(`${shortType(r.type)}<br/>${r.name}`)}"]`);
            }
        }
    };
    emit(null, "  ");
    for (const r of resources) {
        const to = ids.get(r.urn)!;
        for (const dep of r.dependsOn) {
            const from = ids.get(dep);
            if (from) lines.push(`  ${from} --> ${to}`);
        }
        // A provider reference is `<provider urn>::<id>`.
        const providerUrn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
        const provider = providerUrn ? ids.get(providerUrn) : undefined;
        if (provider) lines.push(`  ${provider} -.-> ${to}`);
    }
    return `${lines.join("\n")}\n`;
}
