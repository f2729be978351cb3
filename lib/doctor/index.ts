/**
 * The doctor: each mistake that makes Entra refuse a token exchange, found before Entra does and named with its cause,
 * its fix and the AADSTS code; the checks in Entra's order, the report, the exchange itself, the gate in `pulumi up`.
 *
 * Entra's side of a token exchange, in order: fetch `<issuer>/.well-known/openid-configuration` anonymously over
 * https (application/json, `issuer` byte-identical), fetch its `jwks_uri`, find the token's `kid` there, check the
 * signature, then match iss/sub/aud against a federated credential and check the token's lifetime. The network is a
 * parameter (HttpGet), so the checks run the same against Azure, Azurite or a test double. Files: endpoints.ts,
 * token.ts, credentials.ts (what they share: checks.ts), report.ts, exchange.ts, https.ts, gate.ts, capture.ts.
 */
export * from "./checks";
export { privateHostReason } from "./endpoints";
export { MAX_ASSERTION_LIFETIME_SECONDS } from "./token";
export * from "./report";
