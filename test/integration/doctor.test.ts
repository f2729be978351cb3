/**
 * The doctor against real blob storage (Azurite over HTTPS): a healthy issuer passes every check, and each broken
 * variant people actually ship is diagnosed by the right check with the right hint and AADSTS code.
 * The CLI runs as a user runs it, trusting the test CA through NODE_EXTRA_CA_CERTS, for exit codes and JSON.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { Check, diagnose, diagnoseEndpoints, DoctorInput, HttpGet } from "../../lib/doctor";
import { createHttpGet, trustedCertificates } from "../../lib/doctor/https";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { buildDiscoveryDocument, serializeDiscoveryDocument } from "../../lib/trust/oidc";
import { parseArgs, runDoctor, runDoctorCli } from "../../tools/doctor";
import { withEnv } from "../support/env";
import { Azurite, azuriteFor } from "../../tools/engine/azurite";
import { serviceAccountToken, tokenSigner } from "../support/jwt";
import { sharedRelyingParty } from "../support/native";
import type { RelyingParty } from "../support/relyingParty";
import { runTool } from "../support/processes";

const cluster = tokenSigner("a");
const other = tokenSigner("b");
/** A cluster whose service-account key is EC P-256: kube-apiserver then signs ES256. */
const ecCluster = (() => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return {
        privatePem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
})();
const SUBJECT = "system:serviceaccount:demo:workload-sa";

let azurite: Azurite;
let get: HttpGet;
let rp: RelyingParty;

interface Variant {
    /** Container name; the issuer is `<endpoint><container>/` unless `issuer` says otherwise. */
    container: string;
    access?: "blob" | "private";
    discoveryPath?: string;
    contentType?: string;
    /** The issuer written into the discovery document. */
    documentIssuer?: (issuer: string) => string;
    /** Keys the JWKS publishes. */
    publishedKeys?: string[];
}

const issuerOf = (container: string) => `${azurite.blobEndpoint}${container}/`;

async function publish(v: Variant): Promise<string> {
    const issuer = issuerOf(v.container);
    const jwks = buildJwks(v.publishedKeys ?? [cluster.publicPem]);
    const discovery = buildDiscoveryDocument(v.documentIssuer ? v.documentIssuer(issuer) : issuer, jwks);
    discovery.jwks_uri = `${issuer}openid/v1/jwks`;
    await rp.publish({
        blobEndpoint: azurite.blobEndpoint,
        accountName: azurite.accountName,
        accountKey: azurite.accountKey,
        containerName: v.container,
        access: v.access ?? "blob",
        blobs: [
            {
                blobName: v.discoveryPath ?? ".well-known/openid-configuration",
                contentType: v.contentType ?? "application/json",
                text: serializeDiscoveryDocument(discovery),
            },
            { blobName: "openid/v1/jwks", contentType: v.contentType ?? "application/json", text: serializeJwks(jwks) },
        ],
    });
    return issuer;
}

const byId = (checks: Check[], id: string) => {
    const found = checks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id}; have ${checks.map((c) => c.id).join(", ")}`);
    return found;
};
const failed = (checks: Check[]) => checks.filter((c) => !c.ok).map((c) => c.id);

const issuers: Record<string, string> = {};

beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    rp = sharedRelyingParty(azurite.caFile);
    get = createHttpGet({ ca: [...tls.rootCertificates, fs.readFileSync(azurite.caFile, "utf8")] });
    const variants: Variant[] = [
        { container: "healthy" },
        { container: "wrongpath", discoveryPath: ".well-known/oidc-configuration" },
        { container: "octetstream", contentType: "application/octet-stream" },
        { container: "private", access: "private" },
        { container: "noslash", documentIssuer: (issuer) => issuer.replace(/\/$/, "") },
        { container: "otherkey", publishedKeys: [other.publicPem] },
        { container: "eckey", publishedKeys: [ecCluster.publicPem] },
    ];
    for (const v of variants) issuers[v.container] = await publish(v);
}, 120000);

afterAll(async () => {
    await azurite?.stop();
});

const healthyInput = (overrides: Partial<DoctorInput> = {}): DoctorInput => ({
    issuer: issuers.healthy,
    publicKeys: [cluster.publicPem],
    token: serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy }),
    subject: SUBJECT,
    federatedCredentials: [{ name: "id-demo/demo_workload-sa", issuer: issuers.healthy, subject: SUBJECT, audiences: ["api://AzureADTokenExchange"] }],
    ...overrides,
});

test("a healthy issuer, token and credential pass every check, in Entra's order", async () => {
    const checks = await diagnose(healthyInput(), get);
    expect(failed(checks)).toEqual([]);
    // Azurite listens on 127.0.0.1: every check passes, and the report says Entra could not reach it.
    expect(checks.filter((c) => c.warning).map((c) => c.id)).toEqual(["issuer-url"]);
    expect(byId(checks, "issuer-url").warning).toMatch(
        new RegExp(
            "^its host is 127\\.0\\.0\\.1, a loopback address: " +
                "Entra fetches the documents from the internet and cannot reach it, and would answer AADSTS90061 / AADSTS501661;",
        ),
    );
    expect(checks.map((c) => c.id)).toEqual([
        "issuer-url",
        "discovery-reachable",
        "discovery-content-type",
        "discovery-json",
        "discovery-issuer",
        "jwks-uri",
        "jwks-reachable",
        "jwks-content-type",
        "jwks-keys",
        "jwks-known-keys",
        "token-format",
        "token-algorithm",
        "token-kid",
        "token-signature",
        "token-issuer",
        "token-audience",
        "token-subject",
        "token-lifetime",
        "credential-match",
    ]);
});

describe("broken issuers, each named by the right check", () => {
    test("the discovery document at .well-known/oidc-configuration: 404, and the fix names the right path", async () => {
        const checks = await diagnoseEndpoints({ issuer: issuers.wrongpath }, get);
        const c = byId(checks, "discovery-reachable");
        expect(c.ok).toBe(false);
        expect(c.message).toMatch(/HTTP 404/);
        expect(c.fix).toBe(
            `a document was found at ${issuers.wrongpath}.well-known/oidc-configuration: ` +
                `it must be at ${issuers.wrongpath}.well-known/openid-configuration (.well-known/openid-configuration under the issuer, byte for byte)`,
        );
        expect(c.aadsts).toMatch(/AADSTS90061/);
    });

    test("documents served as application/octet-stream", async () => {
        const checks = await diagnoseEndpoints({ issuer: issuers.octetstream }, get);
        expect(failed(checks)).toEqual(["discovery-content-type", "jwks-content-type"]);
        expect(byId(checks, "discovery-content-type").message).toBe("the discovery document is served as application/octet-stream, not application/json");
        expect(byId(checks, "discovery-content-type").fix).toMatch(/--content-type application\/json/);
    });

    test("a private container: 403 means anonymous reads are refused, not a wrong path", async () => {
        const c = byId(await diagnoseEndpoints({ issuer: issuers.private }, get), "discovery-reachable");
        expect(c.ok).toBe(false);
        expect(c.message).toMatch(/refused an anonymous read: HTTP 403/);
        expect(c.fix).toMatch(/public-read for blobs/);
        expect(c.aadsts).toMatch(/AADSTS90061 \/ AADSTS50166/);
    });

    test("an issuer without its trailing slash in the discovery document", async () => {
        const c = byId(await diagnoseEndpoints({ issuer: issuers.noslash }, get), "discovery-issuer");
        expect(c.ok).toBe(false);
        expect(c.message).toMatch(/differ only by a trailing slash/);
        expect(c.aadsts).toMatch(/AADSTS70021 \/ AADSTS700211/);
    });

    test("the issuer asked about without its trailing slash: the document is found at the other spelling", async () => {
        const issuer = issuers.healthy.replace(/\/$/, "");
        const checks = await diagnoseEndpoints({ issuer }, get);
        // <issuer>/.well-known/... is the same URL with or without the slash; the issuer comparison catches it.
        expect(byId(checks, "discovery-issuer").message).toMatch(/differ only by a trailing slash/);
    });

    test("a JWKS without the cluster's kid", async () => {
        const checks = await diagnose(
            { issuer: issuers.otherkey, publicKeys: [cluster.publicPem], token: serviceAccountToken(cluster.privatePem, { issuer: issuers.otherkey }) },
            get,
        );
        expect(byId(checks, "jwks-known-keys")).toMatchObject({ ok: false, aadsts: expect.stringMatching(/AADSTS7000272/) });
        expect(byId(checks, "jwks-known-keys").message).toMatch(/^kid [\w-]+ is not published$/);
        expect(byId(checks, "token-kid")).toMatchObject({ ok: false, aadsts: expect.stringMatching(/AADSTS7000272/) });
    });
});

describe("broken tokens and credentials", () => {
    test("a token signed by another key under the published kid", async () => {
        const forged = serviceAccountToken(other.privatePem, {
            issuer: issuers.healthy,
            kid: JSON.parse(Buffer.from(healthyInput().token!.split(".")[0], "base64url").toString()).kid,
        });
        const checks = await diagnose(healthyInput({ token: forged }), get);
        expect(failed(checks)).toEqual(["token-signature"]);
        expect(byId(checks, "token-signature").aadsts).toMatch(/AADSTS700027/);
    });

    test("a wrong subject", async () => {
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, serviceAccount: "workload" });
        const checks = await diagnose(healthyInput({ token }), get);
        expect(failed(checks)).toEqual(["token-subject", "credential-match"]);
        expect(byId(checks, "token-subject")).toMatchObject({
            message: 'sub is "system:serviceaccount:demo:workload", not "system:serviceaccount:demo:workload-sa"',
            aadsts: expect.stringMatching(/AADSTS700213/),
        });
    });

    test("a wrong audience", async () => {
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, audience: "https://kubernetes.default.svc" });
        const checks = await diagnose(healthyInput({ token }), get);
        expect(failed(checks)).toEqual(["token-audience", "credential-match"]);
        expect(byId(checks, "token-audience").aadsts).toMatch(/AADSTS700212/);
    });

    test("an expired token (beyond the clock skew)", async () => {
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, now: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 3600 });
        const checks = await diagnose(healthyInput({ token }), get);
        expect(failed(checks)).toEqual(["token-lifetime"]);
        expect(byId(checks, "token-lifetime")).toMatchObject({
            message: expect.stringMatching(/^the token expired 36\d\d s ago/),
            aadsts: expect.stringMatching(/AADSTS700024/),
        });
    });

    test("a token a minute past exp is still inside the skew Entra allows, and is said to have expired", async () => {
        const now = Math.floor(Date.now() / 1000);
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, now: now - 3660, lifetimeSeconds: 3600 });
        const c = byId(await diagnose(healthyInput({ token, now }), get), "token-lifetime");
        expect(c.ok).toBe(true);
        expect(c.message).toMatch(/^the token expired 60 s ago \(exp \d{4}-/);
        expect(c.message).not.toMatch(/for another -/);
        expect(c.warning).toBe(
            `Entra still takes it within its 300 s clock-skew allowance, until ${new Date((now - 60 + 300) * 1000).toISOString()}; use a fresh token`,
        );
    });

    test("a token valid for 48 hours: Entra refuses its lifetime (AADSTS70023)", async () => {
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, lifetimeSeconds: 48 * 3600 });
        const checks = await diagnose(healthyInput({ token }), get);
        expect(failed(checks)).toEqual(["token-lifetime"]);
        expect(byId(checks, "token-lifetime")).toMatchObject({
            message: "the token is valid for 48 h (iat to exp), longer than the 25 h Entra takes",
            aadsts: expect.stringMatching(/^AADSTS70023/),
        });
        // 24 hours, what kubectl create token --duration 24h gives, passes.
        const day = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy, lifetimeSeconds: 24 * 3600 });
        expect(failed(await diagnose(healthyInput({ token: day }), get))).toEqual([]);
    });

    test("an EC cluster key: published and verified, but the token's ES256 is refused (AADSTS5002738) and the JWKS warns", async () => {
        const token = serviceAccountToken(ecCluster.privatePem, { issuer: issuers.eckey });
        const checks = await diagnose({ issuer: issuers.eckey, publicKeys: [ecCluster.publicPem], token }, get);
        expect(failed(checks)).toEqual(["token-algorithm"]);
        expect(byId(checks, "token-signature").ok).toBe(true);
        expect(byId(checks, "token-algorithm")).toMatchObject({
            message: 'the token is signed with "ES256"; Entra takes RS256, RS384, RS512 only',
            aadsts: expect.stringMatching(/^AADSTS5002738/),
        });
        expect(byId(checks, "jwks-keys").warning).toMatch(/^EC key [\w-]+: Entra verifies RSA signatures \(RS256, RS384, RS512\) and refuses .* AADSTS5002738/);
        expect(byId(await diagnose(healthyInput(), get), "jwks-keys").warning).toBeUndefined();
    });

    test("an access token Entra issued, passed as the assertion (AADSTS700222)", async () => {
        const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        for (const iss of [`https://login.microsoftonline.com/${tenant}/v2.0`, `https://sts.windows.net/${tenant}/`]) {
            const token = serviceAccountToken(cluster.privatePem, { issuer: iss });
            const c = byId(await diagnose(healthyInput({ token }), get), "token-issuer");
            expect(c).toMatchObject({ ok: false, aadsts: expect.stringMatching(/^AADSTS700222/) });
            expect(c.message).toBe(`iss is ${JSON.stringify(iss)}: this is a token Microsoft Entra issued, not a service-account token of the cluster`);
        }
    });

    test("a subject that differs only in letter case: Entra matches case-sensitively (AADSTS7002138)", async () => {
        const upper = "system:serviceaccount:Demo:workload-sa";
        const checks = await diagnose(
            healthyInput({
                subject: upper,
                federatedCredentials: [
                    { name: "id-demo/Demo_workload-sa", issuer: issuers.healthy, subject: upper, audiences: ["api://AzureADTokenExchange"] },
                ],
            }),
            get,
        );
        expect(failed(checks)).toEqual(["token-subject", "credential-match"]);
        for (const id of ["token-subject", "credential-match"]) {
            expect(byId(checks, id).aadsts).toMatch(/^AADSTS7002138/);
            expect(byId(checks, id).message).toMatch(/only in letter case/);
        }
    });

    test("a token whose iss lacks the trailing slash, and a credential that does", async () => {
        const token = serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy.replace(/\/$/, "") });
        const checks = await diagnose(healthyInput({ token }), get);
        expect(failed(checks)).toEqual(["token-issuer", "credential-match"]);
        expect(byId(checks, "token-issuer").message).toMatch(/only by a trailing slash/);
        expect(byId(checks, "credential-match").aadsts).toMatch(/AADSTS700211/);
    });

    test("not a JWT at all", async () => {
        const checks = await diagnose(healthyInput({ token: "not-a-token" }), get);
        expect(byId(checks, "token-format")).toMatchObject({ ok: false, message: expect.stringMatching(/not a compact JWT: 1 parts instead of 3/) });
    });
});

describe("a custom URL (CDN) in front of the storage: --served-from", () => {
    /**
     * The documents written under `store` for the issuer `issuer` (their issuer and jwks_uri name the custom URL, as
     * entra-wif writes them); a second container plays the CDN.
     */
    async function publishFor(container: string, issuer: string, keys: string[]): Promise<void> {
        const jwks = buildJwks(keys);
        await rp.publish({
            blobEndpoint: azurite.blobEndpoint,
            accountName: azurite.accountName,
            accountKey: azurite.accountKey,
            containerName: container,
            access: "blob",
            blobs: [
                {
                    blobName: ".well-known/openid-configuration",
                    contentType: "application/json",
                    text: serializeDiscoveryDocument(buildDiscoveryDocument(issuer, jwks)),
                },
                { blobName: "openid/v1/jwks", contentType: "application/json", text: serializeJwks(jwks) },
            ],
        });
    }

    test("a custom URL not live yet: the stored documents pass, and a warning says what Entra will answer until it is", async () => {
        const custom = issuerOf("cdnnotyet");
        await publishFor("storenotyet", custom, [cluster.publicPem]);
        const checks = await diagnoseEndpoints({ issuer: custom, publicKeys: [cluster.publicPem], servedFrom: issuerOf("storenotyet") }, get);
        expect(checks.filter((c) => !c.ok)).toEqual([]);
        expect(byId(checks, "discovery-reachable").message).toBe(
            `${issuerOf("storenotyet")}.well-known/openid-configuration answered 200 to an anonymous https GET`,
        );
        expect(byId(checks, "jwks-reachable").message).toBe(`${issuerOf("storenotyet")}openid/v1/jwks answered 200 to an anonymous https GET`);
        const served = byId(checks, "issuer-served");
        expect(served.ok).toBe(true);
        expect(served.warning).toMatch(
            new RegExp(
                `^${custom.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} does not serve them yet \\(.*HTTP 403 \\(AuthorizationFailure\\)\\): ` +
                    "point its CDN or custom domain at that origin; until it serves them, Entra answers AADSTS90061 / AADSTS501661$",
            ),
        );
    });

    test("a custom URL serving the same documents passes", async () => {
        const custom = issuerOf("cdnlive");
        await publishFor("storelive", custom, [cluster.publicPem]);
        await publishFor("cdnlive", custom, [cluster.publicPem]);
        const checks = await diagnoseEndpoints({ issuer: custom, publicKeys: [cluster.publicPem], servedFrom: issuerOf("storelive") }, get);
        expect(failed(checks)).toEqual([]);
        expect(byId(checks, "issuer-served")).toEqual({ id: "issuer-served", ok: true, message: `${custom} serves the same documents as the storage` });
    });

    test("a custom URL serving a stale JWKS fails: Entra reads what the CDN serves", async () => {
        const custom = issuerOf("cdnstale");
        await publishFor("storestale", custom, [cluster.publicPem, other.publicPem]);
        await publishFor("cdnstale", custom, [cluster.publicPem]);
        const checks = await diagnoseEndpoints({ issuer: custom, publicKeys: [cluster.publicPem, other.publicPem], servedFrom: issuerOf("storestale") }, get);
        expect(failed(checks)).toEqual(["issuer-served"]);
        expect(byId(checks, "issuer-served")).toMatchObject({
            message: `${custom}openid/v1/jwks serves another JWKS than the one stored at the origin`,
            aadsts: expect.stringMatching(/AADSTS7000272/),
            fix: expect.stringMatching(/^purge the CDN's cache/),
        });
    });

    test("the CLI takes --served-from, and the warning is a warn line with exit 0", async () => {
        const custom = issuerOf("cdnclinot");
        await publishFor("storecli", custom, [cluster.publicPem]);
        const r = await withEnv({ NODE_EXTRA_CA_CERTS: azurite.caFile }, () =>
            runDoctorCli(["--issuer", custom, "--served-from", issuerOf("storecli"), "--endpoints-only"]),
        );
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/\nwarn {2}issuer-served: the documents are stored at .*storecli\/ — .* does not serve them yet/);
    });
});

describe("TLS is always verified", () => {
    test("without the test CA the certificate is refused, and said to be", async () => {
        const strict = createHttpGet({ ca: [...tls.rootCertificates] });
        const c = byId(await diagnoseEndpoints({ issuer: issuers.healthy }, strict), "discovery-reachable");
        expect(c.ok).toBe(false);
        expect(c.message).toMatch(/could not be fetched: .*(self.signed|certificate)/i);
        expect(c.fix).toMatch(/public CA/);
    });

    test("NODE_EXTRA_CA_CERTS is added to the bundled and system CAs", () => {
        const ca = fs.readFileSync(azurite.caFile, "utf8");
        const cas = trustedCertificates({ NODE_EXTRA_CA_CERTS: azurite.caFile });
        expect(cas).toContain(ca);
        expect(cas.length).toBeGreaterThan(tls.rootCertificates.length);
    });
});

describe("the CLI", () => {
    /** The CLI in its own process, as a user runs it. */
    const doctorProcess = (args: string[]) => runTool("tools/doctor.ts", args, { NODE_EXTRA_CA_CERTS: azurite.caFile });
    /** The same CLI code in this process (what the process runs, less Node's start), with its environment for the run. */
    const doctor = (args: string[], extraEnv: Record<string, string> = {}) =>
        withEnv({ NODE_EXTRA_CA_CERTS: azurite.caFile, ...extraEnv }, () => runDoctorCli(args));
    let dir: string;
    // Started first and awaited by the last test: the process runs while the in-process tests do.
    let healthyProcess: ReturnType<typeof doctorProcess>;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-doctor-"));
        fs.writeFileSync(path.join(dir, "sa.pub"), cluster.publicPem);
        fs.writeFileSync(path.join(dir, "token"), serviceAccountToken(cluster.privatePem, { issuer: issuers.healthy }));
        healthyProcess = doctorProcess([
            "--issuer",
            issuers.healthy,
            "--public-key",
            path.join(dir, "sa.pub"),
            "--token-file",
            path.join(dir, "token"),
            "--subject",
            SUBJECT,
        ]);
    });
    afterAll(async () => {
        await healthyProcess;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("broken: exit 1, and --json prints {checks: [{id, ok, message, fix, aadsts}]}", async () => {
        const r = await doctor(["--issuer", issuers.octetstream, "--json"]);
        expect(r.code).toBe(1);
        const doc = JSON.parse(r.stdout);
        expect(Object.keys(doc)).toEqual(["checks"]);
        const bad = doc.checks.find((c: Check) => c.id === "discovery-content-type");
        expect(Object.keys(bad)).toEqual(["id", "ok", "message", "fix", "aadsts"]);
        for (const c of doc.checks) expect(typeof c.ok).toBe("boolean");
    });

    test("the terminal form of a failure keeps to one line with its fix and the AADSTS code", async () => {
        const r = await doctor(["--issuer", issuers.private]);
        expect(r.code).toBe(1);
        const line = r.stdout.split("\n").find((l) => l.startsWith("FAIL  discovery-reachable"))!;
        expect(line).toMatch(/^FAIL {2}discovery-reachable: .*HTTP 403.* — fix: .* — Entra would answer AADSTS90061/);
    });

    test.each([
        [[], /give --issuer <url> or --stack <name>/],
        [["--issuer"], /--issuer needs a value/],
        [["--issuer", "https://x/", "--subject", "demo:sa"], /--subject is system:serviceaccount:<namespace>:<name>/],
        [["--issuer", "https://x/", "--mint"], /--mint needs --subject/],
        [["--issuer", "https://x/", "--wait", "forever"], /--wait takes whole seconds/],
        [["--issuer", "https://x/", "--frobnicate"], /unknown argument: --frobnicate/],
        [["--issuer", "https://x/", "--token-file", "/nonexistent/token"], /cannot read token file \/nonexistent\/token/],
    ])("bad arguments %j: exit 2 with usage, nothing on stdout", async (args, message) => {
        const r = await doctor(args as string[]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(message as RegExp);
        expect(r.stderr).toMatch(/usage: npm run --silent doctor/);
    });

    test("--mint without kubectl reports it as a failed check", async () => {
        const r = await doctor(["--issuer", issuers.healthy, "--mint", "--subject", SUBJECT, "--json"], { PATH: path.dirname(process.execPath) });
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout).checks[0]).toMatchObject({ id: "token-mint", ok: false });
    });

    test("--wait retries a broken issuer only for the bounded time, and says on stderr what it waits for", async () => {
        const started = Date.now();
        const r = await doctor(["--issuer", issuers.octetstream, "--wait", "1", "--endpoints-only"]);
        expect(r.code).toBe(1);
        expect(Date.now() - started).toBeLessThan(30000);
        const progress = r.stderr.trim().split("\n");
        expect(progress.length).toBeGreaterThanOrEqual(1);
        expect(progress[0]).toMatch(
            new RegExp(
                "^doctor: 2 checks failing \\(discovery-content-type, jwks-content-type\\): " +
                    "the discovery document is served as application/octet-stream, not application/json; checking again in 1 s, 1 s left$",
            ),
        );
        // The report itself stays on stdout, whole.
        expect(r.stdout).toMatch(/^warn {2}issuer-url: /);
        expect(r.stdout).not.toMatch(/checking again/);
    });

    test("--wait reports each retry until the documents appear, then passes", async () => {
        const lines: string[] = [];
        let fetches = 0;
        // The documents appear on the third look, as a freshly written blob does behind a cache.
        const appearing: HttpGet = async (url) =>
            url.endsWith("/.well-known/openid-configuration") && ++fetches <= 2
                ? { status: 404, contentType: "application/xml", body: "<Error><Code>BlobNotFound</Code></Error>" }
                : get(url);
        const args = parseArgs(["--issuer", issuers.healthy, "--endpoints-only", "--wait", "30"]);
        const network = { get: appearing, post: async () => ({ status: 500, contentType: null, body: "" }) };
        const checks = await runDoctor(
            args,
            async () => undefined,
            network,
            (l) => lines.push(l),
        );
        expect(checks.every((c) => c.ok)).toBe(true);
        expect(lines).toHaveLength(2);
        for (const line of lines)
            expect(line).toMatch(
                /^doctor: 1 check failing \(discovery-reachable\): nothing at .*: HTTP 404 \(BlobNotFound\); checking again in 5 s, \d+ s left$/,
            );
    });

    test("healthy, in its own process: exit 0, one short line per check", async () => {
        const r = await healthyProcess;
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const lines = r.stdout.trim().split("\n");
        expect(lines).toHaveLength(18);
        // Every check passes; the issuer on 127.0.0.1 is one Entra could not reach, and the line says so.
        expect(lines[0]).toMatch(/^warn {2}issuer-url: .* — its host is 127\.0\.0\.1, a loopback address: Entra .* cannot reach it/);
        for (const line of lines.slice(1)) expect(line).toMatch(/^ok {4}[a-z-]+: /);
    });
});
