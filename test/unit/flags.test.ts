import { apiServerFlags, controllerManagerFlags, defaultKeyFiles } from "../../lib/cluster/flags";

const issuer = "https://acct.blob.core.windows.net/oidc/";

test("stack-owned key: issuer, public key, signing key, controller-manager private key", () => {
    const s = { issuer, keyFiles: defaultKeyFiles() };
    expect(apiServerFlags(s)).toEqual([
        `--service-account-issuer=${issuer}`,
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
    ]);
    expect(controllerManagerFlags(s)).toEqual(["--service-account-private-key-file=/etc/kubernetes/pki/sa.key"]);
});

test("several public keys are repeated flags, in order", () => {
    const s = { issuer, keyFiles: { publicKeyFiles: ["/k/a.pub", "/k/b.pub"], signingKeyFile: "/k/b.key" } };
    expect(apiServerFlags(s).filter((f) => f.startsWith("--service-account-key-file="))).toEqual([
        "--service-account-key-file=/k/a.pub",
        "--service-account-key-file=/k/b.pub",
    ]);
});

test("bring-your-own keys: only the issuer changes on the cluster", () => {
    expect(apiServerFlags({ issuer })).toEqual([`--service-account-issuer=${issuer}`]);
    expect(controllerManagerFlags({ issuer })).toEqual([]);
});

test("the issuer is passed through byte for byte", () => {
    const noSlash = "https://acct.blob.core.windows.net/oidc";
    expect(apiServerFlags({ issuer: noSlash })[0]).toBe(`--service-account-issuer=${noSlash}`);
});
