/**
 * A running kubeadm cluster taken over without breaking a token, end to end on a real kube-apiserver: the apiserver
 * starts as kubeadm starts it (its own key pair in pki/, its issuer https://kubernetes.default.svc.cluster.local, the
 * flags read from its static pod manifest) and issues a token. The stack is deployed (existing mode, kubeadm), its
 * node bundle's install.sh (lib/cluster/bundle.ts) is run for real against the node's files — kubeadm's manifest
 * edited in place — and the apiserver restarted with the flags the edited manifest now holds, as the kubelet would:
 *
 *   - the token issued before still passes TokenReview (the old key verifies, the old issuer is accepted);
 *   - new tokens carry the stack's issuer and kid, and pass the doctor against what Azurite serves;
 *   - kubeadm's own key files are untouched.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { nodeBundle } from "../../lib/cluster/bundle";
import { Deployed, Deployment } from "../support/deployment";
import { runProcess } from "../support/processes";
import { ApiServer, ControlPlane, requestToken, reviewToken } from "./support/controlPlane";
import { AUDIENCE, decodeJwt, stackConfig } from "./support/deploy";

const SUBJECT = "system:serviceaccount:demo:workload-sa";
const KUBEADM_ISSUER = "https://kubernetes.default.svc.cluster.local";
const FIXED_KEY = fs.readFileSync(path.resolve(__dirname, "../fixtures/keys/signing-key-initial.TESTONLY.pem"), "utf8");

const cluster = new ControlPlane("adoption");
let deployment: Deployment;
let deployed: Deployed;
let api: ApiServer;
const node = () => path.join(cluster.dir, "node");
const manifest = () => path.join(node(), "etc/kubernetes/manifests/kube-apiserver.yaml");
const tokens: Record<string, string> = {};
let kubeadmOwn: { key: string; pub: string };

/** The service-account flags of the apiserver's static pod manifest, its /etc paths under the node's folder. */
function manifestFlags(): string[] {
    const command = (parse(fs.readFileSync(manifest(), "utf8")) as { spec: { containers: Array<{ command: string[] }> } }).spec.containers[0].command;
    return command.filter((f) => f.startsWith("--service-account-")).map((f) => f.replace("=/etc/", `=${node()}/etc/`));
}

beforeAll(async () => {
    // The node as kubeadm left it: its key pair and its manifests (cmd/kubeadm/app/phases/controlplane/manifests.go).
    const pki = path.join(node(), "etc/kubernetes/pki");
    fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.dirname(manifest()), { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    kubeadmOwn = { key: privateKey.export({ type: "pkcs8", format: "pem" }) as string, pub: publicKey.export({ type: "spki", format: "pem" }) as string };
    fs.writeFileSync(path.join(pki, "sa.key"), kubeadmOwn.key, { mode: 0o600 });
    fs.writeFileSync(path.join(pki, "sa.pub"), kubeadmOwn.pub);
    const command = (flags: string[]) =>
        ["spec:", "  containers:", "  - command:", ...flags.map((f) => `    - ${f}`), "    image: kube-apiserver", ""].join("\n");
    fs.writeFileSync(
        manifest(),
        command([
            "kube-apiserver",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
            "--service-cluster-ip-range=10.96.0.0/16",
        ]),
    );
    fs.writeFileSync(
        path.join(path.dirname(manifest()), "kube-controller-manager.yaml"),
        command(["kube-controller-manager", "--service-account-private-key-file=/etc/kubernetes/pki/sa.key"]),
    );
    api = await cluster.start(manifestFlags());
    await cluster.create([
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "workload-sa", namespace: "demo" } },
    ]);
    tokens.before = await requestToken(api, "demo", "workload-sa", AUDIENCE);

    // The stack, and its bundle's install.sh run on the node's files (as root on a node; here ENTRA_WIF_ROOT).
    deployment = await Deployment.start(__filename, { fixedPrivateKeys: { "signing-key-initial": FIXED_KEY } });
    const config = stackConfig("examples/Pulumi.existing.yaml", deployment.azurite.accountName);
    config["entra-wif:cluster"] = { mode: "existing", context: "kubeadm-admin", distribution: "kubeadm" };
    deployed = await deployment.up(config);
    const bundle = path.join(cluster.dir, "bundle");
    fs.mkdirSync(bundle);
    for (const f of nodeBundle({
        distribution: "kubeadm",
        issuer: deployed.plan.outputs.issuerUrl as string,
        privateKeyPem: FIXED_KEY,
        publicKeysPem: deployed.plan.outputs.serviceAccountPublicKeys as string,
    })) {
        fs.writeFileSync(path.join(bundle, f.path), f.text, { mode: f.mode });
    }
    const installed = await runProcess("/bin/sh", [path.join(bundle, "install.sh")], { env: { ...process.env, ENTRA_WIF_ROOT: node() }, timeoutMs: 30000 });
    if (installed.code !== 0) throw new Error(`install.sh exited ${installed.code}: ${installed.stderr}`);
    // The kubelet restarts the static pod on the edited manifest.
    api = await cluster.start(manifestFlags());
});

afterAll(async () => {
    await cluster.stop();
    await deployment?.stop();
});

test("before: kubeadm's issuer and key sign", () => {
    expect(decodeJwt(tokens.before).payload.iss).toBe(KUBEADM_ISSUER);
});

test("the manifest now holds the stack's flags, kubeadm's issuer and key after them; kubeadm's own files are untouched", () => {
    expect(manifestFlags().map((f) => f.replace(`=${node()}/etc/`, "=/etc/"))).toEqual(deployed.plan.outputs.kubeApiServerFlags);
    expect(fs.readFileSync(path.join(node(), "etc/kubernetes/pki/sa.key"), "utf8")).toBe(kubeadmOwn.key);
    expect(fs.readFileSync(path.join(node(), "etc/kubernetes/pki/sa.pub"), "utf8")).toBe(kubeadmOwn.pub);
});

test("the token issued before the switch still passes TokenReview", async () => {
    expect(await reviewToken(api, tokens.before, AUDIENCE)).toMatchObject({ authenticated: true, username: SUBJECT });
});

test("new tokens carry the stack's issuer and kid, and pass the doctor against what Azurite serves", async () => {
    const token = await requestToken(api, "demo", "workload-sa", AUDIENCE);
    const { header, payload } = decodeJwt(token);
    expect(payload.iss).toBe(deployed.plan.outputs.issuerUrl);
    expect(header.kid).toBe(deployed.plan.outputs.signingKeyId);
    expect(
        await deployment.doctorFailures({
            issuer: deployed.plan.outputs.issuerUrl as string,
            token,
            subject: SUBJECT,
            publicKeyFile: path.join(node(), "etc/kubernetes/pki/entra-wif/sa.pub"),
        }),
    ).toEqual([]);
});
