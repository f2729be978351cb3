/** entra-wif:signingKey: the stack's keys by name, their size, and the cluster's own public keys. */
import { KeyFormatError, keyId, parsePublicKey, pemLabels } from "../trust/keys";
import { asList, asObject, asText, checkName, ConfigError, listCommand, listOf, Problems, rejectUnknownFields } from "./fields";
import { keyNameProblem } from "./names";
import { DEFAULTS, INITIAL_KEY_NAME, KNOWN_KEYS, RSA_BITS, SigningKeyConfig } from "./types";

export function parseKeyNames(p: Problems, key: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    value = asList(value);
    if (!Array.isArray(value) || value.length === 0) {
        p.attempt(() => {
            throw new ConfigError(
                key,
                value,
                `expected a non-empty list of key names, oldest first, e.g. ["${INITIAL_KEY_NAME}", "2027-02"]; the last one signs. ` +
                    `Set one item at a time: ${listCommand(key, INITIAL_KEY_NAME)}`,
            );
        }, undefined);
        return undefined;
    }
    const seen = new Map<string, number>();
    return listOf(p, key, value, "", (raw, itemKey, i) => {
        const item = asText(itemKey, raw, "a key name");
        checkName(itemKey, item, keyNameProblem);
        const first = seen.get(item);
        if (first !== undefined) throw new ConfigError(itemKey, item, `the name is already listed at ${key}[${first}]; each key once`);
        seen.set(item, i);
        return item;
    });
}

export function parseRsaBits(key: string, value: unknown): SigningKeyConfig["rsaBits"] {
    if (value === undefined) return DEFAULTS.signingKey.rsaBits;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !(RSA_BITS as readonly number[]).includes(n)) {
        throw new ConfigError(key, value, `use one of: ${RSA_BITS.join(", ")}`);
    }
    return n as SigningKeyConfig["rsaBits"];
}

export function parsePublicKeys(p: Problems, key: string, value: unknown): string[] {
    const kids = new Map<string, number>();
    return listOf(p, key, value, "expected a list of PEM public keys", (pem, itemKey, i) => {
        if (typeof pem !== "string") {
            throw new ConfigError(itemKey, pem, "expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        if (pemLabels(pem).some((l) => l.includes("PRIVATE"))) {
            // Never echo a private key back: it may already be in a shell history or CI log.
            throw new ConfigError(
                itemKey,
                "[a private key]",
                "publicKeys takes public keys only; give the public half (openssl pkey -pubout) and keep the private key out of stack config",
            );
        }
        try {
            parsePublicKey(pem);
        } catch (err) {
            if (err instanceof KeyFormatError) {
                // A file's path where its content belongs: the CLI stores what it is given, and reads no file.
                const path = !pem.includes("-----") && /^[~./\w][^\s]*\.(pem|pub|crt|cer|key)$/i.test(pem.trim());
                const command = `pulumi config set --path '${itemKey.replace(/^[^:]+:/, "")}' -- "$(cat ${pem.trim()})"`;
                const fix = path ? `; that is a file's path, and the config holds the key itself: ${command}` : "";
                throw new ConfigError(itemKey, pem, `expected an RSA or EC (P-256/384/521) public key in PEM: ${err.message}${fix}`);
            }
            throw err;
        }
        // The same floor as for generated keys (signingKey.rsaBits): Entra and kube-apiserver take smaller RSA keys, but
        // a 1024-bit key is breakable, and a cluster signing with one is an issuer anybody can impersonate.
        const bits = parsePublicKey(pem).asymmetricKeyDetails?.modulusLength;
        if (parsePublicKey(pem).asymmetricKeyType === "rsa" && bits !== undefined && bits < 2048) {
            throw new ConfigError(
                itemKey,
                `[a ${bits}-bit RSA public key]`,
                "RSA keys of 2048 bits or more only (as for the keys the stack generates); replace the cluster's key",
            );
        }
        const kid = keyId(pem);
        const first = kids.get(kid);
        if (first !== undefined) {
            throw new ConfigError(itemKey, pem, `the same key is already listed at ${key}[${first}] (kid ${kid}); list each key once`);
        }
        kids.set(kid, i);
        return pem;
    });
}

export function parseSigningKey(p: Problems, key: string, value: unknown): SigningKeyConfig {
    const obj = p.attempt(() => asObject(key, value, "{rsaBits: 2048}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.signingKey!), undefined);
    const rsaBits = p.attempt(() => parseRsaBits(`${key}.rsaBits`, obj.rsaBits), DEFAULTS.signingKey.rsaBits);
    const publicKeys = parsePublicKeys(p, `${key}.publicKeys`, obj.publicKeys);
    const listedKeys = parseKeyNames(p, `${key}.keys`, obj.keys);
    // The cluster's own keys alone: no key is generated, unless keys are listed (a migration to the stack's keys).
    const keys = listedKeys ?? (publicKeys.length > 0 ? [] : [INITIAL_KEY_NAME]);
    if (keys.length === 0 && obj.rsaBits !== undefined) {
        p.attempt(() => {
            throw new ConfigError(
                `${key}.rsaBits`,
                obj.rsaBits,
                "rsaBits sizes a generated key, and none is generated when publicKeys are given; remove one of the two",
            );
        }, undefined);
    }
    return { rsaBits, publicKeys, keys };
}
