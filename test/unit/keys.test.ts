import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildJwks, keyId, KeyFormatError, parsePublicKey, serializeJwks, signingAlgorithm, toJwk, toPkixPem } from "../../lib/trust/keys";
import { k8s, vector } from "../support/vectors";
import { tokenSigner } from "../support/jwt";

describe("kid (kube-apiserver keyIDFromPublicKey) against Kubernetes' vectors", () => {
    test.each([
        ["rsa_public.pem", k8s.rsaPublic, k8s.rsaKid],
        ["ecdsa_p256_public.pem", k8s.ecdsaPublic, k8s.ecdsaKid],
        ["other_rsa_public.pem", k8s.otherRsaPublic, k8s.otherRsaKid],
    ])("%s", (_file, pem, kid) => {
        expect(keyId(pem())).toBe(kid);
    });

    test("a PKCS#1 private key yields the kid of its public half", () => {
        expect(keyId(k8s.rsaPrivate())).toBe(k8s.rsaKid);
    });
});

describe("JWKS against Kubernetes' byte-exact vector", () => {
    test("rsa + ecdsa, in that order, compact", () => {
        const jwks = serializeJwks(buildJwks([k8s.rsaPublic(), k8s.ecdsaPublic()]));
        expect(jwks).toBe(vector("kubernetes/expected_jwks_rsa_plus_ecdsa_compact.json"));
    });

    test("order is kept and a repeated key (even as its private key) is published once", () => {
        const jwks = buildJwks([k8s.ecdsaPublic(), k8s.rsaPublic(), k8s.rsaPrivate(), k8s.ecdsaPublic()]);
        expect(jwks.keys.map((k) => k.kid)).toEqual([k8s.ecdsaKid, k8s.rsaKid]);
    });

    test("serialization is deterministic", () => {
        const a = serializeJwks(buildJwks([k8s.rsaPublic()]));
        const b = serializeJwks(buildJwks([k8s.rsaPublic()]));
        expect(a).toBe(b);
    });
});

describe("JWKS against azure-workload-identity's vectors (azwi jwks)", () => {
    test("vector1: root_test.go TestJWKSCmdRun", () => {
        const expected = JSON.parse(vector("azure-workload-identity/vector1_expected_jwks_verbatim.txt"));
        const jwks = buildJwks([vector("azure-workload-identity/vector1_public.pem")]);
        expect(jwks).toEqual(expected);
        const summary = JSON.parse(vector("azure-workload-identity/vector1_expected_kid_n_e.json"));
        expect(jwks.keys[0]).toEqual({ use: summary.use, kty: summary.kty, kid: summary.kid, alg: summary.alg, n: summary.n, e: summary.e });
    });

    test("vector2: the documented 3072-bit key, byte-identical to azwi's 2-space output", () => {
        const jwks = buildJwks([vector("azure-workload-identity/vector2_public_RECONSTRUCTED_from_n_e.pem")]);
        const verbatim = vector("azure-workload-identity/vector2_docs_expected_jwks_verbatim.json").replace(/\n$/, "");
        expect(JSON.stringify(jwks, null, 2)).toBe(verbatim);
        expect(jwks.keys[0].kid).toBe(JSON.parse(vector("azure-workload-identity/vector2_expected_kid_n_e.json")).kid);
    });
});

describe("accepted and rejected key formats", () => {
    test("PKCS#1 RSA PUBLIC KEY gives the same kid and JWK as PKIX", () => {
        const pkcs1 = parsePublicKey(k8s.rsaPublic()).export({ type: "pkcs1", format: "pem" }).toString();
        expect(pkcs1).toContain("BEGIN RSA PUBLIC KEY");
        expect(keyId(pkcs1)).toBe(k8s.rsaKid);
        expect(toJwk(pkcs1)).toEqual(toJwk(k8s.rsaPublic()));
    });

    test("PKCS#8 and SEC1 private keys yield their public half", () => {
        const ec = generateKeyPairSync("ec", { namedCurve: "P-384" });
        const sec1 = ec.privateKey.export({ type: "sec1", format: "pem" }).toString();
        const pkcs8 = ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        const pub = ec.publicKey.export({ type: "spki", format: "pem" }).toString();
        expect(keyId(sec1)).toBe(keyId(pub));
        expect(keyId(pkcs8)).toBe(keyId(pub));
        expect(signingAlgorithm(sec1)).toBe("ES384");
    });

    test("toPkixPem normalises PKCS#1 to PKIX", () => {
        const pkcs1 = parsePublicKey(k8s.rsaPublic()).export({ type: "pkcs1", format: "pem" }).toString();
        expect(toPkixPem(pkcs1)).toBe(k8s.rsaPublic());
    });

    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const encrypted = createPrivateKey(tokenSigner("a").privatePem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "x" }).toString();
    const truncated = k8s.rsaPublic().split("\n").slice(0, 4).join("\n");
    const corrupted = k8s.rsaPublic().replace("MIIBIjAN", "MIIBIjAM");
    test.each([
        ["empty", "", /empty/],
        ["not PEM", "ssh-rsa AAAAB3NzaC1yc2E", /no PEM block/],
        [
            "a certificate request",
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
            /unsupported PEM block "CERTIFICATE REQUEST"/,
        ],
        ["two keys in one value", k8s.rsaPublic() + k8s.ecdsaPublic(), /exactly one PEM block, found 2/],
        ["truncated", truncated, /no END line/],
        ["corrupted base64 body", corrupted, /could not be parsed/],
        ["Ed25519", ed, /ed25519 is not supported/],
        ["secp256k1", k1, /curve .* is not supported/],
        ["an encrypted private key", encrypted, /encrypted/],
    ])("%s is rejected with a clear error", (_name, pem, message) => {
        expect(() => keyId(pem)).toThrow(KeyFormatError);
        expect(() => keyId(pem)).toThrow(message);
    });
});

describe("fresh keys cross-checked against the openssl CLI", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-keys-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const opensslKid = (pubFile: string) => {
        const der = openssl("pkey", "-pubin", "-in", pubFile, "-outform", "DER");
        return createHash("sha256").update(der).digest("base64url");
    };

    test.each([2048, 3072, 4096])("RSA %i generated by openssl: kid, n and e", (bits) => {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`, "-out", `rsa${bits}.key`);
        openssl("pkey", "-in", `rsa${bits}.key`, "-pubout", "-out", `rsa${bits}.pub`);
        openssl("rsa", "-in", `rsa${bits}.key`, "-RSAPublicKey_out", "-out", `rsa${bits}.pkcs1.pub`);
        const pub = fs.readFileSync(path.join(dir, `rsa${bits}.pub`), "utf8");
        const kid = opensslKid(`rsa${bits}.pub`);
        expect(keyId(pub)).toBe(kid);
        expect(keyId(fs.readFileSync(path.join(dir, `rsa${bits}.key`), "utf8"))).toBe(kid);
        expect(keyId(fs.readFileSync(path.join(dir, `rsa${bits}.pkcs1.pub`), "utf8"))).toBe(kid);

        const modulusHex = openssl("rsa", "-pubin", "-in", `rsa${bits}.pub`, "-noout", "-modulus")
            .toString()
            .trim()
            .replace(/^Modulus=/, "");
        const jwk = toJwk(pub);
        expect(Buffer.from(jwk.n!, "base64url").toString("hex").toUpperCase()).toBe(modulusHex.toUpperCase());
        expect(Buffer.from(jwk.n!, "base64url").length * 8).toBe(bits);
        expect(jwk.e).toBe("AQAB");
        expect(jwk.alg).toBe("RS256");
    });

    test.each([
        ["P-256", "prime256v1", "ES256", 32],
        ["P-384", "secp384r1", "ES384", 48],
        ["P-521", "secp521r1", "ES512", 66],
    ])("EC %s generated by openssl: kid, x, y and alg", (crv, opensslCurve, alg, size) => {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${opensslCurve}`, "-out", `${crv}.key`);
        openssl("pkey", "-in", `${crv}.key`, "-pubout", "-out", `${crv}.pub`);
        const pub = fs.readFileSync(path.join(dir, `${crv}.pub`), "utf8");
        expect(keyId(pub)).toBe(opensslKid(`${crv}.pub`));
        // The uncompressed point from openssl's DER is 04 || x || y.
        const der = openssl("pkey", "-pubin", "-in", `${crv}.pub`, "-outform", "DER");
        const point = der.subarray(der.length - (1 + 2 * size));
        expect(point[0]).toBe(4);
        const jwk = toJwk(pub);
        expect(jwk).toMatchObject({ use: "sig", kty: "EC", crv, alg });
        expect(Buffer.from(jwk.x!, "base64url").equals(point.subarray(1, 1 + size))).toBe(true);
        expect(Buffer.from(jwk.y!, "base64url").equals(point.subarray(1 + size))).toBe(true);
        expect(Object.keys(jwk)).toEqual(["use", "kty", "kid", "crv", "alg", "x", "y"]);
    });
});
