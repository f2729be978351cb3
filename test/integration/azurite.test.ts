/**
 * The issuer as Entra ID meets it: the documents the program builds, published to real blob storage (Azurite
 * over HTTPS), read anonymously, discovered by a real OIDC client and used to verify a service-account token
 * with a real JWT verifier.
 */
import { Plan } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { azuriteFor, Azurite } from "../../tools/engine/azurite";
import { serviceAccountToken, tokenSigner } from "../support/jwt";
import { ProviderPlugin, startProviderPlugin } from "../support/providerPlugin";
import { byName, PluginInputs, runProgram } from "../support/program";
import { Deployment, publishPlan as publish } from "../support/publish";
import { sharedRelyingParty } from "../support/native";
import type { RelyingParty } from "../support/relyingParty";
import { runProcess } from "../support/processes";

const AUDIENCE = "api://AzureADTokenExchange";

let azurite: Azurite;
let rp: RelyingParty;
let host: ProviderPlugin;
let mocks: AzureMocks;
let plan: Plan;
let privateKeyPem: string;
let issuer: string;

/** The program with its container named, its documents published by the project's own provider plugin. */
async function deployAndPublish(containerName: string, access: "blob" | "private", customUrl?: string): Promise<Deployment> {
    const plugin: PluginInputs = new Map();
    const issuerConfig = { storageAccountName: azurite.accountName, containerName, ...(customUrl ? { customUrl } : {}) };
    const config = { "azure-native:location": "westeurope", "entra-wif:issuer": issuerConfig };
    const deployment = { plan: await runProgram(config, { mocks, plugin }), plugin };
    await publish(rp, azurite, host, deployment, access);
    return deployment;
}

beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    rp = sharedRelyingParty(azurite.caFile);
    mocks = new AzureMocks({ blobEndpoint: () => azurite.blobEndpoint, storageAccountKey: () => azurite.accountKey });
    host = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile });
    plan = (await deployAndPublish("oidc", "blob")).plan;
    privateKeyPem = mocks.generatedPrivateKeys[0];
    issuer = plan.outputs.issuerUrl as string;
}, 90000);

afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
});

test("the program's issuer is the emulator's container URL", () => {
    expect(issuer).toBe(`${azurite.blobEndpoint}oidc/`);
    expect(issuer.startsWith("https://127.0.0.1:")).toBe(true);
});

describe("anonymous reads, as Entra makes them", () => {
    test.each([
        ["discovery document", () => plan.outputs.discoveryUrl as string, () => plan.outputs.discoveryDocument as string],
        ["JWKS", () => plan.outputs.jwksUrl as string, () => plan.outputs.jwks as string],
    ])("%s: 200, application/json, the exact bytes", async (_name, url, body) => {
        const response = await rp.fetch(url());
        expect(response.status).toBe(200);
        // Neither openid-client nor jose checks the Content-Type; Entra does.
        expect(response.contentType).toBe("application/json");
        expect(response.body).toBe(body());
    });

    test("the discovery document is at openid-configuration, not oidc-configuration", async () => {
        expect((await rp.fetch(`${issuer}.well-known/oidc-configuration`)).status).toBe(404);
    });
});

describe("a relying party trusts the issuer", () => {
    test("openid-client discovers it, issuer byte-identical, jwks_uri under it", async () => {
        const discovered = await rp.discover(issuer);
        expect(discovered).toMatchObject({ ok: true, issuer, jwks_uri: `${issuer}openid/v1/jwks`, algs: ["RS256"] });
    });

    test("jose verifies a projected service-account token against the discovered JWKS", async () => {
        const { jwks_uri } = await rp.discover(issuer);
        const token = serviceAccountToken(privateKeyPem, { issuer });
        const result = await rp.verify({ jwksUri: jwks_uri!, token, issuer, audience: AUDIENCE });
        expect(result.ok).toBe(true);
        expect(result.payload).toMatchObject({ iss: issuer, sub: "system:serviceaccount:demo:workload-sa", aud: [AUDIENCE] });
        expect(result.protectedHeader!.kid).toBe((plan.outputs.signingKeyIds as string[])[0]);
    });
});

describe("what Entra would refuse is refused", () => {
    test("an issuer with its trailing slash dropped does not match the discovery document", async () => {
        const withoutSlash = issuer.replace(/\/$/, "");
        const discovered = await rp.discover(withoutSlash);
        expect(discovered.ok).toBe(false);
        expect(discovered.message).toMatch(/issuer/i);

        const token = serviceAccountToken(privateKeyPem, { issuer: withoutSlash });
        const result = await rp.verify({ jwksUri: plan.outputs.jwksUrl as string, token, issuer, audience: AUDIENCE });
        expect(result).toMatchObject({ ok: false, code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
        expect(result.message).toMatch(/iss/);
    });

    test("a token from another key", async () => {
        const other = tokenSigner("b").privatePem;
        const unknownKid = serviceAccountToken(other, { issuer });
        expect(await rp.verify({ jwksUri: plan.outputs.jwksUrl as string, token: unknownKid, issuer, audience: AUDIENCE })).toMatchObject({
            ok: false,
            code: "ERR_JWKS_NO_MATCHING_KEY",
        });
        // Same kid as the published key but signed by another: the signature fails.
        const forged = serviceAccountToken(other, { issuer, kid: (plan.outputs.signingKeyIds as string[])[0] });
        expect(await rp.verify({ jwksUri: plan.outputs.jwksUrl as string, token: forged, issuer, audience: AUDIENCE })).toMatchObject({
            ok: false,
            code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        });
    });

    test("a wrong audience", async () => {
        const token = serviceAccountToken(privateKeyPem, { issuer, audience: "https://kubernetes.default.svc" });
        const result = await rp.verify({ jwksUri: plan.outputs.jwksUrl as string, token, issuer, audience: AUDIENCE });
        expect(result).toMatchObject({ ok: false, code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
        expect(result.message).toMatch(/aud/);
    });

    test("an expired token", async () => {
        const token = serviceAccountToken(privateKeyPem, { issuer, now: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 3600 });
        expect(await rp.verify({ jwksUri: plan.outputs.jwksUrl as string, token, issuer, audience: AUDIENCE })).toMatchObject({
            ok: false,
            code: "ERR_JWT_EXPIRED",
        });
    });

    test("documents in a private container cannot be read anonymously", async () => {
        await deployAndPublish("private", "private");
        const privateIssuer = `${azurite.blobEndpoint}private/`;
        const response = await rp.fetch(`${privateIssuer}.well-known/openid-configuration`);
        // Azurite answers 403 AuthorizationFailure, as it does for a container that does not exist; a missing
        // blob in a public container is 404 (see the oidc-configuration test). Azure itself may answer 404 here.
        expect(response.status).toBe(403);
        expect(response.contentType).not.toBe("application/json");
        expect((await rp.discover(privateIssuer)).ok).toBe(false);
    });
});

describe("the gate in pulumi up, run as the program declares it", () => {
    const runGate = async (environment: Record<string, string>, gatePlan: Plan = plan) => {
        const gate = byName(gatePlan, "issuer-verify");
        const started = Date.now();
        const r = await runProcess("/bin/bash", ["-c", gate.inputs.create as string], {
            cwd: REPO_ROOT,
            env: {
                ...process.env,
                ...(gate.inputs.environment as Record<string, string>),
                NODE_EXTRA_CA_CERTS: azurite.caFile,
                ENTRA_WIF_VERIFY_WAIT: "1",
                ...environment,
            },
        });
        return { ...r, ms: Date.now() - started };
    };

    // The three runs at once: two of them spend their bounded wait retrying.
    let runs: Record<"published" | "unreadable" | "unpublishedKey", Awaited<ReturnType<typeof runGate>>>;
    beforeAll(async () => {
        const other = tokenSigner("b").publicPem;
        const [published, unreadable, unpublishedKey] = await Promise.all([
            runGate({}),
            runGate({ ENTRA_WIF_ISSUER: `${azurite.blobEndpoint}private/` }),
            runGate({ ENTRA_WIF_PUBLIC_KEYS: (plan.outputs.signingPublicKeys as string[]).join("") + other }),
        ]);
        runs = { published, unreadable, unpublishedKey };
    }, 90000);

    test("the published issuer passes: exit 0, the checks on stdout, no key material", () => {
        const r = runs.published;
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^ok {4}jwks-known-keys: every cluster key is published/m);
        expect(r.stdout).not.toMatch(/BEGIN|PRIVATE/);
    });

    test("an issuer Entra could not read fails the update with the doctor's diagnosis, within the bounded wait", () => {
        const r = runs.unreadable;
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^FAIL {2}discovery-reachable: .*refused an anonymous read: HTTP 403/m);
        expect(r.ms).toBeLessThan(30000);
    });

    test("with issuer.customUrl, the first up passes before the CDN serves the documents, and says so; then the CDN is compared", async () => {
        // The documents go to the container "cdnorigin"; the container "cdnfront" plays the CDN at the custom URL.
        const custom = `${azurite.blobEndpoint}cdnfront/`;
        const deployment = await deployAndPublish("cdnorigin", "blob", custom);
        const gate = byName(deployment.plan, "issuer-verify");
        expect(gate.inputs.environment).toMatchObject({ ENTRA_WIF_ISSUER: custom, ENTRA_WIF_SERVED_FROM: `${azurite.blobEndpoint}cdnorigin/` });
        expect(byName(plan, "issuer-verify").inputs.environment).not.toHaveProperty("ENTRA_WIF_SERVED_FROM");

        const notLive = await runGate({}, deployment.plan);
        expect(notLive.code).toBe(0);
        expect(notLive.stdout).toMatch(/^ok {4}discovery-reachable: .*\/cdnorigin\/\.well-known\/openid-configuration answered 200/m);
        expect(notLive.stdout).toMatch(/^ok {4}discovery-issuer: /m);
        expect(notLive.stdout).toMatch(/^warn {2}issuer-served: the documents are stored at .*\/cdnorigin\/ — .*\/cdnfront\/ does not serve them yet/m);

        // The CDN goes live: it serves what the origin holds, as a CDN fetches it.
        const origin = `${azurite.blobEndpoint}cdnorigin/`;
        const [discovery, jwks] = await Promise.all([rp.fetch(`${origin}.well-known/openid-configuration`), rp.fetch(`${origin}openid/v1/jwks`)]);
        await rp.publish({
            blobEndpoint: azurite.blobEndpoint,
            accountName: azurite.accountName,
            accountKey: azurite.accountKey,
            containerName: "cdnfront",
            access: "blob",
            blobs: [
                { blobName: ".well-known/openid-configuration", contentType: "application/json", text: discovery.body },
                { blobName: "openid/v1/jwks", contentType: "application/json", text: jwks.body },
            ],
        });
        const live = await runGate({}, deployment.plan);
        expect(live.code).toBe(0);
        expect(live.stdout).toMatch(/^ok {4}issuer-served: .*\/cdnfront\/ serves the same documents as the storage$/m);
    }, 60000);

    test("a key the cluster signs with but the JWKS lacks fails it too", () => {
        const r = runs.unpublishedKey;
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^FAIL {2}jwks-known-keys: kid [\w-]+ is not published/m);
    });
});

describe("the gate as the package's plugin runs it (entra-wif:index:IssuerCheck, no folder of this machine in its inputs)", () => {
    const URN = "urn:pulumi:dev::consumer::entra-wif:index:EntraWorkloadIdentity$entra-wif:index:OidcIssuer$entra-wif:index:IssuerCheck::issuer-verify";
    let checker: ProviderPlugin;
    const inputs = (extra: Record<string, unknown> = {}) => ({
        issuer,
        publicKeys: plan.outputs.signingPublicKeys as string[],
        discoveryDocument: plan.outputs.discoveryDocument as string,
        jwks: plan.outputs.jwks as string,
        ...extra,
    });
    beforeAll(async () => {
        // As a package installed from git starts it: through the Node.js language host's run-plugin.
        checker = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile, ENTRA_WIF_VERIFY_WAIT: "1" }, "languageHost");
    }, 60000);
    afterAll(async () => {
        await checker?.stop();
    });

    test("the published issuer passes: created, its state the values checked", async () => {
        const created = await checker.create(URN, inputs());
        expect(created.id).toBe("issuer-check:issuer-verify");
        expect(created.outputs).toEqual(inputs());
        expect(await checker.read(URN, created.id, created.outputs)).toEqual({ id: created.id, outputs: created.outputs });
    });

    test("a key the JWKS does not hold fails the create with the doctor's report, within the bounded wait", async () => {
        const started = Date.now();
        const keys = [...(plan.outputs.signingPublicKeys as string[]), tokenSigner("b").publicPem];
        await expect(checker.create(URN, inputs({ publicKeys: keys }))).rejects.toThrow(
            /the issuer check failed, so Entra would refuse this cluster's tokens:\n[\s\S]*FAIL {2}jwks-known-keys: /,
        );
        expect(Date.now() - started).toBeLessThan(30000);
    });

    test("an issuer Entra cannot read fails it too; a change of what Entra reads checks again, in place", async () => {
        await expect(checker.create(URN, inputs({ issuer: `${azurite.blobEndpoint}private/` }))).rejects.toThrow(/FAIL {2}discovery-reachable: /);
        expect(await checker.diff(URN, "issuer-check:issuer-verify", inputs(), inputs())).toMatchObject({ changes: false, replaces: [] });
        const rotated = await checker.diff(URN, "issuer-check:issuer-verify", inputs(), inputs({ jwks: "{}" }));
        expect(rotated).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
        const updated = await checker.update(URN, "issuer-check:issuer-verify", inputs({ jwks: "{}" }), inputs());
        expect(updated.outputs).toEqual(inputs());
    });
});
