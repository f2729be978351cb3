/**
 * `doctor --exchange`: the doctor asks Entra — here a local HTTPS stand-in of the token endpoint that answers as
 * Entra does — for an access token with the service-account token, exactly as azure-identity's workload identity
 * credential asks, and explains the answer: success (audience and expiry only, the access token never shown), each
 * mapped AADSTS code in Entra's JSON error shape, a timeout, a non-JSON answer and a TLS failure.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HttpGet } from "../../lib/doctor";
import {
    AADSTS_ADVICE,
    CLIENT_ASSERTION_TYPE,
    DEFAULT_SCOPES,
    exchangeCheck,
    explainingChecks,
    HttpPost,
    LOGIN_AUTHORITIES,
    tokenEndpoint,
} from "../../lib/doctor/exchange";
import { createHttpGet, createHttpPost } from "../../lib/doctor/https";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { buildDiscoveryDocument, serializeDiscoveryDocument } from "../../lib/trust/oidc";
import { DoctorArgs, parseArgs, runDoctor } from "../../tools/doctor";
import { serviceAccountToken, tokenSigner } from "../support/jwt";
import { entraError, startTokenEndpoint, TokenEndpoint } from "../support/tokenEndpoint";
import { runTool } from "../support/processes";

const TENANT = "72f988bf-0000-4000-8000-00000000a11e";
const CLIENT_ID = "11111111-2222-4333-8444-555555555555";
const SUBJECT = "system:serviceaccount:demo:workload-sa";

const { privatePem, publicPem } = tokenSigner("a");

let entra: TokenEndpoint;
let dir: string;
let issuer: string;

/** An access token shaped like Entra's (a JWT whose payload names aud and exp): it must never be shown. */
const ACCESS_TOKEN_SECRET_PART = "c2VjcmV0LXNpZ25hdHVyZS1uZXZlci1wcmludGVk";
const base64urlJson = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const accessToken = (exp: number) =>
    `${base64urlJson({ typ: "JWT", alg: "RS256" })}.${base64urlJson({ aud: "https://management.azure.com", exp })}.${ACCESS_TOKEN_SECRET_PART}`;

beforeAll(async () => {
    entra = await startTokenEndpoint();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-exchange-"));
    // The same local host serves the issuer's documents, so the doctor's other checks run for real.
    issuer = `${entra.authority}oidc/`;
    const jwks = buildJwks([publicPem]);
    entra.documents["/oidc/.well-known/openid-configuration"] = serializeDiscoveryDocument(buildDiscoveryDocument(issuer, jwks));
    entra.documents["/oidc/openid/v1/jwks"] = serializeJwks(jwks);
}, 30000);

afterAll(async () => {
    await entra?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
    entra.requests.length = 0;
});

function tokenFile(opts: { serviceAccount?: string; issuerOverride?: string } = {}): string {
    const file = path.join(dir, `token-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, serviceAccountToken(privatePem, { issuer: opts.issuerOverride ?? issuer, serviceAccount: opts.serviceAccount }), { mode: 0o600 });
    return file;
}

/** The doctor's network, trusting the stand-in's certificate (it serves the documents and the token endpoint). */
const network = (timeoutMs = 5000): { get: HttpGet; post: HttpPost } => ({
    get: createHttpGet({ ca: [entra.ca] }),
    post: createHttpPost({ ca: [entra.ca], timeoutMs }),
});

/** The doctor's arguments for an exchange of the token in `file` with the stand-in: the same for the CLI and in process. */
const exchangeArgs = (file: string) => [
    "--issuer",
    issuer,
    "--token-file",
    file,
    "--subject",
    SUBJECT,
    "--exchange",
    "--client-id",
    CLIENT_ID,
    "--tenant-id",
    TENANT,
    "--authority",
    entra.authority,
];
const args = (file: string): DoctorArgs => parseArgs(exchangeArgs(file));

test("the request is azure-identity's: a form POST of the client credentials grant with the token as a jwt-bearer client assertion", async () => {
    const file = tokenFile();
    entra.answer = () => ({
        status: 200,
        body: JSON.stringify({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken(Math.floor(Date.now() / 1000) + 3599) }),
    });
    await runDoctor(args(file), undefined, network());
    expect(entra.requests).toHaveLength(1);
    const [request] = entra.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(request.contentType).toBe("application/x-www-form-urlencoded");
    expect(request.form).toEqual({
        client_id: CLIENT_ID,
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: fs.readFileSync(file, "utf8").trim(),
        grant_type: "client_credentials",
        scope: "https://management.azure.com/.default",
    });
});

test("success: entra-exchange passes with the audience and the expiry; the access token is nowhere in the report", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3599;
    entra.answer = () => ({ status: 200, body: JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: accessToken(exp) }) });
    const checks = await runDoctor(args(tokenFile()), undefined, network());
    expect(checks[0].id).toBe("entra-exchange");
    expect(checks[0].ok).toBe(true);
    const secondsLeft = checks[0].message.match(/\((\d+) s\)/)![1];
    expect(checks[0].message).toBe(
        `Entra issued an access token for https://management.azure.com, valid until ${new Date(exp * 1000).toISOString()} (${secondsLeft} s)`,
    );
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(JSON.stringify(checks)).not.toContain(ACCESS_TOKEN_SECRET_PART);
});

describe.each(Object.keys(AADSTS_ADVICE).map(Number))("Entra answers AADSTS%i", (code) => {
    test("entra-exchange fails with the code, Entra's description, a cause and a fix", async () => {
        entra.answer = () => entraError(code, `Entra's own words for ${code}.`);
        const checks = await runDoctor(args(tokenFile()), undefined, network());
        const exchange = checks[0];
        expect(exchange.id).toBe("entra-exchange");
        expect(exchange.ok).toBe(false);
        expect(exchange.aadsts).toBe(`AADSTS${code}`);
        expect(exchange.message).toContain(`Entra refused the exchange: AADSTS${code}: Entra's own words for ${code}.`);
        expect(exchange.message).toContain(AADSTS_ADVICE[code].cause);
        expect(exchange.message).not.toContain("Trace ID");
        expect(exchange.message).toContain("(correlation id 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9)");
        expect(exchange.fix).toBe(AADSTS_ADVICE[code].fix);
    });
});

test("the codes the issue names are all mapped", () => {
    for (const code of [
        700213, 70021, 700211, 700212, 700024, 90061, 50166, 7000215, 700016, 90002, 50027, 700027, 90014, 70023, 7002131, 7002138, 5002738, 700222, 501661,
    ])
        expect(AADSTS_ADVICE[code]).toBeDefined();
});

test("an unknown code still shows Entra's description, and where to look it up", async () => {
    entra.answer = () => entraError(5000224, "We are sorry, this resource is not available.");
    const [exchange] = await runDoctor(args(tokenFile()), undefined, network());
    expect(exchange.aadsts).toBe("AADSTS5000224");
    expect(exchange.message).toContain("AADSTS5000224: We are sorry, this resource is not available.");
    expect(exchange.fix).toContain("https://login.microsoftonline.com/error?code=");
});

test("the report says which offline check explains Entra's answer: the wrong service account for AADSTS700213", async () => {
    entra.answer = () => entraError(700213, "No matching federated identity record found for presented assertion subject 'system:serviceaccount:demo:other'.");
    const checks = await runDoctor(args(tokenFile({ serviceAccount: "other" })), undefined, network());
    expect(checks.find((c) => c.id === "token-subject")!.ok).toBe(false);
    expect(checks[0].message).toContain("explained by the failed check below: token-subject");
});

test("the report says which offline check explains AADSTS70021: a token issued without the trailing slash", async () => {
    entra.answer = () => entraError(70021, "No matching federated identity record found for presented assertion.");
    const checks = await runDoctor(args(tokenFile({ issuerOverride: issuer.replace(/\/$/, "") })), undefined, network());
    expect(checks[0].message).toMatch(/explained by the failed check below: token-issuer/);
});

test("when every offline check passes, it says the identity, tenant or request is at fault", async () => {
    entra.answer = () => entraError(700016, "Application with identifier 'x' was not found in the directory.");
    const checks = await runDoctor(args(tokenFile()), undefined, network());
    expect(checks.slice(1).every((c) => c.ok)).toBe(true);
    expect(checks[0].message).toContain("no offline check below fails for it: the identity, the tenant or the request is wrong");
});

test("a token endpoint that never answers: a bounded wait, then a failed check", async () => {
    entra.answer = () => "hang";
    const started = Date.now();
    const [exchange] = await runDoctor(args(tokenFile()), undefined, network(400));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exchange.ok).toBe(false);
    expect(exchange.message).toMatch(/could not be reached: no answer within 400 ms/);
});

test("an answer that is not JSON (a proxy's page, the wrong authority)", async () => {
    entra.answer = () => ({ status: 200, contentType: "text/html", body: "<html>Sign in</html>" });
    const [exchange] = await runDoctor(args(tokenFile()), undefined, network());
    expect(exchange.ok).toBe(false);
    expect(exchange.message).toMatch(/answered HTTP 200 with text\/html, not JSON/);
    expect(exchange.fix).toMatch(/--authority must be Entra's sign-in host/);
});

test("a certificate the doctor does not trust fails the exchange, never skips TLS", async () => {
    const untrusted = { ...network(), post: createHttpPost({ ca: [], timeoutMs: 2000 }) };
    const [exchange] = await runDoctor(args(tokenFile()), undefined, untrusted);
    expect(exchange.ok).toBe(false);
    expect(exchange.fix).toMatch(/certificate is not trusted/);
    expect(entra.requests).toHaveLength(0);
});

test("the authority and scope follow the cloud", () => {
    expect(tokenEndpoint(LOGIN_AUTHORITIES.AzureUSGovernmentCloud, TENANT)).toBe(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`);
    expect(tokenEndpoint("https://login.chinacloudapi.cn", TENANT)).toBe(`https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token`);
    expect(DEFAULT_SCOPES.AzureChinaCloud).toBe("https://management.chinacloudapi.cn/.default");
    expect(exchangeCheck(new Error("x"), "e").check.id).toBe("entra-exchange");
});

test("the CLI end to end: --exchange --json, exit 1 on Entra's refusal, exit 0 on success, the access token never printed", async () => {
    const file = tokenFile();
    const cli = (answer: ReturnType<typeof entraError>) => {
        entra.answer = () => answer;
        return runTool("tools/doctor.ts", [...exchangeArgs(file), "--json"], { NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem") });
    };
    fs.writeFileSync(path.join(dir, "ca.pem"), entra.ca);
    const refused = await cli(entraError(700213, "No matching federated identity record found for presented assertion subject."));
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout).checks as Array<{ id: string; aadsts?: string }>)[0]).toMatchObject({ id: "entra-exchange", aadsts: "AADSTS700213" });
    const granted = await cli({
        status: 200,
        body: JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: accessToken(Math.floor(Date.now() / 1000) + 3599) }),
    });
    expect(granted.stderr).toBe("");
    expect(granted.code).toBe(0);
    expect(granted.stdout + granted.stderr).not.toContain(ACCESS_TOKEN_SECRET_PART);
}, 120000);

test.each([
    [5002738, "token-algorithm"],
    [7002138, "credential-match"],
    [700222, "token-issuer"],
    [70023, "token-lifetime"],
    [501661, "discovery-reachable"],
])("AADSTS%i is explained by the failed offline check %s", (code, id) => {
    const checks = [
        { id: "token-format", ok: true, message: "" },
        { id, ok: false, message: "", fix: "" },
    ];
    expect(explainingChecks([code], checks)).toEqual([id]);
});
