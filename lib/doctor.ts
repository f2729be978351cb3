/**
 * The doctor: finds, before Entra ID does, each mistake that makes a token exchange fail, and names it with its
 * cause, its fix and the AADSTS error Entra would answer instead.
 *
 * Entra's side of a token exchange, in order: fetch `<issuer>/.well-known/openid-configuration` anonymously over
 * https (application/json, `issuer` byte-identical), fetch its `jwks_uri`, find the token's `kid` there, check the
 * signature, then match iss/sub/aud against a federated credential and check the token's lifetime.
 *
 * The network is a parameter (HttpGet), so the checks run the same against Azure, Azurite or a test double.
 */
import { createPublicKey, JsonWebKey, KeyObject, verify } from "node:crypto";
import { keyId, toJwk } from "./keys";
import { DISCOVERY_PATH, discoveryUrl, ENTRA_TOKEN_EXCHANGE_AUDIENCE, issuerUrlProblems, joinIssuerPath } from "./oidc";

export interface Check {
    /** Stable identifier, e.g. `discovery-content-type`. */
    id: string;
    ok: boolean;
    /** What was found. */
    message: string;
    /** What to do about it (failed checks). */
    fix?: string;
    /** The error Entra ID answers when this is wrong (failed checks). */
    aadsts?: string;
    /**
     * A passed check that Entra may still refuse, or that holds only for now (e.g. an issuer Entra cannot reach, an EC
     * key): printed as `warn`, it does not fail the run.
     */
    warning?: string;
}

export interface HttpResponse {
    status: number;
    contentType: string | null;
    body: string;
}

/** An anonymous GET, no redirects followed, TLS verified; throws on a network or TLS failure. */
export type HttpGet = (url: string) => Promise<HttpResponse>;

export interface FederatedCredential {
    /** Where it lives, for messages (identity and credential name). */
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
}

export interface DoctorInput {
    /** The issuer exactly as the cluster and the federated credentials use it. */
    issuer: string;
    /**
     * Where the documents are stored when another host serves the issuer (issuer.customUrl: a CDN or custom domain in
     * front of the storage): the endpoint checks read the documents there, then the issuer itself is compared.
     */
    servedFrom?: string;
    /** Public keys the cluster signs with (PEM): each must be published with its kid. */
    publicKeys?: string[];
    /** A service-account token (compact JWT) to check as Entra would. */
    token?: string;
    /** The subject the token must carry: `system:serviceaccount:<namespace>:<name>`. */
    subject?: string;
    /** Federated credentials that must match the token. */
    federatedCredentials?: FederatedCredential[];
    /** Seconds since the epoch (tests); the clock otherwise. */
    now?: number;
}

/** The clock skew allowed around a token's nbf and exp. */
export const CLOCK_SKEW_SECONDS = 300;

const METADATA_UNREACHABLE = "AADSTS90061 / AADSTS50166 (request to the external OIDC endpoint failed)";
const ISSUER_MISMATCH = "AADSTS70021 / AADSTS700211 (no matching federated identity record for the assertion issuer)";
const REQUIRED_DISCOVERY_FIELDS = ["issuer", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"];

const pass = (id: string, message: string, warning?: string): Check => ({ id, ok: true, message, ...(warning ? { warning } : {}) });
const fail = (id: string, message: string, fix: string, aadsts?: string): Check => ({ id, ok: false, message, fix, ...(aadsts ? { aadsts } : {}) });

function isJsonContentType(contentType: string | null): boolean {
    return contentType !== null && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/** The storage service's error code in an XML error body, e.g. PublicAccessNotPermitted. */
function storageErrorCode(body: string): string | undefined {
    return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

async function tryGet(get: HttpGet, url: string): Promise<HttpResponse | Error> {
    try {
        return await get(url);
    } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
    }
}

/** Explains a failed anonymous GET of one of the documents. */
function unreachable(id: string, what: string, url: string, r: HttpResponse | Error): Check {
    if (r instanceof Error) {
        const tls = /certificate|self.signed|SSL|TLS/i.test(r.message);
        return fail(
            id,
            `${what} at ${url} could not be fetched: ${r.message}`,
            tls
                ? "Entra accepts only a certificate from a public CA for the host; " +
                      "serve the issuer from Azure Storage or another publicly trusted https endpoint"
                : "check the host name and that the endpoint is reachable from the internet (storage firewall, private endpoint, DNS)",
            METADATA_UNREACHABLE,
        );
    }
    const code = storageErrorCode(r.body);
    const codeText = code ? ` (${code})` : "";
    if (r.status === 403 || r.status === 401 || code === "PublicAccessNotPermitted" || code === "AuthorizationFailure") {
        return fail(
            id,
            `${what} at ${url} refused an anonymous read: HTTP ${r.status}${codeText}`,
            "Entra reads anonymously from the internet: make the container public-read for blobs (publicAccess Blob), " +
                "allow public blob access on the account, and let the storage firewall admit public networks — or use the static website",
            METADATA_UNREACHABLE,
        );
    }
    if (r.status === 404) {
        return fail(
            id,
            `nothing at ${url}: HTTP 404${codeText}`,
            code === "ContainerNotFound"
                ? "the container does not exist: check the container name in the issuer URL"
                : `the ${what} is not at this path: upload it exactly there (a private container can also answer 404 on Azure)`,
            METADATA_UNREACHABLE,
        );
    }
    if (r.status >= 300 && r.status < 400) {
        return fail(
            id,
            `${what} at ${url} answered a redirect (HTTP ${r.status})`,
            "serve the document at this exact URL; Entra does not follow redirects",
            METADATA_UNREACHABLE,
        );
    }
    return fail(id, `${what} at ${url} answered HTTP ${r.status}${codeText}`, "serve the document with HTTP 200", METADATA_UNREACHABLE);
}

/**
 * Why Entra cannot reach the issuer's host, or undefined for a public one: a loopback, private, link-local or shared
 * address (RFC 1918, RFC 6598, RFC 4193, RFC 3927/4291), or a name only a local network resolves.
 */
export function privateHostReason(issuer: string): string | undefined {
    let host: string;
    try {
        host = new URL(issuer).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    if (host === "localhost" || host.endsWith(".localhost")) return `${host}, this machine`;
    const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)?.slice(1).map(Number);
    if (v4) {
        const [a, b] = v4;
        if (a === 127) return `${host}, a loopback address`;
        if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return `${host}, a private address`;
        if (a === 169 && b === 254) return `${host}, a link-local address`;
        if (a === 100 && b >= 64 && b <= 127) return `${host}, a shared (carrier-grade NAT) address`;
        if (a === 0) return `${host}, not a routable address`;
        return undefined;
    }
    if (host.startsWith("[")) {
        const v6 = host.slice(1, -1);
        if (v6 === "::1") return `${host}, a loopback address`;
        if (/^f[cd][0-9a-f]{0,2}:/.test(v6)) return `${host}, a unique local (private) address`;
        if (/^fe[89ab][0-9a-f]?:/.test(v6)) return `${host}, a link-local address`;
        return undefined;
    }
    if (!host.includes(".")) return `${host}, a name without a domain that only a local network resolves`;
    if (/\.(local|internal|lan|home\.arpa|intranet|corp)$/.test(host)) return `${host}, a name only a local network resolves`;
    return undefined;
}

/**
 * The algorithms Entra takes for a federated assertion. Entra documents RS256 as the tested one, and answers other
 * algorithms with AADSTS5002738 "Invalid JWT token. 'ES384' is not a supported signature algorithm. Supported signing
 * algorithms are: 'RS256,RS384,RS512'" (the text MSAL.NET's tests record; AzureAD/microsoft-identity-web#3467 for ES256).
 */
export const ENTRA_ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512"];
const UNSUPPORTED_ALGORITHM = "AADSTS5002738 (the assertion's signature algorithm is not supported)";

/** The warning for EC keys in a JWKS: published fine, but Entra refuses the tokens they sign. */
function ecKeyWarning(keys: Jwk[]): string | undefined {
    const ec = keys.filter((k) => k.kty === "EC").map((k) => k.kid);
    if (ec.length === 0) return undefined;
    return (
        `EC key${ec.length === 1 ? "" : "s"} ${ec.join(", ")}: Entra verifies RSA signatures (${ENTRA_ASSERTION_ALGORITHMS.join(", ")}) ` +
        `and refuses tokens a cluster signs with an EC key with ${UNSUPPORTED_ALGORITHM}; sign service-account tokens with an RSA key`
    );
}

/** Entra's own sign-in hosts: a token they issued is never a federated assertion (AADSTS700222). */
const ENTRA_ISSUER_HOSTS = new RegExp(
    "(^|\\.)(" +
        ["login\\.microsoftonline\\.(com|us)", "login\\.microsoft\\.com", "login\\.windows\\.net", "sts\\.windows\\.net"]
            .concat(["login\\.chinacloudapi\\.cn", "login\\.partner\\.microsoftonline\\.cn"])
            .join("|") +
        ")$",
);

function isEntraIssued(iss: unknown): boolean {
    if (typeof iss !== "string") return false;
    try {
        return ENTRA_ISSUER_HOSTS.test(new URL(iss).hostname.toLowerCase());
    } catch {
        return false;
    }
}

/**
 * The longest assertion lifetime (exp − iat) Entra takes: it answers longer ones with AADSTS70023 (reported for
 * tokens valid over 25 hours). The webhook projects tokens for 1 hour by default.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 25 * 3600;

/** Where people put the discovery document by mistake; found there, the fix names the right path. */
function misplacedDiscoveryUrls(issuer: string): string[] {
    const urls = [
        joinIssuerPath(issuer, ".well-known/oidc-configuration"),
        joinIssuerPath(issuer, ".well-known/openid-configuration.json"),
        joinIssuerPath(issuer, "openid-configuration"),
    ];
    // The same document under the issuer with or without its trailing slash.
    const other = issuer.endsWith("/") ? issuer.slice(0, -1) : `${issuer}/`;
    const otherUrl = discoveryUrl(other);
    if (otherUrl !== discoveryUrl(issuer)) urls.push(otherUrl);
    return urls;
}

interface Jwk extends JsonWebKey {
    kid?: string;
    use?: string;
    alg?: string;
}

const RSA_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const EC_ALG_BY_CURVE: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** What is wrong with one JWK, or undefined. */
function jwkProblem(jwk: Jwk): string | undefined {
    if (!jwk || typeof jwk !== "object") return "it is not an object";
    if (typeof jwk.kid !== "string" || jwk.kid === "") return "it has no kid (Entra finds the key by the token's kid)";
    if (jwk.use !== undefined && jwk.use !== "sig") return `use is "${jwk.use}", not "sig"`;
    if (jwk.kty === "RSA") {
        if (typeof jwk.n !== "string" || typeof jwk.e !== "string") return "an RSA key needs n and e";
        if (jwk.alg !== undefined && !RSA_ALGS.includes(jwk.alg)) return `alg ${jwk.alg} does not fit an RSA key`;
    } else if (jwk.kty === "EC") {
        if (!(String(jwk.crv) in EC_ALG_BY_CURVE)) return `curve ${jwk.crv} is not P-256, P-384 or P-521`;
        if (typeof jwk.x !== "string" || typeof jwk.y !== "string") return "an EC key needs x and y";
        if (jwk.alg !== undefined && jwk.alg !== EC_ALG_BY_CURVE[String(jwk.crv)]) return `alg ${jwk.alg} does not fit curve ${jwk.crv}`;
    } else {
        return `kty ${jwk.kty} is not RSA or EC`;
    }
    try {
        createPublicKey({ key: jwk, format: "jwk" });
    } catch (err) {
        return `the key material does not parse: ${(err as Error).message}`;
    }
    return undefined;
}

/** The endpoint checks (1 and 2): what Entra fetches before it looks at any token. */
async function endpointChecks(input: DoctorInput, get: HttpGet, checks: Check[]): Promise<Jwk[] | undefined> {
    const { issuer } = input;
    const problems = issuerUrlProblems(issuer);
    const unreachableHost = problems.length === 0 ? privateHostReason(issuer) : undefined;
    checks.push(
        problems.length === 0
            ? pass(
                  "issuer-url",
                  `issuer ${issuer} is an https URL without query or fragment`,
                  unreachableHost &&
                      `its host is ${unreachableHost}: Entra fetches the documents from the internet and cannot reach it, ` +
                          "and would answer AADSTS90061 / AADSTS501661; serve the issuer from a public host for real tokens",
              )
            : fail(
                  "issuer-url",
                  `issuer ${issuer}: ${problems.join("; ")}`,
                  "use an https URL with a host and no query, fragment or credentials",
                  METADATA_UNREACHABLE,
              ),
    );

    // With servedFrom, the documents are read where they are stored, and the issuer's own host is compared after.
    const fetchUrl = (u: string) => (input.servedFrom ? movedUnder(u, issuer, input.servedFrom) : u);
    const url = fetchUrl(discoveryUrl(issuer));
    const discovery = await tryGet(get, url);
    if (discovery instanceof Error || discovery.status !== 200) {
        const check = unreachable("discovery-reachable", "discovery document", url, discovery);
        if (!(discovery instanceof Error) && discovery.status === 404) {
            for (const candidate of misplacedDiscoveryUrls(issuer).map(fetchUrl)) {
                const found = await tryGet(get, candidate);
                if (!(found instanceof Error) && found.status === 200) {
                    check.fix = `a document was found at ${candidate}: it must be at ${url} (${DISCOVERY_PATH} under the issuer, byte for byte)`;
                    break;
                }
            }
        }
        checks.push(check);
        return undefined;
    }
    checks.push(pass("discovery-reachable", `${url} answered 200 to an anonymous https GET`));

    checks.push(
        isJsonContentType(discovery.contentType)
            ? pass("discovery-content-type", `served as ${discovery.contentType}`)
            : fail(
                  "discovery-content-type",
                  `the discovery document is served as ${discovery.contentType ?? "(no Content-Type)"}, not application/json`,
                  "set the blob's content type: az storage blob update --content-type application/json (entra-wif sets it; hand uploads often do not)",
                  METADATA_UNREACHABLE,
              ),
    );

    let doc: Record<string, unknown>;
    try {
        doc = JSON.parse(discovery.body);
        if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not a JSON object");
    } catch (err) {
        checks.push(
            fail(
                "discovery-json",
                `the discovery document is not a JSON object: ${(err as Error).message}`,
                "publish the discovery document entra-wif outputs (discoveryDocument)",
                METADATA_UNREACHABLE,
            ),
        );
        return undefined;
    }
    const missing = REQUIRED_DISCOVERY_FIELDS.filter((f) => doc[f] === undefined);
    checks.push(
        missing.length === 0
            ? pass("discovery-json", "valid JSON with issuer, jwks_uri and the supported types and algorithms")
            : fail(
                  "discovery-json",
                  `the discovery document lacks ${missing.join(", ")}`,
                  "publish the discovery document entra-wif outputs (discoveryDocument)",
                  METADATA_UNREACHABLE,
              ),
    );

    const published = doc.issuer;
    if (published === issuer) {
        checks.push(pass("discovery-issuer", "its issuer is byte-identical to the issuer asked about"));
    } else {
        const slashOnly = typeof published === "string" && published.replace(/\/$/, "") === issuer.replace(/\/$/, "");
        checks.push(
            fail(
                "discovery-issuer",
                slashOnly
                    ? `the document's issuer ${JSON.stringify(published)} and ${JSON.stringify(issuer)} differ only by a trailing slash`
                    : `the document's issuer is ${JSON.stringify(published)}, not ${JSON.stringify(issuer)}`,
                "use one issuer string, byte for byte, in the discovery document, kube-apiserver's --service-account-issuer and every federated credential",
                ISSUER_MISMATCH,
            ),
        );
    }

    const jwksUri = doc.jwks_uri;
    if (typeof jwksUri !== "string" || !/^https:\/\//.test(jwksUri)) {
        checks.push(
            fail("jwks-uri", `jwks_uri is ${JSON.stringify(jwksUri)}, not an https URL`, "point jwks_uri at the JWKS over https", METADATA_UNREACHABLE),
        );
        return undefined;
    }
    checks.push(pass("jwks-uri", `jwks_uri ${jwksUri}`));

    const jwksFetched = fetchUrl(jwksUri);
    const jwks = await tryGet(get, jwksFetched);
    if (jwks instanceof Error || jwks.status !== 200) {
        checks.push(unreachable("jwks-reachable", "JWKS", jwksFetched, jwks));
        return undefined;
    }
    checks.push(pass("jwks-reachable", `${jwksFetched} answered 200 to an anonymous https GET`));
    checks.push(
        isJsonContentType(jwks.contentType)
            ? pass("jwks-content-type", `served as ${jwks.contentType}`)
            : fail(
                  "jwks-content-type",
                  `the JWKS is served as ${jwks.contentType ?? "(no Content-Type)"}, not application/json`,
                  "set the blob's content type: az storage blob update --content-type application/json",
                  METADATA_UNREACHABLE,
              ),
    );

    let keys: Jwk[];
    try {
        const set = JSON.parse(jwks.body);
        if (!set || !Array.isArray(set.keys)) throw new Error("no keys array");
        keys = set.keys;
    } catch (err) {
        checks.push(
            fail("jwks-keys", `the JWKS is not a JSON key set: ${(err as Error).message}`, "publish the JWKS entra-wif outputs (jwks)", METADATA_UNREACHABLE),
        );
        return undefined;
    }
    const bad = keys.map((k, i) => [i, jwkProblem(k)] as const).filter(([, p]) => p !== undefined);
    checks.push(
        keys.length === 0
            ? fail(
                  "jwks-keys",
                  "the JWKS holds no keys",
                  "publish the cluster's public keys (entra-wif's jwks output)",
                  "AADSTS7000272 (the signing key is not in the issuer's metadata)",
              )
            : bad.length === 0
              ? pass(
                    "jwks-keys",
                    `${keys.length} well-formed signing key${keys.length === 1 ? "" : "s"}: ${keys.map((k) => k.kid).join(", ")}`,
                    ecKeyWarning(keys),
                )
              : fail(
                    "jwks-keys",
                    bad.map(([i, p]) => `keys[${i}]: ${p}`).join("; "),
                    "publish JWKs with kid, kty RSA (n, e) or EC (crv, x, y), use sig",
                    "AADSTS7000272 (the signing key is not in the issuer's metadata)",
                ),
    );

    if (input.publicKeys && input.publicKeys.length > 0) {
        const problems: string[] = [];
        for (const pem of input.publicKeys) {
            const kid = keyId(pem);
            const expected = toJwk(pem) as unknown as Record<string, unknown>;
            const found = keys.find((k) => k.kid === kid) as Record<string, unknown> | undefined;
            if (!found) {
                problems.push(`kid ${kid} is not published`);
                continue;
            }
            const material = expected.kty === "RSA" ? ["n", "e"] : ["crv", "x", "y"];
            if (material.some((f) => found[f] !== expected[f])) problems.push(`kid ${kid} is published with other key material`);
        }
        checks.push(
            problems.length === 0
                ? pass("jwks-known-keys", `every cluster key is published: ${input.publicKeys.map(keyId).join(", ")}`)
                : fail(
                      "jwks-known-keys",
                      problems.join("; "),
                      "publish every key the cluster signs or verifies with (entra-wif's jwks output); during rotation, old and new together",
                      "AADSTS7000272 (the signing key is not in the issuer's metadata)",
                  ),
        );
    }
    if (input.servedFrom) checks.push(await issuerServedCheck(issuer, url, discovery.body, jwksUri, jwks.body, get));
    return keys;
}

/** `url` under `to` instead of `from` (the issuer), or `url` itself when it is not under the issuer. */
function movedUnder(url: string, from: string, to: string): string {
    const base = from.endsWith("/") ? from : `${from}/`;
    if (!url.startsWith(base)) return url;
    return `${to.endsWith("/") ? to : `${to}/`}${url.slice(base.length)}`;
}

/**
 * The issuer's own host (a CDN or custom domain) against the stored documents. Not yet serving them is a warning,
 * not a failure: the first `pulumi up` creates the storage the CDN's origin points at, so the CDN can only go live
 * after it, and until it is set up it answers anything (an error, 404, 403, its own page). Serving other documents is a
 * failure (a stale cache or another origin): Entra reads what the issuer serves.
 */
async function issuerServedCheck(
    issuer: string,
    storedDiscoveryUrl: string,
    storedDiscovery: string,
    jwksUri: string,
    storedJwks: string,
    get: HttpGet,
): Promise<Check> {
    const notLive = (what: string) =>
        pass(
            "issuer-served",
            `the documents are stored at ${storedDiscoveryUrl.slice(0, -DISCOVERY_PATH.length)}`,
            `${issuer} does not serve them yet (${what}): point its CDN or custom domain at that origin; ` +
                `until it serves them, Entra answers AADSTS90061 / AADSTS501661`,
        );
    const served: Array<[string, string, string]> = [
        ["discovery document", discoveryUrl(issuer), storedDiscovery],
        ["JWKS", jwksUri, storedJwks],
    ];
    for (const [what, url, stored] of served) {
        const r = await tryGet(get, url);
        if (r instanceof Error) return notLive(`${url}: ${r.message}`);
        // A CDN or domain not set up yet answers anything (404, 403, its own error page): not live, not wrong.
        if (r.status !== 200) return notLive(`${url}: HTTP ${r.status}${storageErrorCode(r.body) ? ` (${storageErrorCode(r.body)})` : ""}`);
        if (!isJsonContentType(r.contentType))
            return fail(
                "issuer-served",
                `${url} serves the ${what} as ${r.contentType ?? "(no Content-Type)"}, not application/json`,
                "make the CDN pass the origin's Content-Type through",
                METADATA_UNREACHABLE,
            );
        if (r.body !== stored)
            return fail(
                "issuer-served",
                `${url} serves another ${what} than the one stored at the origin`,
                "purge the CDN's cache (entra-wif serves the documents with Cache-Control: no-cache), and check that its origin is the stack's storage",
                what === "JWKS" ? "AADSTS700027 / AADSTS7000272 (the signing key is not in the issuer's metadata)" : ISSUER_MISMATCH,
            );
    }
    return pass("issuer-served", `${issuer} serves the same documents as the storage`);
}

function decodeSegment(segment: string): Record<string, unknown> {
    const value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not a JSON object");
    return value;
}

const HASH_BY_ALG: Record<string, string> = {
    RS256: "sha256",
    RS384: "sha384",
    RS512: "sha512",
    ES256: "sha256",
    ES384: "sha384",
    ES512: "sha512",
    PS256: "sha256",
    PS384: "sha384",
    PS512: "sha512",
};

function verifySignature(alg: string, key: KeyObject, signingInput: string, signature: Buffer): boolean {
    const hash = HASH_BY_ALG[alg];
    if (!hash) return false;
    if (alg.startsWith("ES")) return verify(hash, Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" }, signature);
    if (alg.startsWith("PS"))
        return verify(hash, Buffer.from(signingInput), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -2 /* digest length */ }, signature);
    return verify(hash, Buffer.from(signingInput), key, signature);
}

/** Entra matches a federated credential's subject case-sensitively (Microsoft Entra breaking change, 2025). */
const SUBJECT_CASE_MISMATCH = "AADSTS7002138 (no matching federated identity record for the assertion subject: matching is case-sensitive)";
const SUBJECT_CASE_FIX =
    "write the credential's subject exactly as the token carries it: Kubernetes names are lower case (system:serviceaccount:<namespace>:<name>)";

const caseOnly = (a: unknown, b: unknown): boolean => typeof a === "string" && typeof b === "string" && a !== b && a.toLowerCase() === b.toLowerCase();

const hours = (seconds: number): string => (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${(seconds / 3600).toFixed(1)} h`);

/** The token checks (3) and the federated-credential checks (4). */
function tokenChecks(input: DoctorInput, keys: Jwk[] | undefined, checks: Check[]): void {
    const token = input.token!.trim();
    const parts = token.split(".");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
        if (parts.length !== 3) throw new Error(`${parts.length} parts instead of 3`);
        header = decodeSegment(parts[0]);
        claims = decodeSegment(parts[1]);
    } catch (err) {
        checks.push(
            fail(
                "token-format",
                `the token is not a compact JWT: ${(err as Error).message}`,
                "pass the projected token file's content (or mint one with kubectl create token)",
            ),
        );
        return;
    }
    checks.push(pass("token-format", `a JWT signed with ${header.alg}, kid ${header.kid}`));
    checks.push(
        ENTRA_ASSERTION_ALGORITHMS.includes(String(header.alg))
            ? pass("token-algorithm", `${header.alg} is an algorithm Entra takes`)
            : fail(
                  "token-algorithm",
                  `the token is signed with ${JSON.stringify(header.alg)}; Entra takes ${ENTRA_ASSERTION_ALGORITHMS.join(", ")} only`,
                  "make the cluster sign service-account tokens with an RSA key (entra-wif's generated keys are RSA; " +
                      "replace an EC sa.key by an RSA one, publishing both during the change)",
                  UNSUPPORTED_ALGORITHM,
              ),
    );

    if (keys) {
        const key = keys.find((k) => k.kid === header.kid);
        if (!key) {
            checks.push(
                fail(
                    "token-kid",
                    `the token's kid ${header.kid} is not in the published JWKS (${keys.map((k) => k.kid).join(", ") || "empty"})`,
                    "publish the key the cluster signs with, or make the cluster sign with a published key (service-account-signing-key-file)",
                    "AADSTS7000272 (the signing key is not in the issuer's metadata)",
                ),
            );
        } else {
            checks.push(pass("token-kid", `kid ${header.kid} is published`));
            let ok: boolean;
            try {
                ok = verifySignature(
                    String(header.alg),
                    createPublicKey({ key, format: "jwk" }),
                    `${parts[0]}.${parts[1]}`,
                    Buffer.from(parts[2], "base64url"),
                );
            } catch {
                ok = false;
            }
            checks.push(
                ok
                    ? pass("token-signature", `the signature verifies with the published key ${header.kid}`)
                    : fail(
                          "token-signature",
                          `the signature does not verify with the published key ${header.kid}`,
                          "the cluster signs with a different private key than the one published under that kid: publish the cluster's actual public key",
                          "AADSTS700027 (the assertion contains an invalid signature)",
                      ),
            );
        }
    }

    checks.push(
        isEntraIssued(claims.iss)
            ? fail(
                  "token-issuer",
                  `iss is ${JSON.stringify(claims.iss)}: this is a token Microsoft Entra issued, not a service-account token of the cluster`,
                  "pass the pod's projected service-account token (the file AZURE_FEDERATED_TOKEN_FILE names), not an Azure access token",
                  "AADSTS700222 (Entra-issued tokens may not be used for federated identity flows)",
              )
            : claims.iss === input.issuer
              ? pass("token-issuer", "iss is byte-identical to the issuer")
              : fail(
                    "token-issuer",
                    typeof claims.iss === "string" && claims.iss.replace(/\/$/, "") === input.issuer.replace(/\/$/, "")
                        ? `iss ${JSON.stringify(claims.iss)} differs from the issuer ${JSON.stringify(input.issuer)} only by a trailing slash`
                        : `iss is ${JSON.stringify(claims.iss)}, not ${JSON.stringify(input.issuer)}`,
                    "set kube-apiserver's --service-account-issuer to the issuer exactly (entra-wif's kubeApiServerFlags) " +
                        "and restart pods so they get new tokens",
                    ISSUER_MISMATCH,
                ),
    );

    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    checks.push(
        audiences.includes(ENTRA_TOKEN_EXCHANGE_AUDIENCE)
            ? pass("token-audience", `aud contains ${ENTRA_TOKEN_EXCHANGE_AUDIENCE}`)
            : fail(
                  "token-audience",
                  `aud is ${JSON.stringify(claims.aud)}, without ${ENTRA_TOKEN_EXCHANGE_AUDIENCE}`,
                  `request the token for audience ${ENTRA_TOKEN_EXCHANGE_AUDIENCE} (projected volume audience, or kubectl create token --audience)`,
                  "AADSTS700212 (no matching federated identity record for the assertion audience)",
              ),
    );

    if (input.subject !== undefined) {
        checks.push(
            claims.sub === input.subject
                ? pass("token-subject", `sub is ${input.subject}`)
                : caseOnly(claims.sub, input.subject)
                  ? fail(
                        "token-subject",
                        `sub is ${JSON.stringify(claims.sub)}, which differs from ${JSON.stringify(input.subject)} only in letter case`,
                        SUBJECT_CASE_FIX,
                        SUBJECT_CASE_MISMATCH,
                    )
                  : fail(
                        "token-subject",
                        `sub is ${JSON.stringify(claims.sub)}, not ${JSON.stringify(input.subject)}`,
                        "run the workload with the service account the federated credential names (namespace and name, exactly)",
                        "AADSTS700213 (no matching federated identity record for the assertion subject)",
                    ),
        );
    }

    const now = input.now ?? Math.floor(Date.now() / 1000);
    const exp = typeof claims.exp === "number" ? claims.exp : undefined;
    const nbf = typeof claims.nbf === "number" ? claims.nbf : typeof claims.iat === "number" ? claims.iat : undefined;
    if (exp === undefined) {
        checks.push(
            fail(
                "token-lifetime",
                "the token has no exp",
                "use a projected service-account token (they always expire)",
                "AADSTS700024 (the assertion is not within its valid time range)",
            ),
        );
    } else if (now > exp + CLOCK_SKEW_SECONDS) {
        checks.push(
            fail(
                "token-lifetime",
                `the token expired ${now - exp} s ago (exp ${new Date(exp * 1000).toISOString()})`,
                "use a fresh token: the kubelet refreshes projected tokens; a copied token file goes stale",
                "AADSTS700024 (the assertion is not within its valid time range)",
            ),
        );
    } else if (nbf !== undefined && now < nbf - CLOCK_SKEW_SECONDS) {
        checks.push(
            fail(
                "token-lifetime",
                `the token is not valid for another ${nbf - now} s (nbf ${new Date(nbf * 1000).toISOString()})`,
                "check the clocks of the cluster's nodes (NTP)",
                "AADSTS700024 (the assertion is not within its valid time range)",
            ),
        );
    } else if (nbf !== undefined && exp - nbf > MAX_ASSERTION_LIFETIME_SECONDS) {
        checks.push(
            fail(
                "token-lifetime",
                `the token is valid for ${hours(exp - nbf)} (iat to exp), longer than the ${hours(MAX_ASSERTION_LIFETIME_SECONDS)} Entra takes`,
                "request a shorter token: the webhook projects 1 h by default (azure.workload.identity/service-account-token-expiration), " +
                    "kubectl create token --duration 1h",
                "AADSTS70023 (the assertion's lifetime is too long)",
            ),
        );
    } else if (now > exp) {
        checks.push(
            pass(
                "token-lifetime",
                `the token expired ${now - exp} s ago (exp ${new Date(exp * 1000).toISOString()})`,
                `Entra still takes it within its ${CLOCK_SKEW_SECONDS} s clock-skew allowance, until ` +
                    `${new Date((exp + CLOCK_SKEW_SECONDS) * 1000).toISOString()}; use a fresh token`,
            ),
        );
    } else {
        checks.push(pass("token-lifetime", `valid now, for another ${exp - now} s`));
    }

    if (input.federatedCredentials && input.federatedCredentials.length > 0) {
        const candidates = input.federatedCredentials.filter((c) => c.subject === claims.sub);
        const caseOnlyMatches = input.federatedCredentials.filter((c) => caseOnly(c.subject, claims.sub));
        if (candidates.length === 0 && caseOnlyMatches.length > 0) {
            checks.push(
                fail(
                    "credential-match",
                    `federated credential ${caseOnlyMatches.map((c) => `${c.name} has subject ${JSON.stringify(c.subject)}`).join(", ")}: ` +
                        `it differs from the token's ${JSON.stringify(claims.sub)} only in letter case`,
                    SUBJECT_CASE_FIX,
                    SUBJECT_CASE_MISMATCH,
                ),
            );
            return;
        }
        if (candidates.length === 0) {
            checks.push(
                fail(
                    "credential-match",
                    `no federated credential has subject ${JSON.stringify(claims.sub)} (known: ${input.federatedCredentials.map((c) => c.subject).join(", ")})`,
                    "add the workload to entra-wif:workloads, or run it with a service account that has a credential",
                    "AADSTS700213 (no matching federated identity record for the assertion subject)",
                ),
            );
            return;
        }
        const matching = candidates.filter((c) => c.issuer === claims.iss && c.audiences.some((a) => audiences.includes(a)));
        checks.push(
            matching.length > 0
                ? pass("credential-match", `federated credential ${matching.map((c) => c.name).join(", ")} matches issuer, subject and audience exactly`)
                : fail(
                      "credential-match",
                      candidates.map((c) => `${c.name}: issuer ${JSON.stringify(c.issuer)}, audiences ${JSON.stringify(c.audiences)}`).join("; ") +
                          ` — the token has iss ${JSON.stringify(claims.iss)}, aud ${JSON.stringify(claims.aud)}`,
                      "make the federated credential's issuer and audience equal to the token's, byte for byte",
                      ISSUER_MISMATCH,
                  ),
        );
    }
}

/** Runs every check the input allows, in Entra's order. */
export async function diagnose(input: DoctorInput, get: HttpGet): Promise<Check[]> {
    const checks: Check[] = [];
    const keys = await endpointChecks(input, get, checks);
    if (input.token !== undefined) tokenChecks(input, keys, checks);
    return checks;
}

/** Only what Entra fetches (checks 1 and 2): what the gate in `pulumi up` runs. */
export async function diagnoseEndpoints(input: Pick<DoctorInput, "issuer" | "publicKeys" | "servedFrom">, get: HttpGet): Promise<Check[]> {
    const checks: Check[] = [];
    await endpointChecks(input, get, checks);
    return checks;
}

export const allPassed = (checks: Check[]): boolean => checks.every((c) => c.ok);

/** One line per check, for a terminal. */
export function formatChecks(checks: Check[]): string {
    // entra-exchange holds what Entra did answer; every other check, what it would.
    const entraSays = (c: Check) => (c.aadsts ? ` — Entra ${c.id === "entra-exchange" ? "answered" : "would answer"} ${c.aadsts}` : "");
    return checks
        .map((c) =>
            c.ok
                ? c.warning
                    ? `warn  ${c.id}: ${c.message} — ${c.warning}`
                    : `ok    ${c.id}: ${c.message}`
                : `FAIL  ${c.id}: ${c.message} — fix: ${c.fix}${entraSays(c)}`,
        )
        .join("\n");
}
