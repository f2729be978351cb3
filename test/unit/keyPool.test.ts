/**
 * The mocks' pool of RSA keys (tools/offline/mocks.ts): real 2048-bit key pairs from node:crypto, made once and handed
 * out in turn, so that what the program tests check about keys stays true while they stop paying for a key per run.
 */
import { createPublicKey, KeyObject } from "node:crypto";
import { AzureMocks, RsaKeyPool } from "../../tools/offline/mocks";

const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" }).toString("base64");

test("a pool holds at least two keys", () => {
    expect(() => new RsaKeyPool(1)).toThrow("an RSA key pool holds at least 2 keys, not 1");
    expect(() => new RsaKeyPool(2.5)).toThrow(/not 2.5/);
});

describe("a pool of two", () => {
    const pool = new RsaKeyPool(2);
    let first: KeyObject[];

    test("hands out real RSA-2048 pairs, each public key its private key's", async () => {
        const pair = await pool.take(new Set());
        expect(pair.privateKey.asymmetricKeyType).toBe("rsa");
        expect(pair.privateKey.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
        expect(spki(createPublicKey(pair.privateKey))).toBe(spki(pair.publicKey));
        first = [pair.publicKey];
    });

    test("two successive draws differ; the third is the first again (made once, not per draw)", async () => {
        const second = await pool.take(new Set());
        const third = await pool.take(new Set());
        expect(spki(second.publicKey)).not.toBe(spki(first[0]));
        expect(third.publicKey).toBe(first[0]);
    });

    test("a holder never receives the same pooled key twice, and gets a fresh one once it holds them all", async () => {
        const taken = new Set<number>();
        const keys = [await pool.take(taken), await pool.take(taken), await pool.take(taken)];
        expect([...taken].sort()).toEqual([0, 1]);
        expect(new Set(keys.map((k) => spki(k.publicKey))).size).toBe(3);
    });
});

test("mocks with a pool give one stack distinct keys, a key per name that outlives a run, in the provider's formats", async () => {
    const pool = new RsaKeyPool(2);
    const mocks = new AzureMocks({ keyPool: pool });
    const args = (name: string) => ({ type: "tls:index/privateKey:PrivateKey", name, inputs: { algorithm: "RSA", rsaBits: 2048 }, custom: true, id: "" });
    const a = await mocks.newResource(args("signing-key-a"));
    const b = await mocks.newResource(args("signing-key-b"));
    const c = await mocks.newResource(args("signing-key-c"));
    const again = await mocks.newResource(args("signing-key-a"));
    expect(new Set([a, b, c].map((k) => k.state.publicKeyPem)).size).toBe(3);
    expect(again).toBe(a);
    expect(a.state.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(a.state.privateKeyPemPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(a.state.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(mocks.generatedPrivateKeys).toEqual([a, b, c].map((k) => k.state.privateKeyPem));
});
