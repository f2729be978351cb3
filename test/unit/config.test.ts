import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, DEFAULTS, parseStackConfig } from "../../lib/config";
import { loadStackFile, REPO_ROOT } from "../../tools/stackFile";
import { k8s } from "../support/vectors";


const parseConfig = (raw: Record<string, string>) => parseStackConfig(raw, { stack: "dev" });

/** A valid base config; each case changes one thing. */
const base = (): Record<string, string> => ({
    "azure-native:location": "westeurope",
});
const withKey = (key: string, value: unknown): Record<string, string> => ({
    ...base(),
    [key]: typeof value === "string" ? value : JSON.stringify(value),
});

describe("valid configurations", () => {
    test("the dev stack, read as the CLI would hand it over", () => {
        const stack = loadStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml"));
        expect(parseConfig(stack.config)).toEqual({
            location: "westeurope",
            resourceGroupName: undefined,
            issuer: { hosting: "blob", storageAccountName: undefined, containerName: "oidc" },
            signingKey: { rsaBits: 2048, publicKeys: [] },
            cluster: { mode: "kind" },
            identities: [{ name: "id-entra-wif-dev", type: "managedIdentity", roles: [] }],
            workloads: [{ namespace: "demo", serviceAccount: "workload-sa", identity: "id-entra-wif-dev", roles: [] }],
            sample: { enabled: true, workload: { namespace: "demo", serviceAccount: "workload-sa" }, secretName: "demo-secret", vaultName: undefined },
        });
    });

    test("only a location: every default applies", () => {
        const c = parseConfig(base());
        expect(c.issuer).toEqual({ hosting: "blob", storageAccountName: undefined, containerName: "oidc" });
        expect(c.signingKey).toEqual({ rsaBits: 2048, publicKeys: [] });
    });

    test("static website, explicit account, existing group, bring-your-own keys", () => {
        const c = parseConfig({
            ...base(),
            "entra-wif:resourceGroupName": "rg-platform_prod(1)",
            "entra-wif:issuer": JSON.stringify({ hosting: "staticWebsite", storageAccountName: "oidcprod01" }),
            "entra-wif:signingKey": JSON.stringify({ publicKeys: [k8s.rsaPublic(), k8s.ecdsaPublic()] }),
        });
        expect(c.resourceGroupName).toBe("rg-platform_prod(1)");
        expect(c.issuer).toEqual({ hosting: "staticWebsite", storageAccountName: "oidcprod01", containerName: undefined });
        expect(c.signingKey.publicKeys).toHaveLength(2);
    });

    test("rsaBits given as a numeric string (as `pulumi config set --path` stores it)", () => {
        expect(parseConfig(withKey("entra-wif:signingKey", { rsaBits: "4096" })).signingKey.rsaBits).toBe(4096);
    });

    test("keys of other namespaces are left alone", () => {
        expect(() => parseConfig({ ...base(), "azure-native:subscriptionId": "x", "kubernetes:context": "kind" })).not.toThrow();
    });
});

/** [what, key, value, expected message] — each message names the key, the value and what is allowed. */
const invalid: Array<[string, string, unknown, RegExp]> = [
    ["missing location", "azure-native:location", undefined, /^azure-native:location: \(missing\) is not valid; set the Azure region/],
    ["location with spaces", "azure-native:location", "West Europe", /^azure-native:location: "West Europe" is not valid; expected an Azure region name/],
    ["resource group ending with a period", "entra-wif:resourceGroupName", "rg.", /^entra-wif:resourceGroupName: "rg\." is not valid; a resource group name is 1-90/],
    ["unknown hosting", "entra-wif:issuer", { hosting: "blobs" }, /^entra-wif:issuer\.hosting: "blobs" is not valid; use one of: blob, staticWebsite$/],
    ["storage account with hyphens", "entra-wif:issuer", { storageAccountName: "my-oidc" }, /^entra-wif:issuer\.storageAccountName: "my-oidc" is not valid; a storage account name is 3-24 lowercase letters and digits/],
    ["storage account too long", "entra-wif:issuer", { storageAccountName: "a".repeat(25) }, /storageAccountName: "a{25}" is not valid/],
    ["storage account upper case", "entra-wif:issuer", { storageAccountName: "OidcAccount" }, /storageAccountName: "OidcAccount" is not valid/],
    ["container too short", "entra-wif:issuer", { containerName: "ab" }, /^entra-wif:issuer\.containerName: "ab" is not valid; a container name is 3-63/],
    ["container with double hyphen", "entra-wif:issuer", { containerName: "oidc--x" }, /containerName: "oidc--x" is not valid/],
    ["container $web", "entra-wif:issuer", { containerName: "$web" }, /\$web is the static website's container; use hosting: staticWebsite/],
    ["container with static website", "entra-wif:issuer", { hosting: "staticWebsite", containerName: "oidc" }, /^entra-wif:issuer\.containerName: "oidc" is not valid; staticWebsite hosting always serves from the \$web container/],
    ["issuer as a string", "entra-wif:issuer", "blob", /^entra-wif:issuer: "blob" is not valid; expected an object/],
    ["misspelt issuer field", "entra-wif:issuer", { hostng: "blob" }, /^entra-wif:issuer\.hostng: "blob" is not valid; "hostng" is not a known setting of entra-wif:issuer; did you mean "hosting"\?/],
    ["rsaBits 1024", "entra-wif:signingKey", { rsaBits: 1024 }, /^entra-wif:signingKey\.rsaBits: 1024 is not valid; use one of: 2048, 3072, 4096$/],
    ["rsaBits and publicKeys", "entra-wif:signingKey", { rsaBits: 2048, publicKeys: [k8s.rsaPublic()] }, /rsaBits sizes a generated key, and none is generated when publicKeys are given/],
    ["publicKeys as a string", "entra-wif:signingKey", { publicKeys: "-----BEGIN PUBLIC KEY-----" }, /^entra-wif:signingKey\.publicKeys: "-----BEGIN PUBLIC KEY-----" is not valid; expected a list of PEM public keys$/],
    ["a truncated PEM", "entra-wif:signingKey", { publicKeys: [k8s.rsaPublic().slice(0, 120)] }, /^entra-wif:signingKey\.publicKeys\[0\]: .* is not valid; expected an RSA or EC .*no END line/],
    ["garbage instead of a PEM", "entra-wif:signingKey", { publicKeys: ["hello"] }, /publicKeys\[0\]: "hello" is not valid; expected an RSA or EC .*no PEM block/],
    ["the same key twice", "entra-wif:signingKey", { publicKeys: [k8s.rsaPublic(), k8s.rsaPublic()] }, /publicKeys\[1\]: .* is already listed at entra-wif:signingKey\.publicKeys\[0\] \(kid JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU\)/],
    ["unknown cluster mode", "entra-wif:cluster", { mode: "minikube" }, /^entra-wif:cluster\.mode: "minikube" is not valid; use one of: kind, existing, aks$/],
    ["aks before it exists", "entra-wif:cluster", { mode: "aks" }, /^entra-wif:cluster\.mode: "aks" is not valid; aks mode is not available in this version/],
    ["unknown identity type", "entra-wif:identity", { type: "servicePrincipal" }, /^entra-wif:identity\.type: "servicePrincipal" is not valid; use one of: managedIdentity, application$/],
    ["workloads as an object", "entra-wif:workloads", { namespace: "demo" }, /^entra-wif:workloads: .* is not valid; expected a list/],
    ["namespace with upper case", "entra-wif:workloads", [{ namespace: "Demo", serviceAccount: "sa" }], /^entra-wif:workloads\[0\]\.namespace: "Demo" is not valid; a namespace is a DNS-1123 label/],
    ["namespace too long", "entra-wif:workloads", [{ namespace: "n".repeat(64), serviceAccount: "sa" }], /workloads\[0\]\.namespace: .* is not valid; a namespace is a DNS-1123 label/],
    ["service account with underscore", "entra-wif:workloads", [{ namespace: "demo", serviceAccount: "workload_sa" }], /^entra-wif:workloads\[0\]\.serviceAccount: "workload_sa" is not valid; a service account name is a DNS-1123 subdomain/],
    ["missing service account", "entra-wif:workloads", [{ namespace: "demo" }], /^entra-wif:workloads\[0\]\.serviceAccount: \(missing\) is not valid/],
    ["duplicate workload", "entra-wif:workloads", [{ namespace: "demo", serviceAccount: "sa" }, { namespace: "demo", serviceAccount: "sa" }], /^entra-wif:workloads\[1\]: .* is not valid; demo\/sa is already listed at entra-wif:workloads\[0\]/],
    ["misspelt workload field", "entra-wif:workloads", [{ namespace: "demo", serviceAcount: "sa" }], /workloads\[0\]\.serviceAcount: "sa" is not valid; .*did you mean "serviceAccount"\?/],
    ["misspelt top-level key", "entra-wif:workload", [], /^entra-wif:workload: \[\] is not valid; "workload" is not a known setting; did you mean "entra-wif:workloads"\?/],
    ["misspelt signingKey", "entra-wif:signingkey", { rsaBits: 2048 }, /did you mean "entra-wif:signingKey"\?/],
];

describe("invalid configurations fail with one message naming key, value and what is allowed", () => {
    test.each(invalid)("%s", (_what, key, value, message) => {
        const raw = value === undefined ? (() => { const b = base(); delete b[key]; return b; })() : withKey(key, value);
        let error: unknown;
        try {
            parseConfig(raw);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toMatch(message);
        expect((error as ConfigError).message).not.toContain("\n");
    });

    test("a private key given as a public key is refused without echoing it", () => {
        try {
            parseConfig(withKey("entra-wif:signingKey", { publicKeys: [k8s.rsaPrivate()] }));
            throw new Error("expected a ConfigError");
        } catch (err) {
            expect(err).toBeInstanceOf(ConfigError);
            const message = (err as ConfigError).message;
            expect(message).toMatch(/^entra-wif:signingKey\.publicKeys\[0\]: "\[a private key\]" is not valid; publicKeys takes public keys only/);
            expect(message).not.toContain("MII");
        }
    });
});

test("Pulumi.yaml declares every key with type, description and the same default the program applies", () => {
    const project = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { type: string; description: string; default: unknown }>;
    for (const [key, decl] of Object.entries(declared)) {
        expect(decl.type).toBeTruthy();
        expect(decl.description.length).toBeGreaterThan(20);
        expect(decl).toHaveProperty("default");
        if (key in DEFAULTS) expect(decl.default).toEqual((DEFAULTS as Record<string, unknown>)[key]);
    }
    expect(Object.keys(declared).sort()).toEqual(["cluster", "identities", "identity", "issuer", "resourceGroupName", "sample", "signingKey", "workloads"]);
});
