/**
 * `npm run bundle`: the folder a control-plane node takes (lib/cluster/bundle.ts, tools/bundle.ts). Its install.sh is
 * run for real (POSIX sh, with only the tools a node has) against a copy of a node's files under ENTRA_WIF_ROOT:
 * kubeadm's static pod manifests edited in place with every other flag kept, kubeadm's own keys never written, k3s's
 * drop-in installed and k3s restarted. And the CLI refuses, writing nothing, until the JWKS Entra reads holds every
 * key of the stack.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { nodeBundle } from "../../lib/cluster/bundle";
import type { HttpGet } from "../../lib/doctor/checks";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { buildDiscoveryDocument, DISCOVERY_PATH, JWKS_PATH, serializeDiscoveryDocument } from "../../lib/trust/oidc";
import { BundleOutputs, parseBundleArgs, writeBundle } from "../../tools/bundle";
import { mode, sandbox } from "../support/shell";
import { runTool } from "../support/processes";
import { k8s } from "../support/vectors";

const ISSUER = "https://oidcplatform01.z6.web.core.windows.net/";
const KUBEADM_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** kube-apiserver's manifest as kubeadm writes it (cmd/kubeadm/app/phases/controlplane/manifests.go), abridged. */
const APISERVER_MANIFEST = [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  name: kube-apiserver",
    "  namespace: kube-system",
    "spec:",
    "  containers:",
    "  - command:",
    "    - kube-apiserver",
    "    - --advertise-address=10.0.0.10",
    "    - --service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "    - --service-account-key-file=/etc/kubernetes/pki/sa.pub",
    "    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
    "    - --service-cluster-ip-range=10.96.0.0/12",
    "    image: registry.k8s.io/kube-apiserver:v1.36.5",
    "",
].join("\n");
const CONTROLLER_MANIFEST = [
    "spec:",
    "  containers:",
    "  - command:",
    "    - kube-controller-manager",
    "    - --service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    "    - --use-service-account-credentials=true",
    "",
].join("\n");

/** A node's files under a temporary root, the bundle written beside them, and the tools a node has. */
function node(files: Record<string, string>) {
    const box = sandbox();
    for (const tool of ["install", "awk", "cp", "mv", "dirname"]) {
        const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p))!;
        fs.rmSync(path.join(box.bin, tool), { force: true });
        fs.symlinkSync(found, path.join(box.bin, tool));
    }
    const root = path.join(box.root, "node");
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
    const bundle = path.join(box.root, "bundle");
    fs.mkdirSync(bundle);
    const install = (files: ReturnType<typeof nodeBundle>) => {
        for (const f of files) fs.writeFileSync(path.join(bundle, f.path), f.text, { mode: f.mode });
        return box.run(`sh '${bundle}/install.sh'`, { ENTRA_WIF_ROOT: root });
    };
    return { box, root, bundle, install, read: (file: string) => fs.readFileSync(path.join(root, file), "utf8") };
}

describe("kubeadm", () => {
    const files = nodeBundle({ distribution: "kubeadm", issuer: ISSUER, privateKeyPem: k8s.rsaPrivate(), publicKeysPem: k8s.rsaPublic() });

    test("the files: the private key 0600 (the stack generated it, and the README says so), the public keys, the config, install.sh", () => {
        expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
            ["sa.key", "600"],
            ["sa.pub", "644"],
            ["kubeadm-entra-wif.yaml", "644"],
            ["install.sh", "755"],
            ["README.txt", "644"],
        ]);
        expect(files.find((f) => f.path === "README.txt")!.text).toMatch(/It holds the stack's PRIVATE signing key \(sa\.key, 0600\)/);
        expect(parse(files.find((f) => f.path === "kubeadm-entra-wif.yaml")!.text).apiServer.extraArgs[1]).toEqual({
            name: "service-account-issuer",
            value: KUBEADM_ISSUER,
        });
    });

    test("install.sh: the key files in pki/entra-wif, the manifests' service-account flags replaced and every other kept", () => {
        const n = node({
            "etc/kubernetes/manifests/kube-apiserver.yaml": APISERVER_MANIFEST,
            "etc/kubernetes/manifests/kube-controller-manager.yaml": CONTROLLER_MANIFEST,
            "etc/kubernetes/pki/sa.pub": "kubeadm's own public key\n",
            "etc/kubernetes/pki/sa.key": "kubeadm's own private key\n",
        });
        try {
            const r = n.install(files);
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            expect(r.stdout).toMatch(/^entra-wif: done\. So that kubeadm upgrade keeps these flags, put them in the kubeadm-config ConfigMap/);
            expect(n.read("etc/kubernetes/pki/entra-wif/sa.key")).toBe(k8s.rsaPrivate());
            expect(mode(path.join(n.root, "etc/kubernetes/pki/entra-wif/sa.key"))).toBe(0o600);
            expect(mode(path.join(n.root, "etc/kubernetes/pki/entra-wif"))).toBe(0o700);
            expect(n.read("etc/kubernetes/pki/entra-wif/sa.pub")).toBe(k8s.rsaPublic());
            // kubeadm's own files, untouched.
            expect(n.read("etc/kubernetes/pki/sa.pub")).toBe("kubeadm's own public key\n");
            expect(n.read("etc/kubernetes/pki/sa.key")).toBe("kubeadm's own private key\n");
            const command = (parse(n.read("etc/kubernetes/manifests/kube-apiserver.yaml")) as { spec: { containers: Array<{ command: string[] }> } }).spec
                .containers[0].command;
            expect(command).toEqual([
                "kube-apiserver",
                `--service-account-issuer=${ISSUER}`,
                `--service-account-issuer=${KUBEADM_ISSUER}`,
                "--service-account-key-file=/etc/kubernetes/pki/entra-wif/sa.pub",
                "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
                "--service-account-signing-key-file=/etc/kubernetes/pki/entra-wif/sa.key",
                "--advertise-address=10.0.0.10",
                "--service-cluster-ip-range=10.96.0.0/12",
            ]);
            expect(parse(n.read("etc/kubernetes/manifests/kube-controller-manager.yaml")).spec.containers[0].command).toEqual([
                "kube-controller-manager",
                "--service-account-private-key-file=/etc/kubernetes/pki/entra-wif/sa.key",
                "--use-service-account-credentials=true",
            ]);
            // The manifests as they were, kept beside the script; nothing left in the manifests folder but the two.
            expect(fs.readFileSync(path.join(n.bundle, "kube-apiserver.yaml.before"), "utf8")).toBe(APISERVER_MANIFEST);
            expect(fs.readdirSync(path.join(n.root, "etc/kubernetes/manifests")).sort()).toEqual(["kube-apiserver.yaml", "kube-controller-manager.yaml"]);
        } finally {
            n.box.cleanup();
        }
    });

    test("a second run changes nothing more: the flags are not doubled", () => {
        const n = node({
            "etc/kubernetes/manifests/kube-apiserver.yaml": APISERVER_MANIFEST,
            "etc/kubernetes/manifests/kube-controller-manager.yaml": CONTROLLER_MANIFEST,
        });
        try {
            expect(n.install(files).code).toBe(0);
            const once = n.read("etc/kubernetes/manifests/kube-apiserver.yaml");
            expect(n.install(files).code).toBe(0);
            expect(n.read("etc/kubernetes/manifests/kube-apiserver.yaml")).toBe(once);
        } finally {
            n.box.cleanup();
        }
    });
});

test("k3s: a drop-in whose args keep k3s's own issuer and key, then k3s restarted", () => {
    const files = nodeBundle({ distribution: "k3s", issuer: ISSUER, privateKeyPem: k8s.rsaPrivate(), publicKeysPem: k8s.rsaPublic() });
    const n = node({});
    try {
        n.box.fake("systemctl", "true");
        const r = n.install(files);
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        expect(parse(n.read("etc/rancher/k3s/config.yaml.d/entra-wif.yaml"))).toEqual({
            "kube-apiserver-arg+": [
                `service-account-issuer-=${ISSUER}`,
                "service-account-key-file+=/var/lib/rancher/k3s/server/tls/entra-wif/sa.pub",
                "service-account-signing-key-file=/var/lib/rancher/k3s/server/tls/entra-wif/sa.key",
            ],
            "kube-controller-manager-arg+": ["service-account-private-key-file=/var/lib/rancher/k3s/server/tls/entra-wif/sa.key"],
        });
        expect(n.read("var/lib/rancher/k3s/server/tls/entra-wif/sa.key")).toBe(k8s.rsaPrivate());
        expect(n.box.calls()).toEqual(["systemctl restart k3s"]);
    } finally {
        n.box.cleanup();
    }
});

test("k0s: k0s's own key appended to the stack's sa.pub; the config left for the admin to merge, k0s not restarted", () => {
    const files = nodeBundle({ distribution: "k0s", issuer: ISSUER, privateKeyPem: k8s.rsaPrivate(), publicKeysPem: k8s.rsaPublic() });
    const n = node({ "var/lib/k0s/pki/sa.pub": "k0s's own public key\n" });
    try {
        const r = n.install(files);
        expect(r.code).toBe(0);
        expect(n.read("var/lib/k0s/pki/entra-wif/sa.pub")).toBe(`${k8s.rsaPublic()}k0s's own public key\n`);
        expect(r.stdout).toMatch(/merge k0s-entra-wif\.yaml into \/etc\/k0s\/k0s\.yaml, then: k0s stop && k0s start \(tokens issued under api stop verifying/);
    } finally {
        n.box.cleanup();
    }
});

test("with the cluster's own keys: no private key in the bundle, and it says so; minikube gets no bundle", () => {
    const files = nodeBundle({ distribution: "kubeadm", issuer: ISSUER, publicKeysPem: k8s.rsaPublic() });
    expect(files.map((f) => f.path)).not.toContain("sa.key");
    expect(files.find((f) => f.path === "README.txt")!.text).toMatch(/It holds no private key/);
    expect(() => nodeBundle({ distribution: "minikube", issuer: ISSUER, publicKeysPem: k8s.rsaPublic() })).toThrow(
        /minikube's node is driven from your machine .* clusterSnippets --json \| jq -r \.steps/,
    );
});

describe("writeBundle: nothing written until the JWKS Entra reads holds every key of the stack", () => {
    const outputs: BundleOutputs = {
        issuerUrl: ISSUER,
        clusterMode: "existing",
        clusterSnippets: { distribution: "kubeadm" },
        serviceAccountSigningKey: k8s.rsaPrivate(),
        serviceAccountPublicKeys: k8s.rsaPublic(),
        signingPublicKeys: [k8s.rsaPublic()],
    };
    /** The issuer as Entra reads it: the documents of `published`. */
    const served =
        (published: string[]): HttpGet =>
        async (url) => {
            const jwks = buildJwks(published);
            if (url === ISSUER + JWKS_PATH) return { status: 200, contentType: "application/json", body: serializeJwks(jwks) };
            if (url === ISSUER + DISCOVERY_PATH)
                return { status: 200, contentType: "application/json", body: serializeDiscoveryDocument(buildDiscoveryDocument(ISSUER, jwks)) };
            return { status: 404, contentType: null, body: "" };
        };
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-bundle-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("published: the folder 0700, each file with its mode", async () => {
        const out = path.join(dir, "node-1");
        expect(await writeBundle(outputs, out, served([k8s.rsaPublic()]))).toEqual(["sa.key", "sa.pub", "kubeadm-entra-wif.yaml", "install.sh", "README.txt"]);
        expect(mode(out)).toBe(0o700);
        expect(mode(path.join(out, "sa.key"))).toBe(0o600);
        expect(mode(path.join(out, "install.sh"))).toBe(0o755);
    });

    test("a key the JWKS lacks, a kind stack, a folder in use: refused, nothing written", async () => {
        const out = path.join(dir, "node-1");
        await expect(writeBundle(outputs, out, served([k8s.ecdsaPublic()]))).rejects.toThrow(/the published JWKS does not hold every key of the stack yet/);
        expect(fs.existsSync(out)).toBe(false);
        await expect(writeBundle({ ...outputs, clusterMode: "kind" }, out, served([k8s.rsaPublic()]))).rejects.toThrow(/a bundle is for a cluster you run/);
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, "x"), "");
        await expect(writeBundle(outputs, out, served([k8s.rsaPublic()]))).rejects.toThrow(/is not empty: give a new folder/);
    });
});

test("the CLI: --stack and --out are required (exit 2); without pulumi it says why and exits 1", async () => {
    expect(() => parseBundleArgs(["--stack", "prod"])).toThrow("missing --out");
    const usage = await runTool("tools/bundle.ts", ["--out", "x"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^missing --stack\nusage: npm run --silent bundle -- --stack <name> --out <dir>/);
    const missing = await runTool("tools/bundle.ts", ["--stack", "prod", "--out", path.join(os.tmpdir(), "entra-wif-bundle-never")], { PATH: "/nonexistent" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pulumi stack output needs the Pulumi CLI/);
});
