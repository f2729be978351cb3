/**
 * The Arc connection's scripts, run for real against stand-in `az` and `kubectl`: the tools checked first, the
 * resource providers connectedk8s requires registered, a connection adopted only when the cluster's own agents name
 * it (a stale one, left by a replaced cluster, deleted and connected anew), the kubeconfig handed over in a 0600 file
 * that does not outlive the script, and a disconnect that still empties Azure when the cluster is already gone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ARC_ENV, ARC_RESOURCE_PROVIDERS, arcConnectScript, arcDisconnectScript } from "../../lib/cluster/arc";
import { sandbox, Sandbox } from "../support/shell";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: [{name: kind, cluster: {server: https://127.0.0.1:6443}}]\n";
const env = (extra: Record<string, string> = {}) => ({
    [ARC_ENV.name]: "arc-entra-wif-dev",
    [ARC_ENV.resourceGroup]: "rg-entra-wif-dev",
    [ARC_ENV.location]: "westeurope",
    [ARC_ENV.subscription]: "00000000-1111-4222-8333-444444444444",
    [ARC_ENV.kubeconfig]: KUBECONFIG,
    ...extra,
});
const target = "--name arc-entra-wif-dev --resource-group rg-entra-wif-dev --subscription 00000000-1111-4222-8333-444444444444 --only-show-errors";
const resourceId =
    "/subscriptions/00000000-1111-4222-8333-444444444444/resourceGroups/rg-entra-wif-dev/providers/Microsoft.Kubernetes/connectedClusters/arc-entra-wif-dev";

let box: Sandbox;
beforeEach(() => {
    box = sandbox();
    // The cluster's Arc agent config map, as `kubectl get configmap azure-clusterconfig -n azure-arc -o jsonpath=...`
    // prints it: "<group>/<name>" of the connection its agents belong to, or nothing (no agents: not found).
    box.fake("kubectl", `case "$*" in *azure-clusterconfig*) [ -n "\${AGENTS:-}" ] || exit 1; printf '%s' "$AGENTS" ;; esac`);
    box.fake("mktemp", `f="${"$"}{TMPDIR:-/tmp}/entra-wif-arc-kubeconfig"; : > "$f"; echo "$f"`);
});
afterEach(() => box.cleanup());

/**
 * az: the extension present unless `extension` is false; `connected` decides `connectedk8s show`; `deleteCode` the
 * delete's exit; `unregistered` resource providers start NotRegistered and become Registered once registered, unless
 * `registerCode` makes the registration fail.
 */
function fakeAz(opts: { extension?: boolean; connected?: boolean; deleteCode?: number; unregistered?: string[]; registerCode?: number }) {
    const seen = path.join(box.root, "kubeconfig.seen");
    const registered = path.join(box.root, "registered");
    const unregistered = (opts.unregistered ?? []).map((n) => `'${n}'`).join(" ") || "''";
    const registerCode = opts.registerCode ?? 0;
    box.fake(
        "az",
        `
case "$1 $2" in
  "provider show")
    if printf '%s\n' ${unregistered} | grep -qx "$4" && ! grep -qx "$4" '${registered}' 2>/dev/null; then echo NotRegistered; else echo Registered; fi ;;
  "provider register") [ ${registerCode} = 0 ] || { echo "AuthorizationFailed" >&2; exit ${registerCode}; }; echo "$4" >> '${registered}' ;;
  "extension show") ${opts.extension === false ? "exit 1" : "exit 0"} ;;
  "connectedk8s show") ${opts.connected ? "exit 0" : "echo 'ResourceNotFound' >&2; exit 3"} ;;
  "connectedk8s connect"|"connectedk8s delete")
    for a in "$@"; do if [ "$prev" = --kube-config ]; then cat "$a" > '${seen}'; ls -l "$a" | cut -c1-10 >> '${seen}.mode'; fi; prev="$a"; done
    [ "$2" = delete ] && exit ${opts.deleteCode ?? 0}; exit 0 ;;
  "resource delete") exit 0 ;;
esac`,
    );
    return seen;
}

describe("connect", () => {
    test("connects with the cluster's kubeconfig, in a 0600 file removed afterwards", () => {
        const seen = fakeAz({});
        box.fake("ls", `/bin/ls "$@"`);
        box.fake("cut", `/usr/bin/cut "$@"`);
        const r = box.run(arcConnectScript(), { ...env(), TMPDIR: box.root });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const connect = box.calls().find((c) => c.startsWith("az connectedk8s connect"))!;
        expect(connect).toBe(`az connectedk8s connect ${target} --location westeurope --kube-config ${path.join(box.root, "entra-wif-arc-kubeconfig")}`);
        expect(fs.readFileSync(seen, "utf8")).toBe(KUBECONFIG);
        expect(fs.readFileSync(`${seen}.mode`, "utf8").trim()).toBe("-rw-------");
        expect(fs.existsSync(path.join(box.root, "entra-wif-arc-kubeconfig"))).toBe(false);
        // The kubeconfig never appears on a command line.
        expect(box.calls().join("\n")).not.toContain("apiVersion");
    });

    test("a cluster reached by a context of the ambient kubeconfig passes the context", () => {
        fakeAz({});
        const { [ARC_ENV.kubeconfig]: _none, ...byContext } = env({ [ARC_ENV.context]: "k0s-platform" });
        expect(box.run(arcConnectScript(), byContext).code).toBe(0);
        expect(box.calls().find((c) => c.startsWith("az connectedk8s connect"))).toBe(
            `az connectedk8s connect ${target} --location westeurope --kube-context k0s-platform`,
        );
    });

    test("a connection this cluster's own agents name (an earlier run that failed later, or one made by hand) is adopted, not duplicated", () => {
        fakeAz({ connected: true });
        // connectedk8s compares group and name case-insensitively; so does the script.
        const r = box.run(arcConnectScript(), { ...env(), AGENTS: "RG-entra-wif-dev/arc-entra-wif-dev" });
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("entra-wif: the cluster's Arc agents already belong to arc-entra-wif-dev; adopting that connection");
        expect(box.calls().some((c) => c.startsWith("az connectedk8s connect") || c.startsWith("az resource delete"))).toBe(false);
    });

    test("a connection of this name whose agents are not in this cluster (a replaced kind cluster's) is deleted and this cluster connected", () => {
        fakeAz({ connected: true });
        const r = box.run(arcConnectScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("belongs to another cluster (its agents are not in this one: a cluster that was replaced)");
        const calls = box.calls();
        const deleted = calls.indexOf(`az resource delete --ids ${resourceId} --only-show-errors`);
        const connected = calls.findIndex((c) => c.startsWith("az connectedk8s connect"));
        expect(deleted).toBeGreaterThanOrEqual(0);
        expect(connected).toBeGreaterThan(deleted);
    });

    test("a cluster whose agents belong to another connection is not taken over", () => {
        fakeAz({ connected: false });
        const r = box.run(arcConnectScript(), { ...env(), AGENTS: "rg-platform/arc-platform" });
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toMatch(/^entra-wif: the cluster is already connected to Azure Arc as rg-platform\/arc-platform, another connection/);
        expect(box.calls().some((c) => c.startsWith("az connectedk8s connect"))).toBe(false);
    });

    test("registers the resource providers connectedk8s requires, and waits for them", () => {
        fakeAz({ unregistered: ["Microsoft.Kubernetes", "Microsoft.KubernetesConfiguration"] });
        const r = box.run(arcConnectScript(), env());
        expect(r.code).toBe(0);
        const calls = box.calls();
        for (const ns of ARC_RESOURCE_PROVIDERS) {
            expect(r.stderr).toContain(`registering the resource provider ${ns}`);
            expect(calls.indexOf(`az provider register --namespace ${ns} --subscription 00000000-1111-4222-8333-444444444444 --only-show-errors`)).toBeLessThan(
                calls.findIndex((c) => c.startsWith("az connectedk8s connect")),
            );
        }
    });

    test("a registration the deployer may not make stops with both providers named", () => {
        fakeAz({ unregistered: ["Microsoft.KubernetesConfiguration"], registerCode: 1 });
        const r = box.run(arcConnectScript(), env());
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            "the resource provider Microsoft.KubernetesConfiguration is not registered in the subscription and could not be registered; " +
                "az connectedk8s connect requires Microsoft.Kubernetes and Microsoft.KubernetesConfiguration",
        );
        expect(box.calls().some((c) => c.startsWith("az connectedk8s connect"))).toBe(false);
    });

    test.each<[string, () => void, RegExp]>([
        ["the Azure CLI missing", () => undefined, /^entra-wif: az \(the Azure CLI\) is not on the PATH/],
        [
            "the connectedk8s extension missing",
            () => fakeAz({ extension: false }),
            /^entra-wif: the Azure CLI's connectedk8s extension is missing; add it once: az extension add --name connectedk8s$/,
        ],
        [
            "kubectl missing",
            () => {
                fakeAz({});
                fs.rmSync(path.join(box.bin, "kubectl"));
            },
            /^entra-wif: kubectl is not on the PATH/,
        ],
    ])("stops before connecting, with what to do, when %s", (_what, setup, message) => {
        setup();
        const r = box.run(arcConnectScript(), env());
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(box.calls().some((c) => c.startsWith("az connectedk8s connect"))).toBe(false);
    });
});

describe("disconnect", () => {
    test("removes the agents and the Azure resource with az connectedk8s delete", () => {
        fakeAz({ connected: true });
        const r = box.run(arcDisconnectScript(), env());
        expect(r.code).toBe(0);
        expect(box.calls().filter((c) => c.startsWith("az connectedk8s delete"))).toHaveLength(1);
        expect(box.calls().some((c) => c.startsWith("az resource delete"))).toBe(false);
    });

    test("after the kind cluster is gone, deletes the Azure resource alone, so nothing stays in the subscription", () => {
        fakeAz({ connected: true, deleteCode: 1 });
        const r = box.run(arcDisconnectScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(
            "Arc's agents could not be removed from the cluster (it is gone or unreachable); deleting the connected cluster resource in Azure alone",
        );
        expect(box.calls()).toContain(`az resource delete --ids ${resourceId} --only-show-errors`);
    });

    test("a connection already gone: nothing to do", () => {
        fakeAz({ connected: false });
        const r = box.run(arcDisconnectScript(), env());
        expect(r.code).toBe(0);
        expect(box.calls().some((c) => c.startsWith("az connectedk8s delete") || c.startsWith("az resource delete"))).toBe(false);
    });

    test("without the Azure CLI the destroy goes on and says what stays in Azure", () => {
        const r = box.run(arcDisconnectScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(
            /the Arc connection arc-entra-wif-dev stays in Azure: az connectedk8s delete --name arc-entra-wif-dev --resource-group rg-entra-wif-dev --yes/,
        );
    });
});
