/** What an existing cluster's admin pastes: each snippet parsed as its tool reads it, and the key-file command run. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { existingClusterSnippets } from "../../lib/cluster/snippets";
import { mode, sandbox } from "../support/shell";
import { k8s } from "../support/vectors";

const ISSUER = "https://oidcplatform01.z6.web.core.windows.net/";
/** As the program passes it: written with ~, the same on every machine that plans the stack. */
const KEY_DIR = "~/.entra-wif/entra-wif-prod";

describe("with the stack's key", () => {
    const s = existingClusterSnippets(ISSUER, true, KEY_DIR);

    test("kubeadm (the default): both issuers, the stack's first; the stack's key files in entra-wif/, kubeadm's own sa.pub still verifying", () => {
        expect(s.distribution).toBe("kubeadm");
        expect(s.steps).toBe(s.kubeadm);
        expect(parse(s.kubeadmConfig)).toEqual({
            apiVersion: "kubeadm.k8s.io/v1beta4",
            kind: "ClusterConfiguration",
            apiServer: {
                extraArgs: [
                    { name: "service-account-issuer", value: ISSUER },
                    { name: "service-account-issuer", value: "https://kubernetes.default.svc.cluster.local" },
                    { name: "service-account-key-file", value: "/etc/kubernetes/pki/entra-wif/sa.pub" },
                    { name: "service-account-key-file", value: "/etc/kubernetes/pki/sa.pub" },
                    { name: "service-account-signing-key-file", value: "/etc/kubernetes/pki/entra-wif/sa.key" },
                ],
            },
            controllerManager: { extraArgs: [{ name: "service-account-private-key-file", value: "/etc/kubernetes/pki/entra-wif/sa.key" }] },
        });
        // kubeadm's own key files are never a destination.
        expect(s.kubeadm).not.toMatch(/install -m 06\d\d \S+ \/etc\/kubernetes\/pki\/sa\.(key|pub)$/m);
    });

    test("a custom previous issuer is the one kept accepted; the other distributions keep their own defaults", () => {
        const custom = existingClusterSnippets(ISSUER, true, KEY_DIR, { distribution: "kubeadm", previousIssuer: "https://old.example/" });
        expect(parse(custom.kubeadmConfig).apiServer.extraArgs.filter((a: { name: string }) => a.name === "service-account-issuer")).toEqual([
            { name: "service-account-issuer", value: ISSUER },
            { name: "service-account-issuer", value: "https://old.example/" },
        ]);
        expect(custom.dropPrevious).toMatch(/^# The cluster's previous key and issuer \(https:\/\/old\.example\/\) can go once/);
    });

    test("minikube: one value per flag: the stack's sa.pub carries minikube's own key, and the snippet says the old issuer ends", () => {
        const lines = s.minikube.split("\n");
        const start = lines.indexOf("minikube start \\");
        expect(lines.slice(start, start + 5)).toEqual([
            "minikube start \\",
            `  --extra-config='apiserver.service-account-issuer=${ISSUER}' \\`,
            "  --extra-config='apiserver.service-account-key-file=/var/lib/minikube/certs/entra-wif/sa.pub' \\",
            "  --extra-config='apiserver.service-account-signing-key-file=/var/lib/minikube/certs/entra-wif/sa.key' \\",
            "  --extra-config='controller-manager.service-account-private-key-file=/var/lib/minikube/certs/entra-wif/sa.key'",
        ]);
        // Unquoted, so the admin's shell expands ~.
        expect(lines).toContain(`minikube cp ${KEY_DIR}/sa.key /var/lib/minikube/certs/entra-wif/sa.key`);
        expect(s.minikube).toMatch(
            /minikube takes one value per flag: tokens it issued under https:\/\/kubernetes\.default\.svc\.cluster\.local stop verifying/,
        );
    });

    test("k0s: ClusterConfig extraArgs (a map: one issuer) with the key files in k0s's pki/entra-wif", () => {
        expect(parse(s.k0sConfig)).toEqual({
            apiVersion: "k0s.k0sproject.io/v1beta1",
            kind: "ClusterConfig",
            metadata: { name: "k0s" },
            spec: {
                api: {
                    extraArgs: {
                        "service-account-issuer": ISSUER,
                        "service-account-key-file": "/var/lib/k0s/pki/entra-wif/sa.pub",
                        "service-account-signing-key-file": "/var/lib/k0s/pki/entra-wif/sa.key",
                    },
                },
                controllerManager: { extraArgs: { "service-account-private-key-file": "/var/lib/k0s/pki/entra-wif/sa.key" } },
            },
        });
        expect(s.k0s).toContain("sudo cat /var/lib/k0s/pki/sa.pub | cat ~/.entra-wif/entra-wif-prod/sa.pub - | sudo tee /var/lib/k0s/pki/entra-wif/sa.pub");
    });

    test.each([
        ["k3s", "k3sConfig", "/var/lib/rancher/k3s/server/tls/entra-wif"],
        ["rke2", "rke2Config", "/var/lib/rancher/rke2/server/tls/entra-wif"],
    ] as const)("%s: a config.yaml.d drop-in whose args keep the distribution's own issuer and key (-= before, += after)", (name, config, dir) => {
        expect(parse(s[config])).toEqual({
            "kube-apiserver-arg+": [
                `service-account-issuer-=${ISSUER}`,
                `service-account-key-file+=${dir}/sa.pub`,
                `service-account-signing-key-file=${dir}/sa.key`,
            ],
            "kube-controller-manager-arg+": [`service-account-private-key-file=${dir}/sa.key`],
        });
        expect(s[name]).toContain(`sudo tee /etc/rancher/${name}/config.yaml.d/entra-wif.yaml >/dev/null <<'ENTRA_WIF_EOF'`);
        const chosen = existingClusterSnippets(ISSUER, true, KEY_DIR, { distribution: name });
        expect([chosen.distribution, chosen.steps]).toEqual([name, chosen[name]]);
    });

    test("dropPrevious: when the old key and issuer can go, and the command that lists what still depends on them", () => {
        expect(s.dropPrevious.split("\n")).toEqual([
            "# The cluster's previous key and issuer (https://kubernetes.default.svc.cluster.local) can go once no token issued before the switch is in use:",
            "# - projected tokens (every pod's): the kubelet renews them at 80% of their lifetime, and at 24 h at the latest: wait 24 h after the restart;",
            "# - legacy token Secrets never expire and were signed with the previous key: this lists them (re-create any still used, or keep the key):",
            "kubectl get secrets -A --field-selector type=kubernetes.io/service-account-token",
            "# Then remove the second --service-account-issuer and --service-account-key-file=/etc/kubernetes/pki/sa.pub, " +
                "and restart kube-apiserver (step 4 of the snippet).",
        ]);
    });

    test("kind: the same config the stack's own kind clusters use, mounting the key folder", () => {
        const kind = parse(s.kindConfig);
        // kind does not expand ~ in hostPath: the snippet says so on its first line.
        expect(s.kindConfig.split("\n")[0]).toMatch(/^# kind takes hostPath literally: write this file with ~ replaced by your home folder/);
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
        expect(steps[1]).toMatch(/writeKeyFiles \(or step 1 of your distribution.s snippet\): checks the published JWKS/);
        expect(steps[2]).toMatch(/restart kube-apiserver/);
        expect(steps[3]).toMatch(/wait out the longest token lifetime/);
    });
});

describe("with the cluster's own keys: only the issuer changes", () => {
    const s = existingClusterSnippets(ISSUER, false, KEY_DIR);

    test("every snippet sets the issuer (the previous one still accepted where the distribution can) and nothing else", () => {
        expect(s.minikube.split("\n").slice(-3)).toEqual(["minikube start \\", `  --extra-config='apiserver.service-account-issuer=${ISSUER}'`, ")"]);
        expect(parse(s.k0sConfig).spec).toEqual({ api: { extraArgs: { "service-account-issuer": ISSUER } } });
        expect(parse(s.kubeadmConfig)).toEqual({
            apiVersion: "kubeadm.k8s.io/v1beta4",
            kind: "ClusterConfiguration",
            // The previous issuer stays accepted after the stack's: tokens already in the cluster keep working.
            apiServer: {
                extraArgs: [
                    { name: "service-account-issuer", value: ISSUER },
                    { name: "service-account-issuer", value: "https://kubernetes.default.svc.cluster.local" },
                ],
            },
        });
        expect(parse(s.kindConfig).nodes).toEqual([{ role: "control-plane" }]);
        expect(parse(s.k3sConfig)).toEqual({ "kube-apiserver-arg+": [`service-account-issuer-=${ISSUER}`] });
        for (const snippet of [s.minikube, s.k0s, s.kubeadm, s.k3s, s.rke2, s.kind]) {
            expect(snippet).toContain("# 1. write: nothing, the cluster keeps its own keys");
            expect(snippet).not.toMatch(/sa\.key|serviceAccountSigningKey/);
        }
        expect(s.keyChange).toBe("");
    });

    test("writeKeyFiles says there is nothing to write, instead of silently doing nothing", () => {
        const box = sandbox();
        try {
            const r = box.run(s.writeKeyFiles, {});
            expect(r.code).toBe(0);
            expect(r.stderr).toMatch(
                /^entra-wif: signingKey\.publicKeys: the cluster keeps its own keys, so there are no key files to write; only --service-account-issuer changes/,
            );
        } finally {
            box.cleanup();
        }
    });
});

describe("each distribution's snippet is complete and runs in order: write, copy, configure, restart", () => {
    /** The tools the procedures call, as stand-ins that log their arguments; sudo runs nothing. */
    const tools = (box: ReturnType<typeof sandbox>, doctorExit = 0) => {
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
        box.fake("npm", `exit ${doctorExit}`);
        // A stand-in reads what is piped to it, as `sudo tee` does: a writer into the pipe is never cut off (pipefail).
        for (const tool of ["sudo", "minikube", "kind", "sleep"]) box.fake(tool, "[ -t 0 ] || cat >/dev/null");
    };
    const s = existingClusterSnippets(ISSUER, true, KEY_DIR);
    const run = (snippet: string, doctorExit = 0) => {
        const box = sandbox();
        tools(box, doctorExit);
        const r = box.run(`cd "$HOME"\n${snippet}\necho "the shell goes on"`, { PRIVATE: k8s.rsaPrivate(), PUBLIC: k8s.rsaPublic() });
        const written = (file: string) => (fs.existsSync(path.join(box.root, file)) ? fs.readFileSync(path.join(box.root, file), "utf8") : undefined);
        const result = { ...r, calls: box.calls().filter((c) => !c.startsWith("pulumi stack --show-name")), written, root: box.root };
        return { result, cleanup: () => box.cleanup() };
    };

    test.each<[string, keyof typeof s, RegExp[], string | undefined, keyof typeof s | undefined]>([
        [
            "k0s",
            "k0s",
            [
                /^npm run --silent doctor/,
                /^pulumi stack output --show-secrets/,
                /^pulumi stack output serviceAccountPublicKeys/,
                /^sudo install -d -m 0700 \/var\/lib\/k0s\/pki\/entra-wif$/,
                /^sudo install -m 0600 .*\/sa\.key \/var\/lib\/k0s\/pki\/entra-wif\/sa\.key$/,
                /^sudo cat \/var\/lib\/k0s\/pki\/sa\.pub$/,
                /^sudo tee \/var\/lib\/k0s\/pki\/entra-wif\/sa\.pub$/,
                /^sudo k0s stop$/,
                /^sudo k0s start$/,
            ],
            "k0s-entra-wif.yaml",
            "k0sConfig",
        ],
        [
            "kubeadm",
            "kubeadm",
            [
                /^npm run --silent doctor/,
                /^pulumi stack output --show-secrets/,
                /^pulumi stack output serviceAccountPublicKeys/,
                /^sudo install -d -m 0700 \/etc\/kubernetes\/pki\/entra-wif$/,
                /^sudo install -m 0600 .*\/sa\.key \/etc\/kubernetes\/pki\/entra-wif\/sa\.key$/,
                /^sudo install -m 0644 .*\/sa\.pub \/etc\/kubernetes\/pki\/entra-wif\/sa\.pub$/,
                /^sudo mv \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml /,
                /^sudo mv \/etc\/kubernetes\/kube-apiserver\.yaml\.entra-wif /,
                /^sudo mv \/etc\/kubernetes\/manifests\/kube-controller-manager\.yaml /,
                /^sudo mv \/etc\/kubernetes\/kube-controller-manager\.yaml\.entra-wif /,
            ],
            "kubeadm-entra-wif.yaml",
            "kubeadmConfig",
        ],
        [
            "minikube",
            "minikube",
            [
                /^npm run --silent doctor/,
                /^pulumi stack output --show-secrets/,
                /^pulumi stack output serviceAccountPublicKeys/,
                /^minikube ssh -- sudo install -d -m 0700 \/var\/lib\/minikube\/certs\/entra-wif$/,
                /^minikube cp .*\/sa\.key \/var\/lib\/minikube\/certs\/entra-wif\/sa\.key$/,
                /^minikube ssh -- sudo cat \/var\/lib\/minikube\/certs\/sa\.pub$/,
                /^minikube cp .*\/sa\.with-minikube\.pub \/var\/lib\/minikube\/certs\/entra-wif\/sa\.pub$/,
                /^minikube start --extra-config=apiserver\.service-account-issuer=/,
            ],
            undefined,
            undefined,
        ],
        ...(["k3s", "rke2"] as const).map((d): [string, keyof typeof s, RegExp[], string | undefined, keyof typeof s | undefined] => [
            d,
            d,
            [
                /^npm run --silent doctor/,
                /^pulumi stack output --show-secrets/,
                /^pulumi stack output serviceAccountPublicKeys/,
                new RegExp(`^sudo install -d -m 0700 /var/lib/rancher/${d}/server/tls/entra-wif$`),
                new RegExp(`^sudo install -m 0600 .*/sa\\.key /var/lib/rancher/${d}/server/tls/entra-wif/sa\\.key$`),
                new RegExp(`^sudo install -m 0644 .*/sa\\.pub /var/lib/rancher/${d}/server/tls/entra-wif/sa\\.pub$`),
                new RegExp(`^sudo install -d /etc/rancher/${d}/config\\.yaml\\.d$`),
                new RegExp(`^sudo tee /etc/rancher/${d}/config\\.yaml\\.d/entra-wif\\.yaml$`),
                new RegExp(`^sudo systemctl restart ${d === "k3s" ? "k3s" : "rke2-server"}$`),
            ],
            undefined,
            undefined,
        ]),
        [
            "kind",
            "kind",
            [
                /^npm run --silent doctor/,
                /^pulumi stack output --show-secrets/,
                /^pulumi stack output serviceAccountPublicKeys/,
                /^kind create cluster --config kind-entra-wif\.yaml$/,
            ],
            "kind-entra-wif.yaml",
            undefined,
        ],
    ])("%s", (_name, snippet, order, configFile, configKey) => {
        const { result, cleanup } = run(s[snippet]);
        try {
            expect(result.stderr).toBe("");
            expect(result.stdout).toBe("the shell goes on\n");
            const calls = result.calls.filter((c) => !c.startsWith("sleep"));
            // The two ends of one pipeline (`sudo cat … | … | sudo tee …`) start together: which logs its call first is
            // the scheduler's choice, so they are compared in the order the pipeline reads.
            const tee = calls.findIndex((c) => c.startsWith("sudo tee "));
            if (tee > 0 && calls[tee + 1]?.startsWith("sudo cat ")) [calls[tee], calls[tee + 1]] = [calls[tee + 1], calls[tee]];
            expect(calls).toHaveLength(order.length);
            calls.forEach((call, i) => expect(call).toMatch(order[i]));
            // The key files the copy step copies were written first, with the right modes.
            expect(mode(path.join(result.root, ".entra-wif", "entra-wif-prod", "sa.key"))).toBe(0o600);
            if (configFile && configKey) expect(parse(result.written(configFile)!)).toEqual(parse(s[configKey]));
            if (snippet === "kind") {
                // ~ resolved to this machine's home folder, as kind needs.
                const kind = parse(result.written("kind-entra-wif.yaml")!);
                expect(kind.nodes[0].extraMounts.map((m: { hostPath: string }) => m.hostPath)).toEqual([
                    `${result.root}/.entra-wif/entra-wif-prod/sa.pub`,
                    `${result.root}/.entra-wif/entra-wif-prod/sa.key`,
                ]);
            }
        } finally {
            cleanup();
        }
    });

    test.each(["k0s", "kubeadm", "minikube", "k3s", "rke2", "kind"] as const)(
        "%s: while the JWKS lacks a key, nothing is copied, configured or restarted",
        (snippet) => {
            const { result, cleanup } = run(s[snippet], 1);
            try {
                expect(result.stderr).toMatch(/the published JWKS does not hold every key of the stack yet/);
                expect(result.stdout).toBe("the shell goes on\n");
                expect(result.calls).toEqual(["npm run --silent doctor -- --stack prod --endpoints-only"]);
                expect(fs.existsSync(path.join(result.root, ".entra-wif"))).toBe(false);
            } finally {
                cleanup();
            }
        },
    );
});

test("a quote in a path cannot break out of the shell quoting, and ~ stays outside the quotes", () => {
    const s = existingClusterSnippets(ISSUER, true, "/home/o'brien/.entra-wif/x");
    expect(s.minikube).toContain(`minikube cp '/home/o'\\''brien/.entra-wif/x/sa.key'`);
    expect(existingClusterSnippets(ISSUER, true, "~/o'brien").minikube).toContain(`minikube cp ~/'o'\\''brien/sa.key'`);
});
