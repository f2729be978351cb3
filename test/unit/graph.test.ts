import { mermaidGraph, shortType } from "../../lib/plans/graph";

const urn = (type: string, name: string, parentType?: string) => `urn:pulumi:dev::entra-wif::${parentType ? `${parentType}$` : ""}${type}::${name}`;
const issuer = urn("entra-wif:index:OidcIssuer", "issuer");
const account = urn("azure-native:storage:StorageAccount", "issuer-account", "entra-wif:index:OidcIssuer");
const blob = urn("azure-native:storage:Blob", "issuer-jwks", "entra-wif:index:OidcIssuer");
const provider = urn("pulumi:providers:kubernetes", "kubernetes");
const pod = urn("kubernetes:core/v1:Pod", "sample-pod");

const resources = [
    { urn: issuer, type: "entra-wif:index:OidcIssuer", name: "issuer", custom: false, parent: null, dependsOn: [], provider: null },
    { urn: account, type: "azure-native:storage:StorageAccount", name: "issuer-account", custom: true, parent: issuer, dependsOn: [], provider: null },
    { urn: blob, type: "azure-native:storage:Blob", name: "issuer-jwks", custom: true, parent: issuer, dependsOn: [account], provider: null },
    { urn: provider, type: "pulumi:providers:kubernetes", name: "kubernetes", custom: true, parent: null, dependsOn: [], provider: null },
    { urn: pod, type: "kubernetes:core/v1:Pod", name: "sample-pod", custom: true, parent: null, dependsOn: [blob], provider: `${provider}::0b1c` },
];

test("components become subgraphs holding their resources; dependencies arrows; the provider a dotted arrow", () => {
    expect(mermaidGraph(resources)).toBe(
        [
            "flowchart LR",
            '  subgraph r0["OidcIssuer issuer"]',
            '    r1["storage:StorageAccount<br/>issuer-account"]',
            '    r2["storage:Blob<br/>issuer-jwks"]',
            "  end",
            '  r3["provider:kubernetes<br/>kubernetes"]',
            '  r4["core/v1:Pod<br/>sample-pod"]',
            "  r1 --> r2",
            "  r2 --> r4",
            "  r3 -.-> r4",
            "",
        ].join("\n"),
    );
});

test("readable types", () => {
    expect(shortType("tls:index/privateKey:PrivateKey")).toBe("tls:PrivateKey");
    expect(shortType("command:local:Command")).toBe("local:Command");
    expect(shortType("kubernetes:helm.sh/v3:Release")).toBe("helm.sh/v3:Release");
    // The project's own, a component or a dynamic resource: its name alone.
    expect(shortType("entra-wif:index:OidcIssuer")).toBe("OidcIssuer");
    expect(shortType("pulumi-nodejs:dynamic/entra-wif:IssuerDocuments")).toBe("IssuerDocuments");
    expect(shortType("pulumi-nodejs:dynamic:Resource")).toBe("dynamic:Resource");
});

test("quotes in names cannot break a label", () => {
    expect(mermaidGraph([{ ...resources[1], parent: null, name: 'a"b' }])).toContain('r0["storage:StorageAccount<br/>a#quot;b"]');
});
