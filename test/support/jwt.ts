/**
 * Service-account tokens shaped like the ones kube-apiserver projects into pods, signed with node:crypto
 * (deliberately not with jose, which the tests use to verify).
 */
import { createPrivateKey, createPublicKey, sign } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { keyId } from "../../lib/trust/keys";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, serviceAccountSubject } from "../../lib/trust/oidc";

export interface TokenOptions {
    issuer: string;
    namespace?: string;
    serviceAccount?: string;
    audience?: string;
    /** Seconds since the epoch; defaults to now. */
    now?: number;
    lifetimeSeconds?: number;
    /** Overrides the kid in the header (defaults to the key's kid, as kube-apiserver writes it). */
    kid?: string;
}

/**
 * A throwaway RSA key pair the tests sign tokens with (test/fixtures/token-keys): the private key as PKCS#1 PEM, the
 * public key as PKIX PEM, as a cluster's sa.key and sa.pub hold them. "a" and "b" are two different keys.
 */
export function tokenSigner(name: "a" | "b"): { privatePem: string; publicPem: string } {
    const privatePem = fs.readFileSync(path.join(__dirname, "..", "fixtures", "token-keys", `signer-${name}.TESTONLY.pem`), "utf8");
    return { privatePem, publicPem: createPublicKey(privatePem).export({ type: "spki", format: "pem" }).toString() };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A projected service-account token signed with `privateKeyPem`: RS256 with an RSA key, ES256 with a P-256 key. */
export function serviceAccountToken(privateKeyPem: string, opts: TokenOptions): string {
    const namespace = opts.namespace ?? "demo";
    const serviceAccount = opts.serviceAccount ?? "workload-sa";
    const now = opts.now ?? Math.floor(Date.now() / 1000);
    const exp = now + (opts.lifetimeSeconds ?? 3600);
    const key = createPrivateKey(privateKeyPem);
    // An EC key signs ES256 (P-256), as kube-apiserver does with an EC service-account key.
    const ec = key.asymmetricKeyType === "ec";
    const header = { alg: ec ? "ES256" : "RS256", kid: opts.kid ?? keyId(privateKeyPem) };
    const payload = {
        aud: [opts.audience ?? ENTRA_TOKEN_EXCHANGE_AUDIENCE],
        exp,
        iat: now,
        iss: opts.issuer,
        "kubernetes.io": {
            namespace,
            pod: { name: "sample-7d4b9c", uid: "5b4f5c2e-1b1f-4a8e-9a3c-0c6f9b8e2d11" },
            serviceaccount: { name: serviceAccount, uid: "8c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f" },
        },
        nbf: now,
        sub: serviceAccountSubject(namespace, serviceAccount),
    };
    const signingInput = `${b64url(header)}.${b64url(payload)}`;
    const signature = sign("sha256", Buffer.from(signingInput), ec ? { key, dsaEncoding: "ieee-p1363" } : key);
    return `${signingInput}.${signature.toString("base64url")}`;
}
