/**
 * The OIDC discovery side of the issuer: where the documents live under an issuer URL and what the discovery
 * document says. Pure functions; the issuer string is never normalised, because Entra compares it byte for byte
 * with every token's `iss` and every federated credential.
 */
import { Jwks, JwkAlgorithm } from "./keys";

/** Path of the discovery document under the issuer (OpenID Connect Discovery 1.0, section 4). */
export const DISCOVERY_PATH = ".well-known/openid-configuration";
/** Path kube-apiserver publishes its JWKS at; we publish ours at the same place under the issuer. */
export const JWKS_PATH = "openid/v1/jwks";
/** The audience Entra ID requires in a federated token. */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
/** Content type Entra expects for both documents. */
export const DOCUMENT_CONTENT_TYPE = "application/json";

export interface DiscoveryDocument {
    issuer: string;
    jwks_uri: string;
    response_types_supported: string[];
    subject_types_supported: string[];
    id_token_signing_alg_values_supported: JwkAlgorithm[];
}

/**
 * Joins a relative path onto the issuer without altering the issuer: `https://h/c/` + `p` → `https://h/c/p`,
 * `https://h` + `p` → `https://h/p`.
 */
export function joinIssuerPath(issuer: string, path: string): string {
    const relative = path.replace(/^\/+/, "");
    return issuer.endsWith("/") ? issuer + relative : `${issuer}/${relative}`;
}

export const discoveryUrl = (issuer: string): string => joinIssuerPath(issuer, DISCOVERY_PATH);
export const jwksUrl = (issuer: string): string => joinIssuerPath(issuer, JWKS_PATH);

/** The discovery document kube-apiserver would serve for this issuer and these keys (field order included). */
export function buildDiscoveryDocument(issuer: string, jwks: Jwks): DiscoveryDocument {
    const problems = issuerUrlProblems(issuer);
    if (problems.length > 0) {
        throw new Error(`invalid issuer "${issuer}": ${problems.join("; ")}`);
    }
    const algs = [...new Set(jwks.keys.map((k) => k.alg))].sort();
    return {
        issuer,
        jwks_uri: jwksUrl(issuer),
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: algs,
    };
}

/** Compact, deterministic serialization, byte-identical to kube-apiserver's. */
export function serializeDiscoveryDocument(doc: DiscoveryDocument): string {
    return JSON.stringify(doc);
}

/**
 * What is wrong with an issuer URL for Entra ID, empty when nothing is: it must be https with a host, and carry
 * no query, fragment or credentials (Entra and OIDC Discovery both forbid them).
 */
export function issuerUrlProblems(issuer: string): string[] {
    if (typeof issuer !== "string" || issuer === "") {
        return ["it is empty"];
    }
    if (/\s/.test(issuer)) {
        return ["it contains whitespace"];
    }
    let url: URL;
    try {
        url = new URL(issuer);
    } catch {
        return ["it is not an absolute URL"];
    }
    const problems: string[] = [];
    if (url.protocol !== "https:") {
        problems.push(`it must use https, not ${url.protocol.replace(/:$/, "")}`);
    }
    if (url.hostname === "") {
        problems.push("it has no host");
    }
    if (issuer.includes("?")) {
        problems.push("it must not have a query");
    }
    if (issuer.includes("#")) {
        problems.push("it must not have a fragment");
    }
    if (url.username !== "" || url.password !== "") {
        problems.push("it must not carry credentials");
    }
    return problems;
}

/** The subject kube-apiserver puts in a service-account token, and Entra matches against a federated credential. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/**
 * Issuer of blob hosting: the container's URL with a trailing slash, e.g.
 * `https://acct.blob.core.windows.net/oidc/` (the endpoint Azure reports already ends with `/`).
 */
export function blobIssuerUrl(blobEndpoint: string, containerName: string): string {
    return joinIssuerPath(blobEndpoint, `${containerName}/`);
}

/** Issuer of static-website hosting: the web endpoint exactly as Azure reports it, e.g. `https://acct.z6.web.core.windows.net/`. */
export function staticWebsiteIssuerUrl(webEndpoint: string): string {
    return webEndpoint;
}
