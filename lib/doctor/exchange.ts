/**
 * The last link, proven only by Entra itself: exchange a service-account token for an access token, exactly as
 * azure-identity's WorkloadIdentityCredential does (a ClientAssertionCredential: the client credentials grant with
 * the token as `client_assertion` of type jwt-bearer, POSTed form-encoded to `<authority><tenant>/oauth2/v2.0/token`;
 * azure-sdk-for-go sdk/azidentity workload_identity.go and client_assertion_credential.go, and the OAuth 2.0
 * client assertion flow in Microsoft's identity platform docs, "Microsoft identity platform and the OAuth 2.0 client
 * credentials flow", section "Second case: Access token request with a certificate").
 *
 * The answer is reduced to a Check: on success only the access token's audience and expiry (never the token), on
 * failure Entra's AADSTS code(s) with a cause and fix for each code a workload identity exchange is known to return.
 * The network is a parameter (HttpPost), so the tests run it against a local stand-in of the token endpoint.
 */
import { AzureEnvironment } from "../config";
import { Check } from "./checks";
import { AUTHORITY_HOSTS } from "../cluster/workloads";

export interface HttpPostResponse {
    status: number;
    contentType: string | null;
    body: string;
}

/** A form POST, TLS verified, bounded in time; throws on a network or TLS failure. */
export type HttpPost = (url: string, form: Record<string, string>) => Promise<HttpPostResponse>;

/** Entra's sign-in host per cloud: the one `AZURE_AUTHORITY_HOST` names, as the webhook sets it. */
export const LOGIN_AUTHORITIES = AUTHORITY_HOSTS;

/** The default scope: each cloud's Azure Resource Manager, which any identity may ask a token for. */
export const DEFAULT_SCOPES: Readonly<Record<AzureEnvironment, string>> = {
    AzurePublicCloud: "https://management.azure.com/.default",
    AzureUSGovernmentCloud: "https://management.usgovcloudapi.net/.default",
    AzureChinaCloud: "https://management.chinacloudapi.cn/.default",
};

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface ExchangeInput {
    /** The service-account token (compact JWT) the pod would present. */
    token: string;
    /** The workload identity's client (application) id: the service account's azure.workload.identity/client-id. */
    clientId: string;
    /** The tenant id or a verified domain. */
    tenantId: string;
    /** Entra's host, with a trailing slash; the cloud's login host by default. */
    authority: string;
    scope: string;
}

/** `<authority><tenant>/oauth2/v2.0/token`, the authority taken with or without its trailing slash. */
export function tokenEndpoint(authority: string, tenantId: string): string {
    return `${authority.replace(/\/+$/, "")}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

/** The form azure-identity's workload identity credential posts. */
export function exchangeForm(input: Pick<ExchangeInput, "token" | "clientId" | "scope">): Record<string, string> {
    return {
        client_id: input.clientId,
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: input.token,
        grant_type: "client_credentials",
        scope: input.scope,
    };
}

interface CodeAdvice {
    cause: string;
    fix: string;
    /** The doctor's offline checks that, when they fail, explain this code. */
    explainedBy: string[];
}

/**
 * What each code a workload identity exchange is known to return means here. Descriptions from Microsoft Learn,
 * "Microsoft Entra authentication and authorization error codes" (learn.microsoft.com/entra/identity-platform/
 * reference-error-codes, the table of AADSTS codes), the workload identity federation troubleshooting of
 * "Workload identity federation" (learn.microsoft.com/entra/workload-id/workload-identity-federation) and
 * azure-workload-identity's docs/book/src/troubleshooting.md (AADSTS70021 with its Assertion Issuer/Subject/Audience).
 * The newer codes: AADSTS7002138 and case-sensitive subject matching from Microsoft Learn's "What's new for
 * authentication" (reference-breaking-changes); AADSTS700222 from "Workload identity federation considerations"
 * (Entra issuers are not supported); AADSTS5002738's text from MSAL.NET's recorded responses and
 * AzureAD/microsoft-identity-web#3467 (ES256 refused); AADSTS501661 and AADSTS7002131 as Entra words them in the
 * responses GitLab's and GitHub's OIDC guides quote; AADSTS70023 for an assertion valid over 25 h as users report
 * it (no Microsoft page describes that code).
 */
export const AADSTS_ADVICE: Readonly<Record<number, CodeAdvice>> = {
    700213: {
        cause: "no federated identity credential of this identity has the token's subject (sub)",
        fix: "run the workload with the service account a credential names (system:serviceaccount:<namespace>:<name>, exactly), or add a workload for it",
        explainedBy: ["token-subject", "credential-match"],
    },
    70021: {
        cause:
            "no federated identity credential matches the token's issuer, subject and audience together " +
            "(often an issuer differing only by a trailing slash)",
        fix:
            "compare the token's iss, sub and aud with the credentials byte for byte: " +
            "the issuer must be the discovery document's, the audience api://AzureADTokenExchange",
        explainedBy: ["token-issuer", "token-subject", "token-audience", "credential-match", "discovery-issuer"],
    },
    700211: {
        cause: "no federated identity credential has the token's issuer (iss)",
        fix:
            "set kube-apiserver's --service-account-issuer to the issuer exactly (kubeApiServerFlags), restart pods for new tokens; " +
            "the credentials take the same issuer",
        explainedBy: ["token-issuer", "discovery-issuer", "credential-match"],
    },
    700212: {
        cause: "no federated identity credential has the token's audience (aud)",
        fix: "request the token with audience api://AzureADTokenExchange (the webhook's default; kubectl create token --audience api://AzureADTokenExchange)",
        explainedBy: ["token-audience", "credential-match"],
    },
    700024: {
        cause: "the token is not within its valid time range: expired, not yet valid, or the cluster's clock is off",
        fix: "use a fresh token (projected tokens rotate; a copied one expires), and keep the cluster's clock in sync",
        explainedBy: ["token-lifetime"],
    },
    90061: {
        cause: "Entra could not fetch the issuer's discovery document or JWKS (RequestToExternalServerFailed)",
        fix:
            "the documents must be readable anonymously from the internet over https with a public certificate, " +
            "at <issuer>/.well-known/openid-configuration and its jwks_uri",
        explainedBy: ["issuer-url", "discovery-reachable", "discovery-content-type", "discovery-json", "jwks-uri", "jwks-reachable", "jwks-content-type"],
    },
    50166: {
        cause: "the request to the issuer's OIDC endpoint failed (ExternalClaimsProviderServiceError)",
        fix: "check that the discovery document and the JWKS answer 200 as application/json to an anonymous https GET from the internet",
        explainedBy: ["discovery-reachable", "discovery-content-type", "discovery-json", "jwks-reachable", "jwks-content-type"],
    },
    700027: {
        cause: "the token's signature does not verify: its kid is not in the published JWKS, or the key under that kid is another",
        fix: "publish the cluster's signing key (signingKey.keys keeps old keys published during a rotation); kid = base64url(SHA-256(DER SPKI))",
        explainedBy: ["jwks-known-keys", "token-kid", "token-signature"],
    },
    50027: {
        cause: "the assertion is not a valid JWT (InvalidJwtToken): malformed, or not a service-account token",
        fix: "pass the projected service-account token itself (AZURE_FEDERATED_TOKEN_FILE), a compact JWT with header, payload and signature",
        explainedBy: ["token-format"],
    },
    7000215: {
        cause:
            "Entra read a client secret, not a client assertion (InvalidClientSecret): " +
            "a secret was sent, or a client secret is configured where the token should be",
        fix: "send the token as client_assertion with client_assertion_type jwt-bearer; remove AZURE_CLIENT_SECRET from the workload's environment",
        explainedBy: [],
    },
    700016: {
        cause: "no application with this client id in this tenant (UnauthorizedClient_DoesNotMatchRequest)",
        fix:
            "use the identity's client id (the managed identity's clientId or the app registration's appId) and the tenant it lives in; " +
            "a new identity can take a minute to replicate",
        explainedBy: [],
    },
    90002: {
        cause: "the tenant does not exist in this cloud (InvalidTenantName)",
        fix: "check the tenant id and that the authority is the tenant's cloud (public, US Government or China)",
        explainedBy: [],
    },
    7002131: {
        cause: "no federated identity credential matches the token's subject, and no flexible credential's claims-matching expression matches its claims",
        fix: "run the workload with the service account a credential names (system:serviceaccount:<namespace>:<name>, exactly), or add a workload for it",
        explainedBy: ["token-subject", "credential-match"],
    },
    7002138: {
        cause:
            "a credential's subject differs from the token's only in letter case: Entra matches subjects case-sensitively " +
            '(Microsoft Learn, "Federated identity credentials now use case-sensitive matching")',
        fix: "write the credential's subject exactly as the token carries it; Kubernetes namespaces and service account names are lower case",
        explainedBy: ["token-subject", "credential-match"],
    },
    70023: {
        cause: "the token's lifetime (iat to exp) is longer than Entra takes for a federated assertion (reported for tokens valid over 25 h)",
        fix:
            "request a shorter token: the webhook projects 1 h by default (azure.workload.identity/service-account-token-expiration); " +
            "kubectl create token --duration 1h",
        explainedBy: ["token-lifetime"],
    },
    5002738: {
        cause:
            'the token is signed with an algorithm Entra does not take for an assertion ("is not a supported signature algorithm"): ' +
            "Entra verifies RS256, RS384 and RS512, and refuses ES256 from a cluster with an EC signing key",
        fix:
            "make the cluster sign service-account tokens with an RSA key " +
            "(entra-wif generates RSA keys; replace an EC sa.key, publishing both during the change)",
        explainedBy: ["token-algorithm", "jwks-keys"],
    },
    700222: {
        cause: 'the assertion is a token Microsoft Entra itself issued ("AAD-issued tokens may not be used for federated identity flows")',
        fix: "pass the pod's projected service-account token (the file AZURE_FEDERATED_TOKEN_FILE names), not an Azure access token",
        explainedBy: ["token-issuer"],
    },
    501661: {
        cause: "Entra's request to the issuer's OIDC endpoint failed (\"Request to External OIDC endpoint failed\")",
        fix:
            "the documents must be readable anonymously from the internet over https with a public certificate, " +
            "at <issuer>/.well-known/openid-configuration and its jwks_uri; an issuer on a private network is unreachable",
        explainedBy: ["issuer-url", "discovery-reachable", "discovery-content-type", "discovery-json", "jwks-uri", "jwks-reachable", "jwks-content-type"],
    },
    90014: {
        cause: "a required field is missing from the request (MissingRequiredField)",
        fix: "the request needs client_id, client_assertion, client_assertion_type and scope; an empty token file gives an empty client_assertion",
        explainedBy: ["token-format"],
    },
};

export interface EntraErrorBody {
    error?: string;
    error_description?: string;
    error_codes?: number[];
    trace_id?: string;
    correlation_id?: string;
}

/** The part of Entra's error_description that states the problem, without the trace and correlation ids and timestamp. */
export function entraDescription(description: string): string {
    return description
        .split(/\r?\n/)[0]
        .replace(/\s*Trace ID:.*$/s, "")
        .trim();
}

function payloadOf(jwt: string): Record<string, unknown> | undefined {
    const parts = jwt.split(".");
    if (parts.length !== 3) return undefined;
    try {
        return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
        return undefined;
    }
}

export interface ExchangeResult {
    check: Check;
    /** The AADSTS codes Entra answered with (empty on success or when none could be read). */
    codes: number[];
}

/** Turns the token endpoint's answer (or a network failure) into the entra-exchange check. */
export function exchangeCheck(response: HttpPostResponse | Error, endpoint: string, now: number = Math.floor(Date.now() / 1000)): ExchangeResult {
    const id = "entra-exchange";
    if (response instanceof Error) {
        const tls = /certificate|self.signed|SSL|TLS/i.test(response.message);
        return {
            codes: [],
            check: {
                id,
                ok: false,
                message: `${endpoint} could not be reached: ${response.message}`,
                fix: tls
                    ? "the token endpoint's certificate is not trusted: check --authority, or a proxy that intercepts TLS"
                    : "check --authority and the network path to Entra (proxy, firewall, DNS)",
            },
        };
    }
    let body: unknown;
    try {
        body = JSON.parse(response.body);
    } catch {
        body = undefined;
    }
    if (body === undefined || typeof body !== "object" || body === null) {
        return {
            codes: [],
            check: {
                id,
                ok: false,
                message: `${endpoint} answered HTTP ${response.status} with ${response.contentType ?? "no content type"}, not JSON`,
                fix: "--authority must be Entra's sign-in host (e.g. https://login.microsoftonline.com/), not a proxy or portal page",
            },
        };
    }
    const json = body as Record<string, unknown>;
    if (response.status === 200 && typeof json.access_token === "string") {
        const claims = payloadOf(json.access_token) ?? {};
        const expiresIn = typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in);
        const exp = typeof claims.exp === "number" ? claims.exp : Number.isFinite(expiresIn) ? now + expiresIn : undefined;
        const audience = typeof claims.aud === "string" ? claims.aud : "an opaque audience";
        const until = exp !== undefined ? `until ${new Date(exp * 1000).toISOString()} (${exp - now} s)` : "for an unstated time";
        // The access token itself is never kept, printed or written: only what it is for and how long.
        return { codes: [], check: { id, ok: true, message: `Entra issued an access token for ${audience}, valid ${until}` } };
    }
    const error = json as EntraErrorBody;
    const codes = Array.isArray(error.error_codes) ? error.error_codes.filter((c): c is number => typeof c === "number") : [];
    const description =
        typeof error.error_description === "string" ? entraDescription(error.error_description) : `${error.error ?? "an error"} (HTTP ${response.status})`;
    const known = codes.map((c) => ({ code: c, advice: AADSTS_ADVICE[c] })).filter((x) => x.advice !== undefined);
    const aadsts = codes.length > 0 ? codes.map((c) => `AADSTS${c}`).join(" / ") : undefined;
    const causes = known.map((k) => `AADSTS${k.code}: ${k.advice!.cause}`);
    const fixes = known.map((k) => k.advice!.fix);
    return {
        codes,
        check: {
            id,
            ok: false,
            message:
                `Entra refused the exchange: ${description}${causes.length ? ` — ${causes.join("; ")}` : ""}` +
                (error.correlation_id ? ` (correlation id ${error.correlation_id})` : ""),
            fix:
                fixes.length > 0
                    ? fixes.join("; ")
                    : "Entra's description above says what it refused; the code's page is https://login.microsoftonline.com/error?code=<code>",
            ...(aadsts ? { aadsts } : {}),
        },
    };
}

/**
 * Which of the doctor's failed checks explain Entra's answer: those the codes point to. None means the offline
 * checks pass where Entra fails — the identity, tenant or request is wrong, not the issuer or the token.
 */
export function explainingChecks(codes: number[], checks: Check[]): string[] {
    const candidates = new Set(codes.flatMap((c) => AADSTS_ADVICE[c]?.explainedBy ?? []));
    return checks.filter((c) => !c.ok && candidates.has(c.id)).map((c) => c.id);
}
