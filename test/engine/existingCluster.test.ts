/**
 * Existing-cluster mode through the real engine, against a real kube-apiserver, taking over a running cluster without
 * breaking a token. The apiserver starts as kubeadm starts it (its own key pair in pki/, kubeadm's issuer
 * https://kubernetes.default.svc.cluster.local) and issues a token. Then `pulumi up` of an existing-mode stack with the
 * stand-in providers (the issuer in Azurite), and the cluster configured as the stack's outputs say — the
 * `kubeApiServerFlags`, the `serviceAccountSigningKey` and `serviceAccountPublicKeys` as the key files in pki/entra-wif/,
 * kubeadm's own files untouched — and restarted: the token issued before still passes TokenReview, and a new one is
 * checked as Entra checks it: its issuer is the stack's, byte for byte, and its kid is in the JWKS Azurite serves,
 * whose key verifies its signature. Then the README's rotation: the JWKS holds the new key before the cluster signs
 * with it. The apiserver is test:cluster's (etcd and kube-apiserver built from the Go proxy).
 */
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { JWKS_PATH } from "../../lib/trust/oidc";
import { EngineWorld } from "../../tools/engine/world";
import { ControlPlane, requestToken, reviewToken } from "../cluster/support/controlPlane";
import { AUDIENCE, decodeJwt } from "../cluster/support/deploy";

const STACK = "lab";
const ACCOUNT = "stwifexisting";
const config = (keys: string[]) => ({
    "azure-native:location": "westeurope",
    "entra-wif:issuer": { hosting: "blob", containerName: "oidc", storageAccountName: ACCOUNT },
    "entra-wif:signingKey": { rsaBits: 2048, keys },
    "entra-wif:cluster": { mode: "existing", context: "lab-admin" },
    "entra-wif:webhook": { enabled: false },
    "entra-wif:workloads": [{ namespace: "demo", serviceAccount: "workload-sa" }],
});

let world: EngineWorld;
const plane = new ControlPlane("engine-existing");

beforeAll(async () => {
    world = await EngineWorld.start([ACCOUNT]);
    const init = await world.project.pulumi(["stack", "init", STACK]);
    if (init.code !== 0) throw new Error(init.stderr);
});
afterAll(async () => {
    await plane.stop();
    await world?.stop();
});

async function up(keys: string[]): Promise<Record<string, unknown>> {
    world.project.writeStack(STACK, config(keys));
    const r = await world.project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
    if (r.code !== 0) throw new Error(`pulumi up exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr}`);
    const out = await world.project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]);
    if (out.code !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout);
}

/** kubeadm's PKI folder, played by a folder of the test: the outputs' /etc/kubernetes/pki paths point here. */
const pki = () => path.join(plane.dir, "pki");
const KUBEADM_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The cluster as kubeadm starts it: its own key pair, its own issuer (kubernetes cmd/kubeadm manifests.go). */
function kubeadmFlags(): string[] {
    fs.mkdirSync(pki(), { recursive: true, mode: 0o700 });
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(path.join(pki(), "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.writeFileSync(path.join(pki(), "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    return [
        `--service-account-key-file=${path.join(pki(), "sa.pub")}`,
        `--service-account-signing-key-file=${path.join(pki(), "sa.key")}`,
        `--service-account-issuer=${KUBEADM_ISSUER}`,
    ];
}

/**
 * The cluster as the stack's outputs configure it, as the kubeadm snippet's copy step does: the key files in
 * pki/entra-wif/ (kubeadm's own never written), the flags pointing at them and still at kubeadm's own sa.pub.
 */
function clusterFlags(out: Record<string, unknown>): string[] {
    const ours = path.join(pki(), "entra-wif");
    fs.mkdirSync(ours, { recursive: true, mode: 0o700 });
    const files = { "sa.key": String(out.serviceAccountSigningKey), "sa.pub": String(out.serviceAccountPublicKeys) };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ours, name), text, { mode: name === "sa.key" ? 0o600 : 0o644 });
    return (out.kubeApiServerFlags as string[]).map((f) => f.replace("=/etc/kubernetes/pki/", `=${pki()}/`));
}

/** A token for the workload, checked against what Azurite serves, as Entra checks it. */
async function expectEntraAccepts(out: Record<string, unknown>): Promise<string> {
    const token = await requestToken(plane.api, "demo", "workload-sa", AUDIENCE);
    const { header, payload } = decodeJwt(token);
    expect(payload.iss).toBe(out.issuerUrl);
    expect(header.kid).toBe(out.signingKeyId);
    const served = await world.served(String(out.issuerUrl));
    expect(served[JWKS_PATH].contentType).toBe("application/json");
    const jwk = (JSON.parse(served[JWKS_PATH].body) as { keys: Array<{ kid: string }> }).keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const [h, p, s] = token.split(".");
    const key = createPublicKey({ key: jwk as unknown as import("node:crypto").JsonWebKey, format: "jwk" });
    expect(verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))).toBe(true);
    return header.kid;
}

const tokens: Record<string, string> = {};
let kubeadmOwn = "";

test("a running kubeadm cluster, before the stack: its own key and issuer, and a token it issued", async () => {
    await plane.start(kubeadmFlags());
    kubeadmOwn = fs.readFileSync(path.join(pki(), "sa.pub"), "utf8");
    await plane.create([
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "workload-sa", namespace: "demo" } },
    ]);
    tokens.before = await requestToken(plane.api, "demo", "workload-sa", AUDIENCE);
    expect(decodeJwt(tokens.before).payload.iss).toBe(KUBEADM_ISSUER);
});

test("up, then the cluster configured from the outputs: the token it issued before still passes; new ones carry the stack's issuer and kid", async () => {
    const out = await up(["initial"]);
    const flags = clusterFlags(out);
    // The stack's issuer signs, kubeadm's stays accepted; the stack's key signs, kubeadm's own still verifies.
    expect(flags).toEqual([
        `--service-account-issuer=${out.issuerUrl}`,
        `--service-account-issuer=${KUBEADM_ISSUER}`,
        `--service-account-key-file=${pki()}/entra-wif/sa.pub`,
        `--service-account-key-file=${pki()}/sa.pub`,
        `--service-account-signing-key-file=${pki()}/entra-wif/sa.key`,
    ]);
    await plane.start(flags);
    expect(fs.readFileSync(path.join(pki(), "sa.pub"), "utf8")).toBe(kubeadmOwn);
    expect(await reviewToken(plane.api, tokens.before, AUDIENCE)).toMatchObject({ authenticated: true, username: "system:serviceaccount:demo:workload-sa" });
    await expectEntraAccepts(out);
});

test("a rotation: the JWKS holds the new key before the cluster signs with it, and tokens of both keys verify during the overlap", async () => {
    const before = await expectEntraAccepts(await up(["initial"]));
    // README step 1: publish first (pulumi up), then apply the new files to the cluster and restart it.
    const out = await up(["initial", "next"]);
    const served = await world.served(String(out.issuerUrl));
    const kids = (JSON.parse(served[JWKS_PATH].body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([before, String(out.signingKeyId)]));
    await plane.start(clusterFlags(out));
    const after = await expectEntraAccepts(out);
    expect(after).not.toBe(before);
});
