/**
 * What every check of the doctor is made of: the Check it reports, the input it reads, the network it reads through,
 * and the AADSTS codes and facts about Entra that more than one group of checks needs.
 */
import type { JsonWebKey } from "node:crypto";

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

export const METADATA_UNREACHABLE = "AADSTS90061 / AADSTS50166 (request to the external OIDC endpoint failed)";
export const ISSUER_MISMATCH = "AADSTS70021 / AADSTS700211 (no matching federated identity record for the assertion issuer)";

export const pass = (id: string, message: string, warning?: string): Check => ({ id, ok: true, message, ...(warning ? { warning } : {}) });
export const fail = (id: string, message: string, fix: string, aadsts?: string): Check => ({ id, ok: false, message, fix, ...(aadsts ? { aadsts } : {}) });

/**
 * The algorithms Entra takes for a federated assertion. Entra documents RS256 as the tested one, and answers other
 * algorithms with AADSTS5002738 "Invalid JWT token. 'ES384' is not a supported signature algorithm. Supported signing
 * algorithms are: 'RS256,RS384,RS512'" (the text MSAL.NET's tests record; AzureAD/microsoft-identity-web#3467 for ES256).
 */
export const ENTRA_ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512"];
export const UNSUPPORTED_ALGORITHM = "AADSTS5002738 (the assertion's signature algorithm is not supported)";

export interface Jwk extends JsonWebKey {
    kid?: string;
    use?: string;
    alg?: string;
}

/** Entra matches a federated credential's subject case-sensitively (Microsoft Entra breaking change, 2025). */
export const SUBJECT_CASE_MISMATCH = "AADSTS7002138 (no matching federated identity record for the assertion subject: matching is case-sensitive)";
export const SUBJECT_CASE_FIX =
    "write the credential's subject exactly as the token carries it: Kubernetes names are lower case (system:serviceaccount:<namespace>:<name>)";

export const caseOnly = (a: unknown, b: unknown): boolean => typeof a === "string" && typeof b === "string" && a !== b && a.toLowerCase() === b.toLowerCase();
