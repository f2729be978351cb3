/**
 * Signing-key material as Kubernetes and Entra ID see it: the key id (kid) kube-apiserver writes into every
 * service-account token header, and the JSON Web Key Set that lets Entra verify those tokens.
 *
 * Pure functions only (node:crypto, no Pulumi) so they can be checked against upstream vectors in microseconds.
 */
import { createHash, createPublicKey, KeyObject } from "node:crypto";

/** PEM block labels we accept: PKIX and PKCS#1 public keys, and private keys (whose public half is used). */
const ACCEPTED_PEM_LABELS = ["PUBLIC KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] as const;

/** JOSE algorithm per EC curve, as kube-apiserver chooses it (pkg/serviceaccount/jwt.go). */
const EC_ALG_BY_CURVE: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

export type JwkAlgorithm = "RS256" | "ES256" | "ES384" | "ES512";

/** One JWK, with fields in go-jose's order: use, kty, kid, crv, alg, x, y, n, e. */
export interface Jwk {
    use: "sig";
    kty: "RSA" | "EC";
    kid: string;
    crv?: string;
    alg: JwkAlgorithm;
    x?: string;
    y?: string;
    n?: string;
    e?: string;
}

export interface Jwks {
    keys: Jwk[];
}

export class KeyFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KeyFormatError";
    }
}

/** Labels of every PEM block in a text, in order (`-----BEGIN X-----` → X). */
export function pemLabels(text: string): string[] {
    return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
}

/**
 * Parses one PEM key into a public KeyObject. Private keys yield their public half; anything that is not an
 * unencrypted RSA or EC (P-256/384/521) key is rejected with a message that says what was found.
 */
export function parsePublicKey(pem: string): KeyObject {
    if (typeof pem !== "string" || pem.trim() === "") {
        throw new KeyFormatError("expected a PEM-encoded key, got an empty value");
    }
    const labels = pemLabels(pem);
    if (labels.length === 0) {
        throw new KeyFormatError("no PEM block found (expected -----BEGIN PUBLIC KEY-----)");
    }
    if (labels.length > 1) {
        throw new KeyFormatError(`expected exactly one PEM block, found ${labels.length} (${labels.join(", ")}); give each key separately`);
    }
    const label = labels[0];
    if (label === "ENCRYPTED PRIVATE KEY") {
        throw new KeyFormatError("the key is encrypted; give the public key (openssl pkey -pubout) instead");
    }
    if (!(ACCEPTED_PEM_LABELS as readonly string[]).includes(label)) {
        throw new KeyFormatError(`unsupported PEM block "${label}"; expected one of ${ACCEPTED_PEM_LABELS.join(", ")}`);
    }
    if (!new RegExp(`-----END ${label}-----`).test(pem)) {
        throw new KeyFormatError(`the PEM block "${label}" has no END line (truncated?)`);
    }
    let key: KeyObject;
    try {
        key = createPublicKey({ key: pem, format: "pem" });
    } catch (err) {
        throw new KeyFormatError(`the "${label}" PEM block could not be parsed (${(err as Error).message})`);
    }
    const type = key.asymmetricKeyType;
    if (type === "rsa") {
        return key;
    }
    if (type === "ec") {
        const jwk = key.export({ format: "jwk" });
        if (!jwk.crv || !(jwk.crv in EC_ALG_BY_CURVE)) {
            throw new KeyFormatError(`EC curve ${jwk.crv ?? "unknown"} is not supported; use P-256, P-384 or P-521`);
        }
        return key;
    }
    throw new KeyFormatError(`key type ${type ?? "unknown"} is not supported; use RSA or EC (P-256, P-384, P-521)`);
}

/** The public key as a PKIX `PUBLIC KEY` PEM (the form kube-apiserver's --service-account-key-file reads). */
export function toPkixPem(pem: string): string {
    return parsePublicKey(pem).export({ type: "spki", format: "pem" }).toString();
}

/** kid = base64url without padding of SHA-256 over the DER SubjectPublicKeyInfo (kube-apiserver keyIDFromPublicKey). */
export function keyId(pem: string): string {
    const der = parsePublicKey(pem).export({ type: "spki", format: "der" });
    return createHash("sha256").update(der).digest("base64url");
}

/** The JWS algorithm kube-apiserver signs with for this key. */
export function signingAlgorithm(pem: string): JwkAlgorithm {
    const key = parsePublicKey(pem);
    if (key.asymmetricKeyType === "rsa") {
        return "RS256";
    }
    const crv = key.export({ format: "jwk" }).crv as string;
    return EC_ALG_BY_CURVE[crv] as JwkAlgorithm;
}

/** The JWK of one public key, fields in go-jose's order. */
export function toJwk(pem: string): Jwk {
    const key = parsePublicKey(pem);
    const kid = keyId(pem);
    const exported = key.export({ format: "jwk" });
    if (key.asymmetricKeyType === "rsa") {
        return { use: "sig", kty: "RSA", kid, alg: "RS256", n: exported.n, e: exported.e };
    }
    const crv = exported.crv as string;
    return { use: "sig", kty: "EC", kid, crv, alg: EC_ALG_BY_CURVE[crv] as JwkAlgorithm, x: exported.x, y: exported.y };
}

/** JWKS for the given keys: order kept, a key given twice (same kid) published once. */
export function buildJwks(pems: readonly string[]): Jwks {
    const seen = new Set<string>();
    const keys: Jwk[] = [];
    for (const pem of pems) {
        const jwk = toJwk(pem);
        if (!seen.has(jwk.kid)) {
            seen.add(jwk.kid);
            keys.push(jwk);
        }
    }
    return { keys };
}

/** Compact, deterministic serialization: byte-identical to what kube-apiserver serves at /openid/v1/jwks. */
export function serializeJwks(jwks: Jwks): string {
    return JSON.stringify(jwks);
}
