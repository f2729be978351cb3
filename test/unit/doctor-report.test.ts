/**
 * The doctor's words, pinned: `--help`, and the report (text and JSON) of a corpus of situations a user meets — all
 * good, each document wrong in its own way, each token mistake, the warnings — against documents served from memory,
 * with a fixed clock and fixed keys, so the text is the same on every run. Recorded in test/fixtures/doctor/ (write
 * them again with ENTRA_WIF_RECORD_DOCTOR=1); a refactoring of the doctor must leave every byte as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Check, diagnose, FederatedCredential, formatChecks, HttpGet, HttpResponse } from "../../lib/doctor";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { buildDiscoveryDocument, discoveryUrl, jwksUrl, serializeDiscoveryDocument } from "../../lib/trust/oidc";
import { helpText } from "../../tools/doctor";
import { serviceAccountToken, tokenSigner } from "../support/jwt";

const FIXTURES = path.resolve(__dirname, "../fixtures/doctor");
const RECORD = Boolean(process.env.ENTRA_WIF_RECORD_DOCTOR);
const NOW = 1796256000; // 2026-12-03T00:00:00Z
const ISSUER = "https://wifdoctor.blob.core.windows.net/oidc/";
const SUBJECT = "system:serviceaccount:demo:workload-sa";
const EC_PUBLIC = fs.readFileSync(path.resolve(__dirname, "../vectors/kubernetes/ecdsa_p256_public.pem"), "utf8");

const a = tokenSigner("a");
const b = tokenSigner("b");
const json = (body: string, contentType = "application/json"): HttpResponse => ({ status: 200, contentType, body });

/** The two documents for `issuer` publishing `pems`, served from memory; `override` replaces an answer by URL. */
function site(issuer: string, pems: string[], override: Record<string, HttpResponse | Error> = {}): HttpGet {
    const jwks = buildJwks(pems);
    const answers: Record<string, HttpResponse | Error> = {
        [discoveryUrl(issuer)]: json(serializeDiscoveryDocument(buildDiscoveryDocument(issuer, jwks))),
        [jwksUrl(issuer)]: json(serializeJwks(jwks)),
        ...override,
    };
    return async (url) => {
        const answer = answers[url] ?? { status: 404, contentType: "application/xml", body: "<Error><Code>BlobNotFound</Code></Error>" };
        if (answer instanceof Error) throw answer;
        return answer;
    };
}

const credential = (overrides: Partial<FederatedCredential> = {}): FederatedCredential => ({
    name: "id-workload/fic-demo-workload-sa",
    issuer: ISSUER,
    subject: SUBJECT,
    audiences: ["api://AzureADTokenExchange"],
    ...overrides,
});

const token = (opts: Partial<Parameters<typeof serviceAccountToken>[1]> = {}, signer = a) =>
    serviceAccountToken(signer.privatePem, { issuer: ISSUER, now: NOW - 60, ...opts });

const SCENARIOS: Array<[string, () => Promise<Check[]>]> = [
    [
        "all good",
        () =>
            diagnose(
                { issuer: ISSUER, publicKeys: [a.publicPem], token: token(), subject: SUBJECT, federatedCredentials: [credential()], now: NOW },
                site(ISSUER, [a.publicPem]),
            ),
    ],
    ["endpoints only", () => diagnose({ issuer: ISSUER, publicKeys: [a.publicPem] }, site(ISSUER, [a.publicPem]))],
    [
        "public access off",
        () =>
            diagnose(
                { issuer: ISSUER },
                site(ISSUER, [a.publicPem], {
                    [discoveryUrl(ISSUER)]: { status: 409, contentType: "application/xml", body: "<Error><Code>PublicAccessNotPermitted</Code></Error>" },
                }),
            ),
    ],
    [
        "wrong content type",
        () =>
            diagnose(
                { issuer: ISSUER },
                site(ISSUER, [a.publicPem], { [jwksUrl(ISSUER)]: json(serializeJwks(buildJwks([a.publicPem])), "application/octet-stream") }),
            ),
    ],
    ["issuer without its trailing slash", () => diagnose({ issuer: ISSUER.replace(/\/$/, "") }, site(ISSUER, [a.publicPem]))],
    [
        "unreachable",
        () => diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem], { [discoveryUrl(ISSUER)]: new Error("connect ECONNREFUSED 20.60.1.1:443") })),
    ],
    [
        "self-signed certificate",
        () => diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem], { [discoveryUrl(ISSUER)]: new Error("self-signed certificate") })),
    ],
    ["cluster key not published", () => diagnose({ issuer: ISSUER, publicKeys: [b.publicPem] }, site(ISSUER, [a.publicPem]))],
    ["an EC key published", () => diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem, EC_PUBLIC]))],
    [
        "loopback issuer",
        () => diagnose({ issuer: "https://127.0.0.1:10000/devstoreaccount1/oidc/" }, site("https://127.0.0.1:10000/devstoreaccount1/oidc/", [a.publicPem])),
    ],
    ["token signed by an unpublished key", () => diagnose({ issuer: ISSUER, token: token({}, b), now: NOW }, site(ISSUER, [a.publicPem]))],
    ["token expired long ago", () => diagnose({ issuer: ISSUER, token: token({ now: NOW - 7200 }), now: NOW }, site(ISSUER, [a.publicPem]))],
    ["token expired within the skew", () => diagnose({ issuer: ISSUER, token: token({ now: NOW - 3745 }), now: NOW }, site(ISSUER, [a.publicPem]))],
    ["token lives 26 hours", () => diagnose({ issuer: ISSUER, token: token({ lifetimeSeconds: 26 * 3600 }), now: NOW }, site(ISSUER, [a.publicPem]))],
    [
        "token for another audience",
        () => diagnose({ issuer: ISSUER, token: token({ audience: "https://kubernetes.default.svc" }), now: NOW }, site(ISSUER, [a.publicPem])),
    ],
    [
        "token from another issuer",
        () => diagnose({ issuer: ISSUER, token: token({ issuer: "https://kubernetes.default.svc.cluster.local" }), now: NOW }, site(ISSUER, [a.publicPem])),
    ],
    [
        "subject differs in case",
        () => diagnose({ issuer: ISSUER, token: token(), subject: SUBJECT.replace("demo", "Demo"), now: NOW }, site(ISSUER, [a.publicPem])),
    ],
    [
        "credential for another subject",
        () =>
            diagnose(
                { issuer: ISSUER, token: token(), federatedCredentials: [credential({ subject: "system:serviceaccount:demo:other" })], now: NOW },
                site(ISSUER, [a.publicPem]),
            ),
    ],
    ["not a JWT", () => diagnose({ issuer: ISSUER, token: "not-a-token", now: NOW }, site(ISSUER, [a.publicPem]))],
    [
        "an http issuer",
        () => {
            const httpIssuer = ISSUER.replace("https:", "http:");
            const doc = { ...buildDiscoveryDocument(ISSUER, buildJwks([a.publicPem])), issuer: httpIssuer };
            return diagnose({ issuer: httpIssuer }, site(ISSUER, [a.publicPem], { [discoveryUrl(httpIssuer)]: json(JSON.stringify(doc)) }));
        },
    ],
    [
        "discovery served as HTML",
        () => diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem], { [discoveryUrl(ISSUER)]: json("<html>moved</html>", "text/html") })),
    ],
    [
        "jwks_uri over http",
        () => {
            const doc = { ...buildDiscoveryDocument(ISSUER, buildJwks([a.publicPem])), jwks_uri: "http://wifdoctor.blob.core.windows.net/oidc/openid/v1/jwks" };
            return diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem], { [discoveryUrl(ISSUER)]: json(JSON.stringify(doc)) }));
        },
    ],
    [
        "JWKS unreachable",
        () =>
            diagnose(
                { issuer: ISSUER },
                site(ISSUER, [a.publicPem], {
                    [jwksUrl(ISSUER)]: { status: 404, contentType: "application/xml", body: "<Error><Code>BlobNotFound</Code></Error>" },
                }),
            ),
    ],
    ["JWKS without keys", () => diagnose({ issuer: ISSUER }, site(ISSUER, [a.publicPem], { [jwksUrl(ISSUER)]: json('{"keys":[]}') }))],
    [
        "token with a broken signature",
        () => diagnose({ issuer: ISSUER, token: token().replace(/.$/, (c) => (c === "A" ? "B" : "A")), now: NOW }, site(ISSUER, [a.publicPem])),
    ],
    [
        "token signed ES384 by its header",
        () => {
            const [, payload, signature] = token().split(".");
            const header = Buffer.from(
                JSON.stringify({ alg: "ES384", kid: JSON.parse(Buffer.from(token().split(".")[0], "base64url").toString()).kid }),
            ).toString("base64url");
            return diagnose({ issuer: ISSUER, token: `${header}.${payload}.${signature}`, now: NOW }, site(ISSUER, [a.publicPem]));
        },
    ],
];

/** Every scenario's report as `npm run doctor` prints it, then its JSON. */
async function reports(): Promise<string> {
    const parts: string[] = [];
    for (const [name, run] of SCENARIOS) {
        const checks = await run();
        parts.push(`## ${name}\n${formatChecks(checks)}\n${JSON.stringify(checks, null, 1)}\n`);
    }
    return parts.join("\n");
}

function pinned(file: string, actual: string): void {
    const full = path.join(FIXTURES, file);
    if (RECORD) {
        fs.mkdirSync(FIXTURES, { recursive: true });
        fs.writeFileSync(full, actual);
    }
    expect(actual).toBe(fs.readFileSync(full, "utf8"));
}

test("the report of every scenario is the recorded one, byte for byte", async () => {
    pinned("reports.txt", await reports());
});

test("--help is the recorded one, byte for byte", () => {
    pinned("help.txt", `${helpText()}\n`);
});

test("the corpus covers every check the doctor has, passed and failed", async () => {
    const seen = new Map<string, Set<boolean>>();
    for (const [, run] of SCENARIOS) for (const c of await run()) seen.set(c.id, (seen.get(c.id) ?? new Set()).add(c.ok));
    expect([...seen].filter(([, outcomes]) => outcomes.size < 2).map(([id]) => id)).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(19);
});
