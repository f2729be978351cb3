/**
 * The endpoint checks (1 and 2), what Entra fetches before it looks at any token: the issuer URL, the discovery
 * document at `<issuer>/.well-known/openid-configuration` and the JWKS at its `jwks_uri`, each fetched anonymously
 * over https and read as Entra reads it; with a custom issuer URL, whether the issuer serves what the storage holds.
 */
import { createPublicKey } from "node:crypto";
import { keyId, toJwk } from "../trust/keys";
import { DISCOVERY_PATH, discoveryUrl, issuerUrlProblems, joinIssuerPath } from "../trust/oidc";
import {
    Check,
    DoctorInput,
    ENTRA_ASSERTION_ALGORITHMS,
    fail,
    HttpGet,
    HttpResponse,
    ISSUER_MISMATCH,
    Jwk,
    METADATA_UNREACHABLE,
    pass,
    UNSUPPORTED_ALGORITHM,
} from "./checks";

const REQUIRED_DISCOVERY_FIELDS = ["issuer", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"];

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

/** The warning for EC keys in a JWKS: published fine, but Entra refuses the tokens they sign. */
function ecKeyWarning(keys: Jwk[]): string | undefined {
    const ec = keys.filter((k) => k.kty === "EC").map((k) => k.kid);
    if (ec.length === 0) return undefined;
    return (
        `EC key${ec.length === 1 ? "" : "s"} ${ec.join(", ")}: Entra verifies RSA signatures (${ENTRA_ASSERTION_ALGORITHMS.join(", ")}) ` +
        `and refuses tokens a cluster signs with an EC key with ${UNSUPPORTED_ALGORITHM}; sign service-account tokens with an RSA key`
    );
}

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
export async function endpointChecks(input: DoctorInput, get: HttpGet, checks: Check[]): Promise<Jwk[] | undefined> {
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
