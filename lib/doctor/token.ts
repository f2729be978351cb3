/**
 * The token checks (3), as Entra reads a service-account token: a compact JWT, an algorithm it takes, a kid the JWKS
 * publishes, a signature that verifies, then iss, aud, sub and the lifetime.
 */
import { createPublicKey, KeyObject, verify } from "node:crypto";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../trust/oidc";
import {
    caseOnly,
    Check,
    CLOCK_SKEW_SECONDS,
    DoctorInput,
    ENTRA_ASSERTION_ALGORITHMS,
    fail,
    ISSUER_MISMATCH,
    Jwk,
    pass,
    SUBJECT_CASE_FIX,
    SUBJECT_CASE_MISMATCH,
    UNSUPPORTED_ALGORITHM,
} from "./checks";

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

const hours = (seconds: number): string => (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${(seconds / 3600).toFixed(1)} h`);

/** The token checks (3); the token's claims for the credential checks, or undefined when it is not a JWT. */
export function tokenChecks(input: DoctorInput, keys: Jwk[] | undefined, checks: Check[]): Record<string, unknown> | undefined {
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
        return undefined;
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
    return claims;
}
