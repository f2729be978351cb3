import * as fs from "node:fs";
import { DOC_FILES, readDoc } from "../support/docs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, ConfigProblems, DEFAULT_SAMPLE_IMAGE, DEFAULTS, KNOWN_KEYS, parseStackConfig } from "../../lib/config";
import { dnsLabelFrom } from "../../lib/config/names";
import { loadStackFile, REPO_ROOT } from "../../tools/offline/stackFile";
import { joinedPattern } from "../support/patterns";
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
            demo: false,
            location: "westeurope",
            resourceGroupName: undefined,
            issuer: { hosting: "blob", storageAccountName: undefined, containerName: "oidc", verify: true, customUrl: undefined, sharedKeyAccess: false },
            signingKey: { rsaBits: 2048, publicKeys: [], keys: ["initial"] },
            cluster: { mode: "kind", name: "entra-wif-dev", nodeImage: undefined, existingNamespaces: [] },
            webhook: { enabled: true, version: "1.6.0", azureEnvironment: "AzurePublicCloud" },
            identities: [{ name: "id-entra-wif-dev", type: "managedIdentity", roles: [] }],
            workloads: [{ namespace: "demo", serviceAccount: "workload-sa", identity: "id-entra-wif-dev", roles: [], tokenExpiration: undefined }],
            sample: {
                enabled: true,
                workload: { namespace: "demo", serviceAccount: "workload-sa", identity: "id-entra-wif-dev", roles: [], tokenExpiration: undefined },
                secretName: "demo-secret",
                vaultName: undefined,
                image: DEFAULT_SAMPLE_IMAGE,
            },
        });
    });

    test("only a location: every default applies", () => {
        const c = parseConfig(base());
        expect(c.issuer).toEqual({
            hosting: "blob",
            storageAccountName: undefined,
            containerName: "oidc",
            verify: true,
            customUrl: undefined,
            sharedKeyAccess: false,
        });
        expect(c.signingKey).toEqual({ rsaBits: 2048, publicKeys: [], keys: ["initial"] });
    });

    test("static website, explicit account, existing group, bring-your-own keys", () => {
        const c = parseConfig({
            ...base(),
            "entra-wif:resourceGroupName": "rg-platform_prod(1)",
            "entra-wif:issuer": JSON.stringify({ hosting: "staticWebsite", storageAccountName: "oidcprod01" }),
            "entra-wif:signingKey": JSON.stringify({ publicKeys: [k8s.rsaPublic(), k8s.ecdsaPublic()] }),
            "entra-wif:cluster": JSON.stringify({ mode: "existing", context: "k0s-platform" }),
        });
        expect(c.resourceGroupName).toBe("rg-platform_prod(1)");
        expect(c.issuer).toEqual({
            hosting: "staticWebsite",
            storageAccountName: "oidcprod01",
            containerName: undefined,
            verify: true,
            customUrl: undefined,
            sharedKeyAccess: false,
        });
        expect(c.signingKey.publicKeys).toHaveLength(2);
    });

    test("rsaBits given as a numeric string (as `pulumi config set --path` stores it)", () => {
        expect(parseConfig(withKey("entra-wif:signingKey", { rsaBits: "4096" })).signingKey.rsaBits).toBe(4096);
    });

    test("issuer.writerObjectId: a GUID, and not beside sharedKeyAccess (no grant is made then)", () => {
        const id = "0b8f0c3e-1a2b-4c5d-8e9f-0123456789ab";
        expect(parseConfig(withKey("entra-wif:issuer", { writerObjectId: id })).issuer.writerObjectId).toBe(id);
        expect(() => parseConfig(withKey("entra-wif:issuer", { writerObjectId: "ci-deployer" }))).toThrow(
            /^entra-wif:issuer\.writerObjectId: "ci-deployer" is not valid; the object id \(a GUID\) of the service principal .* az ad sp show/,
        );
        expect(() => parseConfig(withKey("entra-wif:issuer", { writerObjectId: id, sharedKeyAccess: true }))).toThrow(/remove one of the two/);
    });

    test("issuer.sharedKeyAccess: true or false, nothing else", () => {
        expect(parseConfig(withKey("entra-wif:issuer", { sharedKeyAccess: true })).issuer.sharedKeyAccess).toBe(true);
        expect(() => parseConfig(withKey("entra-wif:issuer", { sharedKeyAccess: "yes" }))).toThrow(/entra-wif:issuer\.sharedKeyAccess: "yes"/);
    });

    test("keys of other namespaces are left alone", () => {
        expect(() => parseConfig({ ...base(), "azure-native:subscriptionId": "x", "kubernetes:context": "kind" })).not.toThrow();
    });
});

describe("identities, workloads and the sample", () => {
    const workloads = (n: number, extra: Record<string, unknown> = {}) =>
        Array.from({ length: n }, (_, i) => ({ namespace: "apps", serviceAccount: `sa-${i}`, ...extra }));

    test("one identity: its name defaults from project and stack, and every workload uses it", () => {
        const c = parseConfig({ ...base(), "entra-wif:workloads": JSON.stringify(workloads(2)) });
        expect(c.identities).toEqual([{ name: "id-entra-wif-dev", type: "managedIdentity", roles: [] }]);
        expect(c.workloads.map((w) => w.identity)).toEqual(["id-entra-wif-dev", "id-entra-wif-dev"]);
        expect(c.sample).toEqual({ enabled: false, workload: undefined, secretName: "demo-secret", vaultName: undefined, image: DEFAULT_SAMPLE_IMAGE });
    });

    test("the stack name is made valid for the default identity name", () => {
        expect(parseStackConfig(base(), { stack: "team.prod" }).identities[0].name).toBe("id-entra-wif-team-prod");
    });

    test("one named application identity with roles; a workload may name it (any case)", () => {
        const c = parseConfig({
            ...base(),
            "entra-wif:identity": JSON.stringify({ type: "application", name: "app-payments", roles: [{ role: "reader", scope: "subscription" }] }),
            "entra-wif:workloads": JSON.stringify([
                {
                    namespace: "pay",
                    serviceAccount: "api",
                    identity: "APP-payments",
                    roles: [{ role: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: "resourceGroup" }],
                },
            ]),
        });
        expect(c.identities).toEqual([
            { name: "app-payments", type: "application", roles: [{ role: "reader", roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: "subscription" }] },
        ]);
        expect(c.workloads[0]).toEqual({
            namespace: "pay",
            serviceAccount: "api",
            identity: "app-payments",
            roles: [{ role: "b24988ac-6180-42a0-ab88-20f7382dd24c", roleId: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: "resourceGroup" }],
            tokenExpiration: undefined,
        });
    });

    test("several identities: each workload names its own; the project default of identity does not count as a second definition", () => {
        const c = parseConfig({
            ...base(),
            "entra-wif:identity": JSON.stringify({ type: "managedIdentity" }),
            "entra-wif:identities": JSON.stringify([
                { name: "id-a", type: "managedIdentity" },
                { name: "id-b", type: "application" },
            ]),
            "entra-wif:workloads": JSON.stringify([
                { namespace: "x", serviceAccount: "one", identity: "id-a" },
                { namespace: "x", serviceAccount: "two", identity: "id-b" },
                { namespace: "y", serviceAccount: "three", identity: "id-a" },
            ]),
        });
        expect(c.identities.map((i) => `${i.name}:${i.type}`)).toEqual(["id-a:managedIdentity", "id-b:application"]);
        expect(c.workloads.map((w) => w.identity)).toEqual(["id-a", "id-b", "id-a"]);
    });

    test("exactly 20 workloads on one identity is allowed", () => {
        expect(parseConfig({ ...base(), "entra-wif:workloads": JSON.stringify(workloads(20)) }).workloads).toHaveLength(20);
    });

    test("the sample runs as the first workload unless one is named", () => {
        const raw = { ...base(), "entra-wif:workloads": JSON.stringify(workloads(3)) };
        expect(parseConfig({ ...raw, "entra-wif:sample": JSON.stringify({ enabled: true }) }).sample.workload).toMatchObject({
            namespace: "apps",
            serviceAccount: "sa-0",
        });
        const named = parseConfig({
            ...raw,
            "entra-wif:sample": JSON.stringify({ enabled: "true", workload: "apps/sa-2", secretName: "greeting", vaultName: "kv-demo-01" }),
        });
        expect(named.sample).toEqual({
            enabled: true,
            workload: expect.objectContaining({ namespace: "apps", serviceAccount: "sa-2" }),
            secretName: "greeting",
            vaultName: "kv-demo-01",
            image: DEFAULT_SAMPLE_IMAGE,
        });
    });

    test("sampleKeyVault is a valid scope when the sample is on", () => {
        const c = parseConfig({
            ...base(),
            "entra-wif:sample": JSON.stringify({ enabled: true }),
            "entra-wif:workloads": JSON.stringify([
                { namespace: "demo", serviceAccount: "sa", roles: [{ role: "Key Vault Secrets Officer", scope: "sampleKeyVault" }] },
            ]),
        });
        expect(c.workloads[0].roles).toEqual([{ role: "Key Vault Secrets Officer", roleId: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", scope: "sampleKeyVault" }]);
    });
});

describe("cluster and webhook", () => {
    const kubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: https://10.0.0.1:6443}",
        "contexts:",
        "- name: c",
        "  context: {cluster: c, user: u}",
        "users:",
        "- name: u",
        "  user: {token: abc}",
        "",
    ].join("\n");

    test("kind: the cluster name defaults from project and stack; a node image may be pinned", () => {
        expect(parseConfig(base()).cluster).toEqual({ mode: "kind", name: "entra-wif-dev", nodeImage: undefined, existingNamespaces: [] });
        const c = parseConfig(withKey("entra-wif:cluster", { mode: "kind", name: "wif-demo", nodeImage: "kindest/node:v1.33.1@sha256:" + "a".repeat(64) }));
        expect(c.cluster).toMatchObject({ name: "wif-demo", nodeImage: "kindest/node:v1.33.1@sha256:" + "a".repeat(64) });
    });

    test("existing: a secret kubeconfig, or a context of the ambient one, and namespaces that already exist", () => {
        const byKubeconfig = parseConfig({ ...base(), "entra-wif:cluster": JSON.stringify({ mode: "existing" }), "entra-wif:kubeconfig": kubeconfig });
        expect(byKubeconfig.cluster).toEqual({ mode: "existing", context: undefined, kubeconfig, distribution: "kubeadm", existingNamespaces: [] });
        const byContext = parseConfig(withKey("entra-wif:cluster", { mode: "existing", context: "minikube", existingNamespaces: ["apps", "payments"] }));
        expect(byContext.cluster).toEqual({
            mode: "existing",
            context: "minikube",
            kubeconfig: undefined,
            distribution: "kubeadm",
            existingNamespaces: ["apps", "payments"],
        });
        // The distribution the cluster runs, and the issuer it had when that was a custom one.
        const k3s = parseConfig(withKey("entra-wif:cluster", { mode: "existing", context: "lab", distribution: "k3s", previousIssuer: "https://k3s.lab/" }));
        expect(k3s.cluster).toMatchObject({ distribution: "k3s", previousIssuer: "https://k3s.lab/" });
        expect(() => parseConfig(withKey("entra-wif:cluster", { mode: "existing", context: "lab", distribution: "k3d" }))).toThrow(
            /entra-wif:cluster\.distribution: "k3d" is not valid; k3d runs k3s: cluster\.distribution k3s; use one of: kubeadm, minikube, k0s, k3s, rke2/,
        );
        expect(() => parseConfig(withKey("entra-wif:cluster", { mode: "kind", distribution: "k3s" }))).toThrow(
            /entra-wif:cluster\.distribution: "k3s" is not valid; distribution describes a cluster you run \(cluster\.mode existing\)/,
        );
    });

    test("the webhook: on by default with the pinned chart; off, or another cloud", () => {
        expect(parseConfig(base()).webhook).toEqual({ enabled: true, version: "1.6.0", azureEnvironment: "AzurePublicCloud" });
        expect(parseConfig(withKey("entra-wif:webhook", { enabled: false, azureEnvironment: "AzureUSGovernmentCloud" })).webhook).toEqual({
            enabled: false,
            version: "1.6.0",
            azureEnvironment: "AzureUSGovernmentCloud",
        });
    });

    test("token lifetimes from 1 h to 24 h, as numbers or numeric strings", () => {
        const c = parseConfig(
            withKey("entra-wif:workloads", [
                { namespace: "a", serviceAccount: "one", tokenExpiration: 3600 },
                { namespace: "a", serviceAccount: "two", tokenExpiration: "86400" },
            ]),
        );
        expect(c.workloads.map((w) => w.tokenExpiration)).toEqual([3600, 86400]);
    });

    test("a kubeconfig that is not one is refused without being echoed", () => {
        const raw = { ...base(), "entra-wif:cluster": JSON.stringify({ mode: "existing" }), "entra-wif:kubeconfig": "token: s3cr3t-token-value" };
        expect(() => parseConfig(raw)).toThrow(/^entra-wif:kubeconfig: "\[the kubeconfig\]" is not valid; expected a kubeconfig/);
        try {
            parseConfig(raw);
        } catch (err) {
            expect((err as Error).message).not.toContain("s3cr3t");
        }
    });

    test("kind mode with a kubeconfig set is refused, the kubeconfig not echoed", () => {
        expect(() => parseConfig({ ...base(), "entra-wif:kubeconfig": kubeconfig })).toThrow(
            /^entra-wif:kubeconfig: "\[the kubeconfig\]" is not valid; kind mode uses the kubeconfig of the cluster it creates/,
        );
    });
});

describe("aks mode", () => {
    test("creates a cluster named from the stack, a small system pool by default", () => {
        const c = parseConfig(withKey("entra-wif:cluster", { mode: "aks" }));
        expect(c.cluster.aks).toEqual({
            name: "aks-entra-wif-dev",
            existingResourceGroupName: undefined,
            create: true,
            kubernetesVersion: undefined,
            nodeSize: "Standard_D2s_v5",
            nodeCount: 1,
        });
    });

    test("size, count and version are configurable; or an existing cluster by group and name", () => {
        expect(
            parseConfig(withKey("entra-wif:cluster", { mode: "aks", kubernetesVersion: "1.33", nodeSize: "Standard_D4s_v5", nodeCount: "3" })).cluster.aks,
        ).toMatchObject({ kubernetesVersion: "1.33", nodeSize: "Standard_D4s_v5", nodeCount: 3, create: true });
        expect(
            parseConfig(withKey("entra-wif:cluster", { mode: "aks", name: "prod-aks", existingResourceGroupName: "rg-platform" })).cluster.aks,
        ).toMatchObject({ name: "prod-aks", existingResourceGroupName: "rg-platform", create: false });
    });

    test("Pulumi.yaml's defaults for the other modes' keys are not taken for settings", () => {
        const stack = loadStackFile(path.join(REPO_ROOT, "examples", "Pulumi.aks.yaml"));
        expect(parseStackConfig(stack.config, { stack: "aks" }).cluster.mode).toBe("aks");
    });
});

/** Makes a case hold exactly one problem where its value alone would bring a second, independent one. */
const EXISTING = { "entra-wif:cluster": { mode: "existing", context: "k" } };
const ONE_WORKLOAD = { "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }] };
const SAMPLE_ON = { "entra-wif:sample": { enabled: true } };

/** [what, key, value, expected message, other settings] — each message names the key, the value and what is allowed. */
const invalid: Array<[string, string, unknown, RegExp, Record<string, unknown>?]> = [
    ["missing location", "azure-native:location", undefined, /^azure-native:location: \(missing\) is not valid; set the Azure region/],
    ["location with spaces", "azure-native:location", "West Europe", /^azure-native:location: "West Europe" is not valid; expected an Azure region name/],
    [
        "resource group ending with a period",
        "entra-wif:resourceGroupName",
        "rg.",
        /^entra-wif:resourceGroupName: "rg\." is not valid; a resource group name is 1-90/,
    ],
    [
        "unknown hosting",
        "entra-wif:issuer",
        { hosting: "blobs" },
        /^entra-wif:issuer\.hosting: "blobs" is not valid; a public-read blob container is hosting "blob"; use one of: blob, staticWebsite$/,
    ],
    [
        "storage account with hyphens",
        "entra-wif:issuer",
        { storageAccountName: "my-oidc" },
        /^entra-wif:issuer\.storageAccountName: "my-oidc" is not valid; a storage account name is 3-24 lowercase letters and digits/,
    ],
    ["storage account too long", "entra-wif:issuer", { storageAccountName: "a".repeat(25) }, /storageAccountName: "a{25}" is not valid/],
    ["storage account upper case", "entra-wif:issuer", { storageAccountName: "OidcAccount" }, /storageAccountName: "OidcAccount" is not valid/],
    ["container too short", "entra-wif:issuer", { containerName: "ab" }, /^entra-wif:issuer\.containerName: "ab" is not valid; a container name is 3-63/],
    ["container with double hyphen", "entra-wif:issuer", { containerName: "oidc--x" }, /containerName: "oidc--x" is not valid/],
    ["container $web", "entra-wif:issuer", { containerName: "$web" }, /\$web is the static website's container; use hosting: staticWebsite/],
    [
        "container with static website",
        "entra-wif:issuer",
        { hosting: "staticWebsite", containerName: "oidc" },
        /^entra-wif:issuer\.containerName: "oidc" is not valid; staticWebsite hosting always serves from the \$web container/,
    ],
    ["issuer.verify not a boolean", "entra-wif:issuer", { verify: "yes" }, /^entra-wif:issuer\.verify: "yes" is not valid; use true or false$/],
    ["issuer as a string", "entra-wif:issuer", "blob", /^entra-wif:issuer: "blob" is not valid; expected an object/],
    [
        "misspelt issuer field",
        "entra-wif:issuer",
        { hostng: "blob" },
        /^entra-wif:issuer\.hostng: "blob" is not valid; "hostng" is not a known setting of entra-wif:issuer; did you mean "hosting"\?/,
    ],
    ["rsaBits 1024", "entra-wif:signingKey", { rsaBits: 1024 }, /^entra-wif:signingKey\.rsaBits: 1024 is not valid; use one of: 2048, 3072, 4096$/],
    [
        "rsaBits and publicKeys",
        "entra-wif:signingKey",
        { rsaBits: 2048, publicKeys: [k8s.rsaPublic()] },
        /rsaBits sizes a generated key, and none is generated when publicKeys are given/,
        EXISTING,
    ],
    [
        "publicKeys as a string",
        "entra-wif:signingKey",
        { publicKeys: "-----BEGIN PUBLIC KEY-----" },
        /^entra-wif:signingKey\.publicKeys: "-----BEGIN PUBLIC KEY-----" is not valid; expected a list of PEM public keys$/,
    ],
    [
        "a truncated PEM",
        "entra-wif:signingKey",
        { publicKeys: [k8s.rsaPublic().slice(0, 120)] },
        /^entra-wif:signingKey\.publicKeys\[0\]: .* is not valid; expected an RSA or EC .*no END line/,
    ],
    [
        "garbage instead of a PEM",
        "entra-wif:signingKey",
        { publicKeys: ["hello"] },
        /publicKeys\[0\]: "hello" is not valid; expected an RSA or EC .*no PEM block/,
    ],
    [
        "the same key twice",
        "entra-wif:signingKey",
        { publicKeys: [k8s.rsaPublic(), k8s.rsaPublic()] },
        /publicKeys\[1\]: .* is already listed at entra-wif:signingKey\.publicKeys\[0\] \(kid JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU\)/,
        EXISTING,
    ],
    [
        "unknown cluster mode",
        "entra-wif:cluster",
        { mode: "minikube" },
        joinedPattern(
            /^entra-wif:cluster\.mode: "minikube" is not valid; minikube is a cluster you run: set cluster\.mode existing /,
            /.*the minikube snippet of `pulumi stack output clusterSnippets`.*; use one of: kind, existing, aks$/,
        ),
    ],
    [
        "unknown identity type",
        "entra-wif:identity",
        { type: "servicePrincipal" },
        joinedPattern(
            /^entra-wif:identity\.type: "servicePrincipal" is not valid; /,
            /an app registration \(with its service principal\) is type "application"; use one of: managedIdentity, application$/,
        ),
    ],
    ["workloads as an object", "entra-wif:workloads", { namespace: "demo" }, /^entra-wif:workloads: .* is not valid; expected a list/],
    [
        "namespace with upper case",
        "entra-wif:workloads",
        [{ namespace: "Demo", serviceAccount: "sa" }],
        /^entra-wif:workloads\[0\]\.namespace: "Demo" is not valid; a namespace is a DNS-1123 label/,
    ],
    [
        "namespace too long",
        "entra-wif:workloads",
        [{ namespace: "n".repeat(64), serviceAccount: "sa" }],
        /workloads\[0\]\.namespace: .* is not valid; a namespace is a DNS-1123 label/,
    ],
    [
        "service account with underscore",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "workload_sa" }],
        /^entra-wif:workloads\[0\]\.serviceAccount: "workload_sa" is not valid; a service account name is a DNS-1123 subdomain/,
    ],
    ["missing service account", "entra-wif:workloads", [{ namespace: "demo" }], /^entra-wif:workloads\[0\]\.serviceAccount: \(missing\) is not valid/],
    [
        "duplicate workload",
        "entra-wif:workloads",
        [
            { namespace: "demo", serviceAccount: "sa" },
            { namespace: "demo", serviceAccount: "sa" },
        ],
        /^entra-wif:workloads\[1\]: .* is not valid; demo\/sa is already listed at entra-wif:workloads\[0\]/,
    ],
    [
        "misspelt workload field",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAcount: "sa" }],
        /workloads\[0\]\.serviceAcount: "sa" is not valid; .*did you mean "serviceAccount"\?/,
    ],
    [
        "misspelt top-level key",
        "entra-wif:workload",
        [],
        /^entra-wif:workload: \[\] is not valid; "workload" is not a known setting; did you mean "entra-wif:workloads"\?/,
    ],
    ["misspelt signingKey", "entra-wif:signingkey", { rsaBits: 2048 }, /did you mean "entra-wif:signingKey"\?/],
    [
        "21 workloads on one identity",
        "entra-wif:workloads",
        Array.from({ length: 21 }, (_, i) => ({ namespace: "apps", serviceAccount: `sa-${i}` })),
        joinedPattern(
            /^entra-wif:workloads: "21 workloads on identity id-entra-wif-dev" is not valid; /,
            /Entra ID allows at most 20 federated credentials per identity; add a second identity under entra-wif:identities/,
        ),
    ],
    [
        "unknown role name",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "sa", roles: [{ role: "Key Vault Secret User", scope: "sampleKeyVault" }] }],
        joinedPattern(
            /^entra-wif:workloads\[0\]\.roles\[0\]\.role: "Key Vault Secret User" is not valid; /,
            /unknown role; use a role definition GUID or one of: Reader, Contributor, Key Vault Secrets User/,
        ),
        SAMPLE_ON,
    ],
    [
        "a Cosmos DB data-plane role",
        "entra-wif:identity",
        { roles: [{ role: "Cosmos DB Built-in Data Contributor", scope: "resourceGroup" }] },
        joinedPattern(
            /^entra-wif:identity\.roles\[0\]\.role: "Cosmos DB Built-in Data Contributor" is not valid; /,
            /Cosmos DB Built-in Data Contributor is a Cosmos DB SQL role .* not with Azure RBAC$/,
        ),
    ],
    [
        "a scope that is neither keyword nor ARM id",
        "entra-wif:identity",
        { roles: [{ role: "Reader", scope: "rg-app" }] },
        /^entra-wif:identity\.roles\[0\]\.scope: "rg-app" is not valid; use subscription, resourceGroup, sampleKeyVault or a full ARM id/,
    ],
    [
        "a role without a scope",
        "entra-wif:identity",
        { roles: [{ role: "Reader" }] },
        /^entra-wif:identity\.roles\[0\]\.scope: \(missing\) is not valid; expected subscription, resourceGroup, sampleKeyVault or a full ARM id$/,
    ],
    [
        "sampleKeyVault with the sample off",
        "entra-wif:identity",
        { roles: [{ role: "Reader", scope: "sampleKeyVault" }] },
        /^entra-wif:identity\.roles\[0\]\.scope: "sampleKeyVault" is not valid; the sample Key Vault exists only with entra-wif:sample\.enabled true/,
    ],
    [
        "roles as a single object",
        "entra-wif:identity",
        { roles: { role: "Reader", scope: "subscription" } },
        /^entra-wif:identity\.roles: .* is not valid; expected a list of \{role, scope\}/,
    ],
    [
        "misspelt role field",
        "entra-wif:identity",
        { roles: [{ role: "Reader", scpoe: "subscription" }] },
        /^entra-wif:identity\.roles\[0\]\.scpoe: "subscription" is not valid; .*did you mean "scope"\?/,
    ],
    [
        "identity name with a space",
        "entra-wif:identity",
        { name: "my identity" },
        /^entra-wif:identity\.name: "my identity" is not valid; an identity name is 3-128 letters, digits, hyphens and underscores/,
    ],
    ["identities as an object", "entra-wif:identities", { name: "id-a" }, /^entra-wif:identities: .* is not valid; expected a list of \{name, type\}/],
    [
        "an identity without a name",
        "entra-wif:identities",
        [{ type: "managedIdentity" }],
        /^entra-wif:identities\[0\]\.name: \(missing\) is not valid; each identity in the list needs a name/,
    ],
    [
        "an identity without a type",
        "entra-wif:identities",
        [{ name: "id-a" }],
        /^entra-wif:identities\[0\]\.type: \(missing\) is not valid; use one of: managedIdentity, application$/,
    ],
    [
        "two identities named alike",
        "entra-wif:identities",
        [
            { name: "id-a", type: "managedIdentity" },
            { name: "ID-A", type: "application" },
        ],
        /^entra-wif:identities\[1\]\.name: "ID-A" is not valid; the name is already used by entra-wif:identities\[0\]/,
    ],
    [
        "a workload naming an unknown identity",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "sa", identity: "id-other" }],
        /^entra-wif:workloads\[0\]\.identity: "id-other" is not valid; there is one identity, id-entra-wif-dev; list several under entra-wif:identities/,
    ],
    ["sample.enabled not a boolean", "entra-wif:sample", { enabled: "yes" }, /^entra-wif:sample\.enabled: "yes" is not valid; use true or false$/],
    ["sample settings while it is off", "entra-wif:sample", { secretName: "x" }, /^entra-wif:sample\.secretName: "x" is not valid; the sample is off/],
    [
        "sample without workloads",
        "entra-wif:sample",
        { enabled: true },
        /^entra-wif:workloads: \[\] is not valid; the sample \(entra-wif:sample\.enabled\) runs as a workload/,
    ],
    [
        "Key Vault name too long",
        "entra-wif:sample",
        { enabled: true, vaultName: "kv-" + "x".repeat(22) },
        /^entra-wif:sample\.vaultName: "kv-x+" is not valid; a Key Vault name is 3-24/,
        ONE_WORKLOAD,
    ],
    [
        "Key Vault name with a double hyphen",
        "entra-wif:sample",
        { enabled: true, vaultName: "kv--demo" },
        /^entra-wif:sample\.vaultName: "kv--demo" is not valid/,
        ONE_WORKLOAD,
    ],
    [
        "Key Vault name starting with a digit",
        "entra-wif:sample",
        { enabled: true, vaultName: "1kv-demo" },
        /^entra-wif:sample\.vaultName: "1kv-demo" is not valid/,
        ONE_WORKLOAD,
    ],
    [
        "secret name with an underscore",
        "entra-wif:sample",
        { enabled: true, secretName: "demo_secret" },
        /^entra-wif:sample\.secretName: "demo_secret" is not valid; a Key Vault secret name is 1-127 letters, digits and hyphens$/,
        ONE_WORKLOAD,
    ],
    ["misspelt sample field", "entra-wif:sample", { enable: true }, /^entra-wif:sample\.enable: true is not valid; .*did you mean "enabled"\?/],
    [
        "an existing cluster without a kubeconfig",
        "entra-wif:cluster",
        { mode: "existing" },
        joinedPattern(
            /^entra-wif:kubeconfig: \(missing\) is not valid; /,
            /an existing cluster needs its kubeconfig: `pulumi config set --secret kubeconfig -- .*or cluster\.context/,
        ),
    ],
    [
        "bring-your-own keys on a kind cluster the stack creates",
        "entra-wif:signingKey",
        { publicKeys: [k8s.rsaPublic()] },
        /^entra-wif:signingKey\.publicKeys: "\[public keys\]" is not valid; a kind cluster the stack creates signs with the stack's own key/,
    ],
    [
        "a context in kind mode",
        "entra-wif:cluster",
        { mode: "kind", context: "minikube" },
        /^entra-wif:cluster\.context: "minikube" is not valid; kind mode uses the kubeconfig of the cluster it creates/,
    ],
    [
        "a kind name on an existing cluster",
        "entra-wif:cluster",
        { mode: "existing", context: "k", name: "x" },
        /^entra-wif:cluster\.name: "x" is not valid; name configures the kind cluster the stack creates/,
    ],
    [
        "a kind cluster name with upper case",
        "entra-wif:cluster",
        { name: "Demo" },
        /^entra-wif:cluster\.name: "Demo" is not valid; a kind cluster name is at most 50 lowercase letters/,
    ],
    [
        "a node image with a scheme",
        "entra-wif:cluster",
        { nodeImage: "https://kindest/node" },
        /^entra-wif:cluster\.nodeImage: "https:\/\/kindest\/node" is not valid; expected an image reference/,
    ],
    [
        "existing namespaces as a string",
        "entra-wif:cluster",
        { mode: "existing", context: "k", existingNamespaces: "apps" },
        joinedPattern(
            /^entra-wif:cluster\.existingNamespaces: "apps" is not valid; expected a list of names: /,
            /pulumi config set --path 'cluster\.existingNamespaces\[0\]' <name>$/,
        ),
    ],
    [
        "an existing namespace breaking DNS-1123",
        "entra-wif:cluster",
        { mode: "existing", context: "k", existingNamespaces: ["Apps"] },
        /^entra-wif:cluster\.existingNamespaces\[0\]: "Apps" is not valid; a namespace is a DNS-1123 label/,
    ],
    [
        "misspelt cluster field",
        "entra-wif:cluster",
        { mode: "existing", contxt: "k" },
        /^entra-wif:cluster\.contxt: "k" is not valid; .*did you mean "context"\?/,
    ],
    [
        "a chart version that is not one",
        "entra-wif:webhook",
        { version: "latest" },
        /^entra-wif:webhook\.version: "latest" is not valid; expected a chart version such as 1\.6\.0$/,
    ],
    [
        "an unknown cloud",
        "entra-wif:webhook",
        { azureEnvironment: "AzureGermanCloud" },
        joinedPattern(
            /^entra-wif:webhook\.azureEnvironment: "AzureGermanCloud" is not valid; Azure Germany was closed in 2021.*; /,
            /use one of: AzurePublicCloud, AzureUSGovernmentCloud, AzureChinaCloud$/,
        ),
    ],
    ["webhook.enabled not a boolean", "entra-wif:webhook", { enabled: "no" }, /^entra-wif:webhook\.enabled: "no" is not valid; use true or false$/],
    [
        "a chart version with the webhook off",
        "entra-wif:webhook",
        { enabled: false, version: "1.5.1" },
        /^entra-wif:webhook\.version: "1\.5\.1" is not valid; the webhook is off/,
    ],
    [
        "a token lifetime under an hour",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "sa", tokenExpiration: 600 }],
        /^entra-wif:workloads\[0\]\.tokenExpiration: 600 is not valid; expected whole seconds from 3600 \(1 hour\) to 86400 \(24 hours\)$/,
    ],
    [
        "a token lifetime over a day",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "sa", tokenExpiration: 86401 }],
        /tokenExpiration: 86401 is not valid; expected whole seconds from 3600/,
    ],
    [
        "a token lifetime as a duration",
        "entra-wif:workloads",
        [{ namespace: "demo", serviceAccount: "sa", tokenExpiration: "1h" }],
        /tokenExpiration: "1h" is not valid/,
    ],
    [
        "an AKS setting in kind mode",
        "entra-wif:cluster",
        { nodeSize: "Standard_D2s_v5" },
        /^entra-wif:cluster\.nodeSize: "Standard_D2s_v5" is not valid; nodeSize configures an AKS cluster \(cluster\.mode aks\)$/,
    ],
    [
        "an AKS name with a dot",
        "entra-wif:cluster",
        { mode: "aks", name: "prod.aks" },
        /^entra-wif:cluster\.name: "prod\.aks" is not valid; an AKS cluster name is 1-63/,
    ],
    [
        "a node count of zero",
        "entra-wif:cluster",
        { mode: "aks", nodeCount: 0 },
        /^entra-wif:cluster\.nodeCount: 0 is not valid; expected a whole number of nodes from 1 to 100$/,
    ],
    [
        "a VM size without its family prefix",
        "entra-wif:cluster",
        { mode: "aks", nodeSize: "D2s_v5" },
        /^entra-wif:cluster\.nodeSize: "D2s_v5" is not valid; expected an Azure VM size such as Standard_D2s_v5$/,
    ],
    [
        "a Kubernetes version with a v",
        "entra-wif:cluster",
        { mode: "aks", kubernetesVersion: "v1.33" },
        /^entra-wif:cluster\.kubernetesVersion: "v1\.33" is not valid; expected a Kubernetes version such as 1\.33/,
    ],
    [
        "sizing an existing AKS cluster",
        "entra-wif:cluster",
        { mode: "aks", existingResourceGroupName: "rg-x", name: "aks-x", nodeCount: 3 },
        /^entra-wif:cluster\.nodeCount: 3 is not valid; an existing AKS cluster \(existingResourceGroupName\) is used as it is/,
    ],
    [
        "a kind node image in aks mode",
        "entra-wif:cluster",
        { mode: "aks", nodeImage: "kindest/node:v1.33.1" },
        /^entra-wif:cluster\.nodeImage: "kindest\/node:v1\.33\.1" is not valid; nodeImage is for kind clusters/,
    ],
    [
        "a sample image with spaces",
        "entra-wif:sample",
        { enabled: true, image: "msal go" },
        /^entra-wif:sample\.image: "msal go" is not valid; expected an image reference/,
        ONE_WORKLOAD,
    ],
];

describe("invalid configurations fail with one message naming key, value and what is allowed", () => {
    test.each(invalid)("%s", (_what, key, value, message, extra = {}) => {
        const others = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)]));
        const raw =
            value === undefined
                ? (() => {
                      const b = { ...base(), ...others };
                      delete b[key];
                      return b;
                  })()
                : { ...others, ...withKey(key, value) };
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

    test.each<[string, Record<string, unknown>, RegExp]>([
        [
            "identity and identities together",
            { "entra-wif:identity": { type: "application" }, "entra-wif:identities": [{ name: "id-a", type: "managedIdentity" }] },
            joinedPattern(
                /^entra-wif:identity: \{"type":"application"\} is not valid; /,
                /entra-wif:identities already lists the identities; move type into that list and remove entra-wif:identity$/,
            ),
        ],
        [
            "a workload without identity among several",
            {
                "entra-wif:identities": [
                    { name: "id-a", type: "managedIdentity" },
                    { name: "id-b", type: "managedIdentity" },
                ],
                "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }],
            },
            /^entra-wif:workloads\[0\]\.identity: \(missing\) is not valid; with several identities each workload names its own: one of id-a, id-b$/,
        ],
        [
            "a workload naming an identity not in the list",
            {
                "entra-wif:identities": [{ name: "id-a", type: "managedIdentity" }],
                "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa", identity: "id-b" }],
            },
            /^entra-wif:workloads\[0\]\.identity: "id-b" is not valid; name one of the identities in entra-wif:identities: id-a$/,
        ],
        [
            "21 workloads on one of two identities",
            {
                "entra-wif:identities": [
                    { name: "id-a", type: "managedIdentity" },
                    { name: "id-b", type: "application" },
                ],
                "entra-wif:workloads": Array.from({ length: 22 }, (_, i) => ({
                    namespace: "apps",
                    serviceAccount: `sa-${i}`,
                    identity: i === 0 ? "id-a" : "id-b",
                })),
            },
            /^entra-wif:workloads: "21 workloads on identity id-b" is not valid; Entra ID allows at most 20/,
        ],
        [
            "storage issuer settings in aks mode",
            { "entra-wif:cluster": { mode: "aks" }, "entra-wif:issuer": { hosting: "staticWebsite" } },
            joinedPattern(
                /^entra-wif:issuer: \{"hosting":"staticWebsite"\} is not valid; /,
                /AKS hosts its own OIDC issuer, signing keys and webhook: no storage issuer is built in aks mode; remove entra-wif:issuer$/,
            ),
        ],
        [
            "signing keys in aks mode",
            { "entra-wif:cluster": { mode: "aks" }, "entra-wif:signingKey": { keys: ["2027-02"] } },
            joinedPattern(
                /^entra-wif:signingKey: \{"keys":\["2027-02"\]\} is not valid; /,
                /AKS hosts its own OIDC issuer, signing keys and webhook: AKS signs tokens with its own keys/,
            ),
        ],
        [
            "a webhook version in aks mode",
            { "entra-wif:cluster": { mode: "aks" }, "entra-wif:webhook": { enabled: true, version: "1.5.1", azureEnvironment: "AzurePublicCloud" } },
            /^entra-wif:webhook: .* is not valid; AKS hosts its own OIDC issuer, signing keys and webhook: AKS runs the workload identity webhook itself/,
        ],
        [
            "the sample naming an unlisted workload",
            {
                "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }],
                "entra-wif:sample": { enabled: true, workload: "demo/other" },
            },
            /^entra-wif:sample\.workload: "demo\/other" is not valid; name a listed workload as <namespace>\/<serviceAccount>: demo\/sa$/,
        ],
    ])("%s", (_what, values, message) => {
        const raw = base();
        for (const [k, v] of Object.entries(values)) raw[k] = JSON.stringify(v);
        expect(() => parseConfig(raw)).toThrow(ConfigError);
        expect(() => parseConfig(raw)).toThrow(message);
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
    expect(Object.keys(declared).sort()).toEqual([
        "cluster",
        "demo",
        "identities",
        "identity",
        "issuer",
        "kubeconfig",
        "resourceGroupName",
        "sample",
        "signingKey",
        "webhook",
        "workloads",
    ]);
});

test("the keys the program accepts are exactly the keys Pulumi.yaml declares, and each field is described", () => {
    const project = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { description: string }>;
    expect(Object.keys(declared).sort()).toEqual(Object.keys(KNOWN_KEYS).sort());
    for (const [key, fields] of Object.entries(KNOWN_KEYS)) {
        for (const field of fields ?? []) {
            // Each field named as a word in its key's description, so `pulumi config` users find it.
            expect([key, field, new RegExp(`\\b${field}\\b`).test(declared[key].description)]).toEqual([key, field, true]);
        }
    }
});

describe("every problem in one run", () => {
    const problemsOf = (raw: Record<string, string>): string[] => {
        try {
            parseConfig(raw);
        } catch (err) {
            return (err as Error).message.split("\n");
        }
        return [];
    };
    const encode = (config: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

    test("switching a kind stack to aks names every setting to remove at once, one line each, in key order", () => {
        const lines = problemsOf(
            encode({
                "azure-native:location": "westeurope",
                "entra-wif:cluster": { mode: "aks" },
                "entra-wif:issuer": { hosting: "blob", containerName: "oidc", verify: false },
                "entra-wif:signingKey": { rsaBits: 4096 },
            }),
        );
        expect(lines.map((l) => l.slice(0, l.indexOf(": ")))).toEqual(["entra-wif:issuer", "entra-wif:signingKey"]);
        for (const line of lines) expect(line).toMatch(/ is not valid; AKS hosts its own OIDC issuer/);
    });

    test("problems in different sections and list items are all reported, sorted by key", () => {
        let error: unknown;
        try {
            parseConfig(
                encode({
                    "entra-wif:workloads": [
                        { namespace: "Demo", serviceAccount: "a" },
                        { namespace: "demo", serviceAccount: "b", tokenExpiration: 1 },
                    ],
                    "entra-wif:issuer": { storageAccountName: "Bad-Name" },
                }),
            );
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigProblems);
        expect((error as ConfigProblems).problems.map((p) => p.key)).toEqual([
            "azure-native:location",
            "entra-wif:issuer.storageAccountName",
            "entra-wif:workloads[0].namespace",
            "entra-wif:workloads[1].tokenExpiration",
        ]);
        expect((error as Error).name).toBe("ConfigError");
    });

    test.each<[string, Record<string, unknown>, string]>([
        [
            "a misspelt workload field is not also a missing one",
            { "entra-wif:workloads": [{ namespace: "demo", serviceAcount: "sa" }] },
            "entra-wif:workloads[0].serviceAcount",
        ],
        [
            "a misspelt role field is not also a missing scope",
            { "entra-wif:identity": { roles: [{ role: "Reader", scpoe: "subscription" }] } },
            "entra-wif:identity.roles[0].scpoe",
        ],
        ["a misspelt context is not also a missing kubeconfig", { "entra-wif:cluster": { mode: "existing", contxt: "k" } }, "entra-wif:cluster.contxt"],
        [
            "an unknown mode is not followed by the other modes' rules",
            { "entra-wif:cluster": { mode: "minikube", context: "minikube" } },
            "entra-wif:cluster.mode",
        ],
        [
            "a misspelt enabled does not make the sample's settings 'off'",
            { "entra-wif:sample": { enable: true, vaultName: "kv-demo" } },
            "entra-wif:sample.enable",
        ],
        [
            "a misspelt workloads key is not also 'no workloads' for the sample",
            { "entra-wif:workload": [{ namespace: "demo", serviceAccount: "sa" }], "entra-wif:workloads": [], "entra-wif:sample": { enabled: true } },
            "entra-wif:workload",
        ],
        [
            "workloads that are not a list are not also 'no workloads' for the sample",
            { "entra-wif:workloads": { namespace: "demo" }, "entra-wif:sample": { enabled: true } },
            "entra-wif:workloads",
        ],
        [
            "a bad identity is still the one its workloads name",
            {
                "entra-wif:identities": [{ name: "id a", type: "managedIdentity" }],
                "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa", identity: "id a" }],
            },
            "entra-wif:identities[0].name",
        ],
    ])("no consequence is reported as a second problem: %s", (_what, config, key) => {
        const lines = problemsOf({ ...base(), ...encode(config) });
        expect(lines).toHaveLength(1);
        expect(lines[0].startsWith(`${key}: `)).toBe(true);
    });
});

describe("near misses say what was meant", () => {
    test.each<[string, string, unknown, RegExp]>([
        [
            "minikube",
            "entra-wif:cluster",
            { mode: "minikube" },
            /minikube is a cluster you run: set cluster\.mode existing .*the minikube snippet of `pulumi stack output clusterSnippets`/,
        ],
        ["k0s", "entra-wif:cluster", { mode: "k0s" }, /k0s is a cluster you run: .*the k0s snippet/],
        ["kubeadm", "entra-wif:cluster", { mode: "kubeadm" }, /kubeadm is a cluster you run: .*the kubeadm snippet/],
        ["k3s", "entra-wif:cluster", { mode: "k3s" }, /k3s is a cluster you run: set cluster\.mode existing and cluster\.distribution k3s .*the k3s snippet/],
        ["arc", "entra-wif:cluster", { mode: "arc" }, /an Arc-connected cluster is a cluster you run: set cluster\.mode existing/],
        ["docker-desktop", "entra-wif:cluster", { mode: "docker-desktop" }, /docker-desktop|dockerdesktop is a cluster you run/],
        ["AKS in capitals", "entra-wif:cluster", { mode: "AKS" }, /did you mean "aks"\? use one of: kind, existing, aks$/],
        ["userAssigned", "entra-wif:identity", { type: "userAssigned" }, /a user-assigned managed identity is type "managedIdentity"/],
        ["managed-identity", "entra-wif:identity", { type: "managed-identity" }, /did you mean "managedIdentity"\?/],
        ["systemAssigned", "entra-wif:identity", { type: "SystemAssigned" }, /a system-assigned identity belongs to one Azure resource and cannot federate/],
        ["servicePrincipal", "entra-wif:identity", { type: "servicePrincipal" }, /an app registration \(with its service principal\) is type "application"/],
        ["staticwebsite", "entra-wif:issuer", { hosting: "staticwebsite" }, /did you mean "staticWebsite"\? use one of: blob, staticWebsite$/],
        ["static", "entra-wif:issuer", { hosting: "static" }, /static website \(\$web\) is hosting "staticWebsite"/],
        [
            "AzureCloud (the Azure CLI's name)",
            "entra-wif:webhook",
            { azureEnvironment: "AzureCloud" },
            /the Azure CLI calls the public cloud AzureCloud; the webhook calls it "AzurePublicCloud"/,
        ],
        ["AzureUSGovernment (the Azure CLI's name)", "entra-wif:webhook", { azureEnvironment: "AzureUSGovernment" }, /"AzureUSGovernmentCloud"/],
    ])("%s", (_what, key, value, hint) => {
        const lines = (() => {
            try {
                parseConfig(withKey(key, value));
            } catch (err) {
                return (err as Error).message.split("\n");
            }
            return [];
        })();
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
            /^[\w-]+:[\w.[\]]+: .+ is not valid; .+; use one of: .+$|^[\w-]+:[\w.[\]]+: .+ is not valid; did you mean ".+"\? use one of: .+$/,
        );
        expect(lines[0]).toMatch(hint);
    });

    test("a word far from every allowed one gets the list alone", () => {
        expect(() => parseConfig(withKey("entra-wif:issuer", { hosting: "ftp" }))).toThrow(
            /^entra-wif:issuer\.hosting: "ftp" is not valid; use one of: blob, staticWebsite$/,
        );
    });
});

test("the documentation's configuration table names every key and field the program accepts", () => {
    const readme = readDoc(DOC_FILES.configuration);
    const rows = readme.split("\n").filter((l) => l.startsWith("| `entra-wif:"));
    for (const [key, fields] of Object.entries(KNOWN_KEYS)) {
        const ofKey = rows.filter((r) => r.startsWith(`| \`entra-wif:${key}`));
        expect([key, ofKey.length > 0]).toEqual([key, true]);
        for (const field of fields ?? []) {
            // A row of its own (`entra-wif:issuer.customUrl`, `.../ nodeCount`), or named in the list's row ({namespace, ...}).
            const named = ofKey.some((r) => r.includes(`entra-wif:${key}.${field}\``) || new RegExp(`[{,/]\\s*\`?${field}\\b`).test(r));
            expect([key, field, named]).toEqual([key, field, true]);
        }
    }
});

test("entra-wif:demo: true or false, as the CLI stores it; anything else names the command that sets it", () => {
    expect(parseConfig(withKey("entra-wif:demo", "true")).demo).toBe(true);
    expect(parseConfig(withKey("entra-wif:demo", "false")).demo).toBe(false);
    expect(parseConfig(base()).demo).toBe(false);
    expect(() => parseConfig(withKey("entra-wif:demo", "yes"))).toThrow(
        'entra-wif:demo: "yes" is not valid; use true or false: ' +
            "pulumi config set entra-wif:demo true (a demo stack the nightly destroy may tear down) or false",
    );
});

test("aks mode: Pulumi.yaml's defaults as the CLI hands them over (object keys sorted) are not settings the user made", () => {
    // `pulumi up` passes {"containerName":"oidc","hosting":"blob","sharedKeyAccess":false,"verify":true}, not Pulumi.yaml's key order.
    const config = {
        ...withKey("entra-wif:cluster", { mode: "aks" }),
        "entra-wif:issuer": '{"containerName":"oidc","hosting":"blob","sharedKeyAccess":false,"verify":true}',
        "entra-wif:signingKey": '{"publicKeys":[],"rsaBits":2048}',
        "entra-wif:webhook": '{"azureEnvironment":"AzurePublicCloud","enabled":true,"version":"1.6.0"}',
    };
    expect(parseConfig(config).cluster.mode).toBe("aks");
    expect(() => parseConfig({ ...config, "entra-wif:issuer": '{"containerName":"oidc2","hosting":"blob","sharedKeyAccess":false,"verify":true}' })).toThrow(
        /entra-wif:issuer: .* AKS hosts its own OIDC issuer/,
    );
});

describe("refusals that say how to fix them (a first hour with an existing cluster)", () => {
    test("a flat key that `pulumi config set` without --path stores: the nested form, and the command that writes it", () => {
        expect(() => parseConfig({ ...base(), "entra-wif:cluster.mode": "existing" })).toThrow(
            'entra-wif:cluster.mode: "existing" is not valid; a flat key: `pulumi config set` without --path stored "cluster.mode" as one name; ' +
                "set mode inside cluster instead: pulumi config rm 'cluster.mode' && pulumi config set --path 'cluster.mode' \"existing\" " +
                "(or nest it under entra-wif:cluster in the stack file)",
        );
        // A key that is no field of its section is still an unknown setting.
        expect(() => parseConfig({ ...base(), "entra-wif:cluster.flavour": "x" })).toThrow(/"cluster\.flavour" is not a known setting/);
    });

    test("a PEM file's path where the key belongs: the `$(cat …)` line that sets its content", () => {
        expect(() => parseConfig(withKey("entra-wif:signingKey", { publicKeys: ["/etc/kubernetes/pki/sa.pub"] }))).toThrow(
            "that is a file's path, and the config holds the key itself: " +
                "pulumi config set --path 'signingKey.publicKeys[0]' -- \"$(cat /etc/kubernetes/pki/sa.pub)\"",
        );
        // Text that is not a path gets the format error alone.
        expect(() => parseConfig(withKey("entra-wif:signingKey", { publicKeys: ["not a key"] }))).toThrow(/no PEM block found[^;]*$/);
    });

    test.each([
        ["Payments_Prod", "payments-prod"],
        ["team.alpha", "team-alpha"],
        ["--Demo--", "demo"],
        ["n".repeat(70), "n".repeat(63)],
    ])("an invalid namespace %s gets a valid suggestion: %s", (name, suggestion) => {
        expect(() => parseConfig(withKey("entra-wif:workloads", [{ namespace: name, serviceAccount: "api" }]))).toThrow(`; e.g. ${suggestion}`);
        expect(dnsLabelFrom(name)).toBe(suggestion);
    });

    test("a name with nothing of a label in it gets the rule alone", () => {
        expect(dnsLabelFrom("___")).toBeUndefined();
    });
});
