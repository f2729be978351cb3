/** What an existing cluster's admin pastes: each snippet parsed as its tool reads it, and the key-file command run. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { existingClusterSnippets } from "../../lib/snippets";
import { mode, sandbox } from "../support/shell";
import { k8s } from "../support/vectors";

const ISSUER = "https://oidcplatform01.z6.web.core.windows.net/";
/** As the program passes it: written with ~, the same on every machine that plans the stack. */
const KEY_DIR = "~/.entra-wif/entra-wif-prod";

describe("with the stack's key", () => {
    const s = existingClusterSnippets(ISSUER, true, KEY_DIR);

    test("minikube: copy the keys into the node, then --extra-config for apiserver and controller-manager", () => {
        expect(s.minikube.split("\n")).toEqual([
            "# with minikube running: copy the stack's key pair into the node",
            // Unquoted, so the admin's shell expands ~.
            `minikube cp ${KEY_DIR}/sa.key /var/lib/minikube/certs/sa.key`,
            `minikube cp ${KEY_DIR}/sa.pub /var/lib/minikube/certs/sa.pub`,
            "minikube start \\",
            `  --extra-config='apiserver.service-account-issuer=${ISSUER}' \\`,
            "  --extra-config='apiserver.service-account-key-file=/var/lib/minikube/certs/sa.pub' \\",
            "  --extra-config='apiserver.service-account-signing-key-file=/var/lib/minikube/certs/sa.key' \\",
            "  --extra-config='controller-manager.service-account-private-key-file=/var/lib/minikube/certs/sa.key'",
        ]);
    });

    test("k0s: ClusterConfig extraArgs with k0s's pki folder", () => {
        expect(parse(s.k0s)).toEqual({
            apiVersion: "k0s.k0sproject.io/v1beta1",
            kind: "ClusterConfig",
            metadata: { name: "k0s" },
            spec: {
                api: {
                    extraArgs: {
                        "service-account-issuer": ISSUER,
                        "service-account-key-file": "/var/lib/k0s/pki/sa.pub",
                        "service-account-signing-key-file": "/var/lib/k0s/pki/sa.key",
                    },
                },
                controllerManager: { extraArgs: { "service-account-private-key-file": "/var/lib/k0s/pki/sa.key" } },
            },
        });
    });

    test("kubeadm: a v1beta4 ClusterConfiguration (extraArgs as name/value lists)", () => {
        expect(parse(s.kubeadm)).toEqual({
            apiVersion: "kubeadm.k8s.io/v1beta4",
            kind: "ClusterConfiguration",
            apiServer: {
                extraArgs: [
                    { name: "service-account-issuer", value: ISSUER },
                    { name: "service-account-key-file", value: "/etc/kubernetes/pki/sa.pub" },
                    { name: "service-account-signing-key-file", value: "/etc/kubernetes/pki/sa.key" },
                ],
            },
            controllerManager: { extraArgs: [{ name: "service-account-private-key-file", value: "/etc/kubernetes/pki/sa.key" }] },
        });
    });

    test("kind: the same config the stack's own kind clusters use, mounting the key folder", () => {
        const kind = parse(s.kind);
        // kind does not expand ~ in hostPath: the snippet says so on its first line.
        expect(s.kind.split("\n")[0]).toMatch(/^# kind takes hostPath literally: write this file with ~ replaced by your home folder/);
        expect(kind.nodes[0].extraMounts.map((m: { hostPath: string }) => m.hostPath)).toEqual([`${KEY_DIR}/sa.pub`, `${KEY_DIR}/sa.key`]);
        expect(parse(kind.kubeadmConfigPatches[0]).apiServer.extraArgs["service-account-issuer"]).toBe(ISSUER);
    });

    const keyFileTools = (box: ReturnType<typeof sandbox>, doctorExit: number) => {
        box.fake(
            "pulumi",
            `
case "$*" in
  "stack --show-name") echo prod ;;
  "stack output --show-secrets serviceAccountSigningKey") printf '%s' "$PRIVATE" ;;
  "stack output serviceAccountPublicKeys") printf '%s' "$PUBLIC" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`,
        );
        // The doctor as npm runs it: its report, and whether every key is published.
        box.fake("npm", `echo "doctor $*" >&2; exit ${doctorExit}`);
    };

    test("the key-file command, run with a stand-in pulumi: the published JWKS checked first, then sa.key 0600 in a 0700 folder", () => {
        const box = sandbox();
        try {
            // The sandbox's HOME is its root: the snippet's ~ must expand there.
            const dir = path.join(box.root, ".entra-wif", "entra-wif-prod");
            keyFileTools(box, 0);
            const r = box.run(existingClusterSnippets(ISSUER, true, KEY_DIR).writeKeyFiles, { PRIVATE: k8s.rsaPrivate(), PUBLIC: k8s.rsaPublic() });
            expect(r.stderr).toBe("doctor run --silent doctor -- --stack prod --endpoints-only\n");
            expect(r.code).toBe(0);
            expect(mode(dir)).toBe(0o700);
            expect(mode(path.join(dir, "sa.key"))).toBe(0o600);
            expect(fs.readFileSync(path.join(dir, "sa.key"), "utf8")).toBe(k8s.rsaPrivate());
            expect(fs.readFileSync(path.join(dir, "sa.pub"), "utf8")).toBe(k8s.rsaPublic());
        } finally {
            box.cleanup();
        }
    });

    test("while the JWKS lacks a key of the stack, it writes nothing and says why, without ending the user's shell", () => {
        const box = sandbox();
        try {
            keyFileTools(box, 1);
            const r = box.run(`${existingClusterSnippets(ISSUER, true, KEY_DIR).writeKeyFiles}\necho "the shell goes on"`, {
                PRIVATE: k8s.rsaPrivate(),
                PUBLIC: k8s.rsaPublic(),
            });
            expect(r.stderr).toMatch(/the published JWKS does not hold every key of the stack yet/);
            expect(r.stdout).toBe("the shell goes on\n");
            expect(fs.existsSync(path.join(box.root, ".entra-wif"))).toBe(false);
        } finally {
            box.cleanup();
        }
    });

    test("the key change is spelled out in the order Entra needs: publish, confirm, switch, and only then remove", () => {
        const steps = s.keyChange.split("\n").filter((l) => /^# \d\./.test(l));
        expect(steps.map((l) => l.slice(0, 5))).toEqual(["# 1. ", "# 2. ", "# 3. ", "# 4. "]);
        expect(steps[0]).toMatch(/pulumi up: publishes the JWKS/);
        expect(steps[1]).toMatch(/writeKeyFiles: checks the published JWKS/);
        expect(steps[2]).toMatch(/restart kube-apiserver/);
        expect(steps[3]).toMatch(/wait out the longest token lifetime/);
    });
});

describe("with the cluster's own keys: only the issuer changes", () => {
    const s = existingClusterSnippets(ISSUER, false, KEY_DIR);

    test("every snippet sets the issuer and nothing else", () => {
        expect(s.minikube).toBe(`minikube start \\\n  --extra-config='apiserver.service-account-issuer=${ISSUER}'`);
        expect(parse(s.k0s).spec).toEqual({ api: { extraArgs: { "service-account-issuer": ISSUER } } });
        expect(parse(s.kubeadm)).toEqual({
            apiVersion: "kubeadm.k8s.io/v1beta4",
            kind: "ClusterConfiguration",
            apiServer: { extraArgs: [{ name: "service-account-issuer", value: ISSUER }] },
        });
        expect(parse(s.kind).nodes).toEqual([{ role: "control-plane" }]);
        expect(s.writeKeyFiles).toBe("");
        expect(s.keyChange).toBe("");
    });
});

test("a quote in a path cannot break out of the shell quoting, and ~ stays outside the quotes", () => {
    const s = existingClusterSnippets(ISSUER, true, "/home/o'brien/.entra-wif/x");
    expect(s.minikube).toContain(`minikube cp '/home/o'\\''brien/.entra-wif/x/sa.key'`);
    expect(existingClusterSnippets(ISSUER, true, "~/o'brien").minikube).toContain(`minikube cp ~/'o'\\''brien/sa.key'`);
});
