/**
 * The whole program under realistic mocks: what it sends to Azure for each hosting mode and key mode.
 */
import { keyId, parsePublicKey } from "../../lib/trust/keys";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { VERIFY_COMMAND } from "../../lib/doctor/gate";
import { Plan } from "../../tools/offline/harness";
import { AzureMocks, MOCK_AZURE } from "../../tools/offline/mocks";
import { roleAssignmentName } from "../../lib/entra/roles";
import { byName, discoveryText, jwksText, runProgram, runStackFile } from "../support/program";
import { k8s, vector } from "../support/vectors";

const LOCATION = { "azure-native:location": "westeurope" };
// The cluster's own keys only make sense for a cluster the stack does not create.
const byo = {
    "entra-wif:signingKey": { publicKeys: [k8s.rsaPublic(), k8s.ecdsaPublic()] },
    "entra-wif:cluster": { mode: "existing", context: "k0s-platform" },
};
const staticWebsite = { "entra-wif:issuer": { hosting: "staticWebsite" } };

/** The URN of one of the program's components in the test stack. */
const componentUrn = (type: string, name: string) => `urn:pulumi:test::entra-wif::entra-wif:index:${type}::${name}`;
const COMPONENT = componentUrn("OidcIssuer", "issuer");
const KEY_COMPONENT = componentUrn("SigningKey", "signing-key");

function expectDocumentsConsistent(plan: Plan): void {
    const doc = JSON.parse(discoveryText(plan));
    // One issuer string end to end: output, discovery document, apiserver flag.
    expect(doc.issuer).toBe(plan.outputs.issuerUrl);
    expect(doc.jwks_uri).toBe(plan.outputs.jwksUrl);
    expect(discoveryText(plan)).toBe(plan.outputs.discoveryDocument);
    expect(jwksText(plan)).toBe(plan.outputs.jwks);
    expect((plan.outputs.kubeApiServerFlags as string[])[0]).toBe(`--service-account-issuer=${plan.outputs.issuerUrl}`);
    // The published kids are those of the published public keys.
    const publicKeys = plan.outputs.signingPublicKeys as string[];
    expect(JSON.parse(jwksText(plan)).keys.map((k: { kid: string }) => k.kid)).toEqual(publicKeys.map(keyId));
    const documents = byName(plan, "issuer-documents");
    expect(documents.type).toBe("entra-wif:index:IssuerDocuments");
    expect(documents.parent).toMatch(/::entra-wif:index:OidcIssuer::issuer$/);
    expect(documents.inputs).toMatchObject({
        accountName: plan.outputs.storageAccountName,
        // Written as the deployer, with an Entra token the plugin asks for itself: no key in the inputs.
        auth: "entraToken",
        contentType: "application/json",
        cacheControl: "no-cache",
    });
    expect(documents.inputs).not.toHaveProperty("accountKey");
    // The JWKS first, then the discovery document that points at it; at exactly these paths.
    expect((documents.inputs.documents as Array<{ path: string }>).map((d) => d.path)).toEqual([JWKS_PATH, DISCOVERY_PATH]);
    expect([JWKS_PATH, DISCOVERY_PATH]).toEqual(["openid/v1/jwks", ".well-known/openid-configuration"]);
    // Never replaced; written only once the deployer's grant exists. No provider code travels with the inputs.
    expect(documents.options).toEqual({});
    expect(documents.dependsOn).toContain(byName(plan, "issuer-writer-grant").urn);
    expect(Object.keys(documents.inputs)).not.toContain("__provider");
}

describe("blob hosting, generated key (the dev default)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({ ...LOCATION });
    });

    test("registers exactly the expected resources, each under its component", () => {
        expect(plan.resources.map((r) => `${r.type} ${r.name} <- ${r.parent ?? "stack"}`)).toEqual([
            // With no workloads the identity exists, without federated credentials (identity.test.ts covers them).
            `entra-wif:index:EntraIdentity id-entra-wif-test <- stack`,
            `azure-native:managedidentity:UserAssignedIdentity id-entra-wif-test-identity <- ${componentUrn("EntraIdentity", "id-entra-wif-test")}`,
            // The kind cluster, the webhook and the (empty) workloads component: cluster.test.ts covers them.
            `entra-wif:index:KindCluster cluster <- stack`,
            `command:local:Command cluster-keys <- ${componentUrn("KindCluster", "cluster")}`,
            `command:local:Command cluster-kind <- ${componentUrn("KindCluster", "cluster")}`,
            `entra-wif:index:OidcIssuer issuer <- stack`,
            `azure-native:authorization:RoleAssignment issuer-writer-grant <- ${COMPONENT}`,
            `azure-native:storage:BlobContainer issuer-container <- ${COMPONENT}`,
            `azure-native:storage:StorageAccount issuer-account <- ${COMPONENT}`,
            `command:local:Command issuer-verify <- ${COMPONENT}`,
            `entra-wif:index:IssuerDocuments issuer-documents <- ${COMPONENT}`,
            // Placeholders under the names earlier versions gave the blobs and the website (lib/trust/retiredResources.ts).
            `entra-wif:index:RetiredResource issuer-discovery <- ${COMPONENT}`,
            `entra-wif:index:RetiredResource issuer-jwks <- ${COMPONENT}`,
            `entra-wif:index:RetiredResource issuer-website <- ${COMPONENT}`,
            `entra-wif:index:ResourceGroup group <- stack`,
            `azure-native:resources:ResourceGroup group-rg <- ${componentUrn("ResourceGroup", "group")}`,
            `entra-wif:index:SigningKey signing-key <- stack`,
            `tls:index/privateKey:PrivateKey signing-key-initial <- ${KEY_COMPONENT}`,
            `entra-wif:index:WorkloadIdentityWebhook webhook <- stack`,
            `kubernetes:core/v1:Namespace webhook-namespace <- ${componentUrn("WorkloadIdentityWebhook", "webhook")}`,
            `kubernetes:helm.sh/v3:Release webhook-release <- ${componentUrn("WorkloadIdentityWebhook", "webhook")}`,
            `entra-wif:index:WorkloadServiceAccounts workloads <- stack`,
            `pulumi:providers:kubernetes kubernetes <- stack`,
        ]);
    });

    test("the resource group keeps the resource it had under the issuer (an alias, no replacement)", () => {
        // (The SDK adds its own aliases for the type's former API versions.)
        expect(byName(plan, "group-rg").options.aliases).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ name: "issuer-rg", parenturn: "urn:pulumi:test::entra-wif::entra-wif:index:OidcIssuer::issuer" }),
            ]),
        );
    });

    test("the key is RSA of the configured size", () => {
        expect(byName(plan, "signing-key-initial").inputs).toEqual({ algorithm: "RSA", rsaBits: 2048 });
    });

    test("the storage account: StorageV2, https only, TLS 1.2, public blob reads for the container, no shared key", () => {
        const account = byName(plan, "issuer-account");
        expect(account.inputs).toEqual({
            accountName: plan.outputs.storageAccountName,
            resourceGroupName: "rg-entra-wif-test",
            location: "westeurope",
            kind: "StorageV2",
            sku: { name: "Standard_LRS" },
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: true,
            // The built-in policy "Storage accounts should prevent shared key access" is met.
            allowSharedKeyAccess: false,
        });
        expect(plan.outputs.storageAccountName).toMatch(/^entrawif[0-9a-f]{16}$/);
    });

    test("the deployer is granted Storage Blob Data Contributor on the stack's own group, as the principal type its token shows; no key is read", async () => {
        // The group the stack creates holds no other account: granted there, the grant (and its propagation) starts
        // with the group, not after the account and the container.
        const scope = `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/rg-entra-wif-test`;
        const contributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        const grant = byName(plan, "issuer-writer-grant");
        expect(grant.inputs).toEqual({
            scope,
            principalId: MOCK_AZURE.objectId,
            principalType: "User",
            roleDefinitionId: `/subscriptions/${MOCK_AZURE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${contributor}`,
            roleAssignmentName: roleAssignmentName(scope, MOCK_AZURE.objectId, contributor),
            description: "entra-wif: lets the deployer of entra-wif/test write the OIDC issuer documents",
        });
        expect(grant.dependsOn).not.toContain(byName(plan, "issuer-account").urn);
        // A service principal deployer (CI) is declared as one: ARM refuses a mismatched principal type.
        const ciMocks = new AzureMocks({ deployer: "servicePrincipal" });
        const ci = await runProgram({ ...LOCATION }, { mocks: ciMocks });
        expect(byName(ci, "issuer-writer-grant").inputs.principalType).toBe("ServicePrincipal");
        expect(ciMocks.invoked.map((i) => i.token)).not.toContain("azure-native:storage:listStorageAccountKeys");
    });

    test("in a group the stack does not own (resourceGroupName), the grant covers the documents' container only", async () => {
        const shared = await runProgram({ ...LOCATION, "entra-wif:resourceGroupName": "rg-shared" });
        const account = String(shared.outputs.storageAccountName);
        expect(byName(shared, "issuer-writer-grant").inputs.scope).toBe(
            `/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/${account}` +
                "/blobServices/default/containers/oidc",
        );
    });

    test("the issuer is known before the account exists: the cloud's blob endpoint for the name, which the account then reports", () => {
        const account = String(plan.outputs.storageAccountName);
        expect(plan.outputs.issuerUrl).toBe(`https://${account}.blob.core.windows.net/oidc/`);
        // Asked of the project's plugin (lib/entra/cloud.ts), not read from the account: nothing that carries the
        // issuer waits for storage.
        for (const name of ["cluster-kind", "id-entra-wif-test-identity"])
            expect(byName(plan, name).dependsOn).not.toContain(byName(plan, "issuer-account").urn);
        const documents = byName(plan, "issuer-documents").inputs;
        expect(documents.publicBaseUrl).toBe(`${documents.blobEndpoint}oidc/`);
    });

    test("the placeholders for what earlier versions registered: each aliased to its old type, gone with what holds the documents", () => {
        for (const [name, type] of [
            ["issuer-jwks", "azure-native:storage:Blob"],
            ["issuer-discovery", "azure-native:storage:Blob"],
            ["issuer-website", "azure-native:storage:StorageAccountStaticWebsite"],
        ]) {
            const retired = byName(plan, name);
            expect(retired.type).toBe("entra-wif:index:RetiredResource");
            expect(retired.inputs).toEqual({ retires: `${type} ${name}` });
            expect(retired.options.aliases).toEqual([expect.objectContaining({ type })]);
            expect(retired.deletedWith).toBe(byName(plan, "issuer-container").urn);
        }
    });

    test("issuer.writerObjectId: the grant goes to the CI identity as a service principal, whoever previews", async () => {
        const ci = "0b8f0c3e-1a2b-4c5d-8e9f-0123456789ab";
        const config = { ...LOCATION, "entra-wif:issuer": { writerObjectId: ci } };
        const asUser = await runProgram(config, { mocks: new AzureMocks({ deployer: "user" }) });
        const asReviewer = await runProgram(config, { mocks: new AzureMocks({ deployer: "servicePrincipal" }) });
        expect(byName(asUser, "issuer-writer-grant").inputs).toMatchObject({ principalId: ci, principalType: "ServicePrincipal" });
        expect(byName(asReviewer, "issuer-writer-grant").inputs).toEqual(byName(asUser, "issuer-writer-grant").inputs);
    });

    test("issuer.sharedKeyAccess: the account accepts shared keys, the key is read with listKeys as a secret, and no grant is made", async () => {
        const keyedMocks = new AzureMocks();
        const keyed = await runProgram({ ...LOCATION, "entra-wif:issuer": { sharedKeyAccess: true } }, { mocks: keyedMocks });
        expect(byName(keyed, "issuer-account").inputs.allowSharedKeyAccess).toBe(true);
        expect(byName(keyed, "issuer-documents").inputs).toMatchObject({ auth: "sharedKey", accountKey: "[secret]" });
        expect(keyed.resources.map((r) => r.name)).not.toContain("issuer-writer-grant");
        expect(keyedMocks.invoked.map((i) => i.token)).toContain("azure-native:storage:listStorageAccountKeys");
    });

    test("the container allows anonymous reads of blobs but no listing", () => {
        expect(byName(plan, "issuer-container").inputs).toMatchObject({ containerName: "oidc", publicAccess: "Blob" });
    });

    test("issuer is the container URL built from the account's blob endpoint", () => {
        expect(plan.outputs.issuerUrl).toBe(`https://${plan.outputs.storageAccountName}.blob.core.windows.net/oidc/`);
        expect(plan.outputs.discoveryUrl).toBe(`${plan.outputs.issuerUrl}.well-known/openid-configuration`);
    });

    test("documents are consistent with each other and the outputs", () => expectDocumentsConsistent(plan));

    test("the JWKS publishes the generated key's public half, RS256", () => {
        const jwks = JSON.parse(plan.outputs.jwks as string);
        expect(jwks.keys).toHaveLength(1);
        expect(jwks.keys[0]).toMatchObject({ use: "sig", kty: "RSA", alg: "RS256", e: "AQAB" });
        const pub = (plan.outputs.signingPublicKeys as string[])[0];
        expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
        expect(parsePublicKey(pub).asymmetricKeyDetails?.modulusLength).toBe(2048);
    });

    test("documents depend on the key, the account and the container, and go with the container", () => {
        const documents = byName(plan, "issuer-documents");
        expect(documents.dependsOn).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/::signing-key-initial$/),
                expect.stringMatching(/::issuer-account$/),
                expect.stringMatching(/::issuer-container$/),
            ]),
        );
        expect(documents.deletedWith).toBe(byName(plan, "issuer-container").urn);
        expect(documents.inputs).toMatchObject({
            hosting: "blob",
            containerName: "oidc",
            blobEndpoint: `https://${plan.outputs.storageAccountName}.blob.core.windows.net/`,
            publicBaseUrl: plan.outputs.issuerUrl,
        });
    });

    test("the private key exists only as a secret", () => {
        expect(plan.outputs.serviceAccountSigningKey).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toMatch(/PRIVATE KEY/);
    });

    test("flags for a stack-owned key", () => {
        expect(plan.outputs.kubeApiServerFlags).toEqual([
            `--service-account-issuer=${plan.outputs.issuerUrl}`,
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        ]);
        expect(plan.outputs.kubeControllerManagerFlags).toEqual(["--service-account-private-key-file=/etc/kubernetes/pki/sa.key"]);
    });
});

describe("static website hosting, generated key", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({ ...LOCATION, ...staticWebsite, "entra-wif:signingKey": { rsaBits: 3072 } });
    });

    test("uses the account's $web instead of a public container, enabled by the documents resource with the deployer's token", () => {
        const names = plan.resources.map((r) => r.name);
        expect(names).not.toContain("issuer-container");
        // No azure-native website resource: the documents' writer enables it, with the same token, before writing $web.
        expect(plan.resources.map((r) => r.type)).not.toContain("azure-native:storage:StorageAccountStaticWebsite");
        // The grant covers the account (here through the stack's own group): $web exists only once the website is on.
        expect(byName(plan, "issuer-writer-grant").inputs.scope).toBe(`/subscriptions/${MOCK_AZURE.subscriptionId}/resourceGroups/rg-entra-wif-test`);
        expect(byName(plan, "issuer-account").inputs.allowBlobPublicAccess).toBe(false);
        const documents = byName(plan, "issuer-documents");
        expect(documents.inputs).toMatchObject({ hosting: "staticWebsite", containerName: "$web", publicBaseUrl: plan.outputs.issuerUrl });
        expect(documents.deletedWith).toBe(byName(plan, "issuer-account").urn);
    });

    test("issuer is the web endpoint, trailing slash kept", () => {
        expect(plan.outputs.issuerUrl).toBe(`https://${plan.outputs.storageAccountName}.z6.web.core.windows.net/`);
        expect(plan.outputs.jwksUrl).toBe(`${plan.outputs.issuerUrl}openid/v1/jwks`);
    });

    test("documents are consistent", () => expectDocumentsConsistent(plan));

    test("rsaBits reaches the key", () => {
        expect(byName(plan, "signing-key-initial").inputs.rsaBits).toBe(3072);
    });
});

describe.each([
    ["blob", {}],
    ["staticWebsite", staticWebsite],
])("bring-your-own public keys, %s hosting", (_hosting, hosting) => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runProgram({ ...LOCATION, ...hosting, ...byo });
    });

    test("no key is generated and no private key exists", () => {
        expect(plan.resources.map((r) => r.type)).not.toContain("tls:index/privateKey:PrivateKey");
        // Absent, as `pulumi stack output` shows an export that is undefined: not a null.
        expect(plan.outputs).not.toHaveProperty("serviceAccountSigningKey");
    });

    test("the JWKS is Kubernetes' vector for those keys", () => {
        expect(plan.outputs.jwks).toBe(vector("kubernetes/expected_jwks_rsa_plus_ecdsa_compact.json"));
        expect(plan.outputs.signingKeyIds).toEqual([k8s.rsaKid, k8s.ecdsaKid]);
        expect(JSON.parse(plan.outputs.discoveryDocument as string).id_token_signing_alg_values_supported).toEqual(["ES256", "RS256"]);
    });

    test("documents are consistent", () => expectDocumentsConsistent(plan));

    test("only the issuer flag changes on the cluster", () => {
        // The previous issuer stays accepted after the stack's: tokens already in the cluster keep working.
        expect(plan.outputs.kubeApiServerFlags).toEqual([
            `--service-account-issuer=${plan.outputs.issuerUrl}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        ]);
        expect(plan.outputs.kubeControllerManagerFlags).toEqual([]);
    });

    test("two runs send identical resources and inputs", async () => {
        const again = await runProgram({ ...LOCATION, ...hosting, ...byo });
        expect(again.resources).toEqual(plan.resources);
        expect(again.outputs).toEqual(plan.outputs);
    });
});

describe("an existing resource group", () => {
    test("is looked up and used, not created", async () => {
        const plan = await runProgram({ ...LOCATION, ...byo, "entra-wif:resourceGroupName": "rg-platform" });
        expect(plan.resources.map((r) => r.type)).not.toContain("azure-native:resources:ResourceGroup");
        expect(byName(plan, "issuer-account").inputs.resourceGroupName).toBe("rg-platform");
        expect(plan.outputs.resourceGroupName).toBe("rg-platform");
    });

    test("an explicit storage account name is used as given", async () => {
        const plan = await runProgram({ ...LOCATION, ...byo, "entra-wif:issuer": { storageAccountName: "oidcprod01", containerName: "issuer" } });
        expect(plan.outputs.issuerUrl).toBe("https://oidcprod01.blob.core.windows.net/issuer/");
    });
});

describe("deterministic names", () => {
    test("the derived account name depends on subscription, group and stack, and is stable", async () => {
        const a = await runProgram({ ...LOCATION, ...byo }, { stack: "dev" });
        const b = await runProgram({ ...LOCATION, ...byo }, { stack: "dev" });
        const c = await runProgram({ ...LOCATION, ...byo }, { stack: "prod" });
        expect(a.outputs.storageAccountName).toBe(b.outputs.storageAccountName);
        expect(a.outputs.storageAccountName).not.toBe(c.outputs.storageAccountName);
    });

    test("two runs with a generated key differ only in the key material", async () => {
        // The published JWKS and the public keys written for the kind cluster are the key material itself.
        const keyDependent = (r: Plan["resources"][number]) =>
            r.name === "issuer-documents"
                ? "(key-dependent)"
                : r.name === "issuer-verify"
                  ? { ...r.inputs, environment: { ...(r.inputs.environment as object), ENTRA_WIF_PUBLIC_KEYS: "(key-dependent)" }, triggers: "(key-dependent)" }
                  : r.type === "command:local:Command"
                    ? { ...r.inputs, environment: { ...(r.inputs.environment as object), ENTRA_WIF_PUBLIC_KEYS: "(key-dependent)" } }
                    : r.inputs;
        const strip = (p: Plan) => JSON.stringify(p.resources.map((r) => ({ ...r, inputs: keyDependent(r) })));
        const a = await runProgram({ ...LOCATION });
        const b = await runProgram({ ...LOCATION });
        expect(strip(a)).toBe(strip(b));
        expect(a.outputs.jwks).not.toBe(b.outputs.jwks);
    });
});

describe("invalid config", () => {
    test("fails before any resource is registered, with the config message", async () => {
        const mocks = new AzureMocks();
        await expect(runProgram({ ...LOCATION, "entra-wif:issuer": { hosting: "blobs" } }, { mocks })).rejects.toThrow(
            'entra-wif:issuer.hosting: "blobs" is not valid; a public-read blob container is hosting "blob"; use one of: blob, staticWebsite',
        );
        expect(mocks.registered).toEqual([]);
    });
});

test("the dev stack file evaluates to the default graph", async () => {
    const plan = await runStackFile("Pulumi.dev.yaml");
    expect(plan.stack).toBe("dev");
    expect(plan.outputs.issuerUrl).toMatch(/^https:\/\/entrawif[0-9a-f]{16}\.blob\.core\.windows\.net\/oidc\/$/);
    expectDocumentsConsistent(plan);
});

describe("the gate in pulumi up", () => {
    test("after both documents are uploaded, the doctor's endpoint checks run against the published issuer and keys", async () => {
        const plan = await runProgram({ ...LOCATION });
        const gate = byName(plan, "issuer-verify");
        expect(gate.type).toBe("command:local:Command");
        expect(gate.inputs.create).toBe(VERIFY_COMMAND);
        expect(gate.inputs.update).toBe(VERIFY_COMMAND);
        expect(gate.inputs.create).toMatch(/tools\/doctor\.ts .*--endpoints-only --wait "\$\{ENTRA_WIF_VERIFY_WAIT:-180\}" /);
        expect(gate.inputs.create).toMatch(/ \$\{ENTRA_WIF_SERVED_FROM:\+--served-from "\$ENTRA_WIF_SERVED_FROM"\}$/);
        // Without issuer.customUrl the documents are read at the issuer itself: no storage URL is passed.
        expect(gate.inputs.environment).not.toHaveProperty("ENTRA_WIF_SERVED_FROM");
        const env = gate.inputs.environment as Record<string, string>;
        expect(env.ENTRA_WIF_ISSUER).toBe(JSON.parse(discoveryText(plan)).issuer);
        expect(env.ENTRA_WIF_PUBLIC_KEYS).toBe((plan.outputs.signingPublicKeys as string[]).join(""));
        // Re-run whenever what Entra reads changes.
        expect(gate.inputs.triggers).toEqual([plan.outputs.discoveryDocument, plan.outputs.jwks]);
        expect(gate.dependsOn).toEqual(expect.arrayContaining([byName(plan, "issuer-documents").urn]));
        expect(JSON.stringify(gate.inputs)).not.toMatch(/PRIVATE KEY/);
    });

    test("issuer.verify false leaves it out", async () => {
        const plan = await runProgram({ ...LOCATION, "entra-wif:issuer": { verify: false } });
        expect(plan.resources.some((r) => r.name === "issuer-verify")).toBe(false);
    });
});

test("a custom URL (a CDN or custom domain in front of the storage) is the issuer everywhere, byte for byte", async () => {
    const customUrl = "https://issuer.platform.example.com/aks-dev/";
    const plan = await runProgram({
        ...LOCATION,
        "entra-wif:issuer": { customUrl },
        "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "sa" }],
    });
    expect(plan.outputs.issuerUrl).toBe(customUrl);
    expect(JSON.parse(discoveryText(plan)).issuer).toBe(customUrl);
    expect(JSON.parse(discoveryText(plan)).jwks_uri).toBe(`${customUrl}openid/v1/jwks`);
    expect(byName(plan, "id-entra-wif-test-fic-demo_sa").inputs.issuer).toBe(customUrl);
    expect((byName(plan, "issuer-verify").inputs.environment as Record<string, string>).ENTRA_WIF_ISSUER).toBe(customUrl);
    // The documents still go to the storage container the custom domain serves, read back at the storage's own URL.
    expect(byName(plan, "issuer-documents").inputs).toMatchObject({
        containerName: "oidc",
        publicBaseUrl: `https://${plan.outputs.storageAccountName}.blob.core.windows.net/oidc/`,
    });
});
