/**
 * Existing-cluster mode through the real engine, against a real kube-apiserver: `pulumi up` of an existing-mode stack
 * with the stand-in providers (the issuer in Azurite), then the cluster configured as the stack's outputs say — the
 * `kubeApiServerFlags`, the `serviceAccountSigningKey` and `serviceAccountPublicKeys` as the key files — and a token
 * it issues checked as Entra checks it: its issuer is the stack's, byte for byte, and its kid is in the JWKS Azurite
 * serves, whose key verifies its signature. Then the README's rotation: the JWKS holds the new key before the cluster
 * signs with it. The apiserver is test:cluster's (etcd and kube-apiserver built from the Go proxy).
 */
import { createPublicKey, verify } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { JWKS_PATH } from "../../lib/trust/oidc";
import { EngineWorld } from "../../tools/engine/world";
import { ControlPlane, requestToken } from "../cluster/support/controlPlane";
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

/** The cluster as the stack's outputs configure it: its key files in a folder of the test, the flags pointing at them. */
function clusterFlags(out: Record<string, unknown>): string[] {
    const files = { "sa.key": String(out.serviceAccountSigningKey), "sa.pub": String(out.serviceAccountPublicKeys) };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(plane.dir, name), text, { mode: name === "sa.key" ? 0o600 : 0o644 });
    return (out.kubeApiServerFlags as string[]).map((f) =>
        f.replace(/=\/etc\/kubernetes\/pki\/(sa\.(key|pub))$/, (_m, file: string) => `=${path.join(plane.dir, file)}`),
    );
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

test("up, then the cluster configured from the outputs: its tokens carry the stack's issuer and a kid Entra can read", async () => {
    const out = await up(["initial"]);
    await plane.start(clusterFlags(out));
    await plane.create([
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "workload-sa", namespace: "demo" } },
    ]);
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
