/**
 * The Arc connection's scripts, run for real against stand-in `az` and `kubectl`: the tools checked first, a
 * connection adopted rather than duplicated, the kubeconfig handed over in a 0600 file that does not outlive the
 * script, and a disconnect that still empties Azure when the cluster is already gone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ARC_ENV, arcConnectScript, arcDisconnectScript } from "../../lib/arc";
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
    box.fake("kubectl", "exit 0");
    box.fake("mktemp", `f="${"$"}{TMPDIR:-/tmp}/entra-wif-arc-kubeconfig"; : > "$f"; echo "$f"`);
});
afterEach(() => box.cleanup());

/** az: the extension present unless `extension` is false; `connected` decides `connectedk8s show`; `deleteCode` the delete's exit. */
function fakeAz(opts: { extension?: boolean; connected?: boolean; deleteCode?: number }) {
    const seen = path.join(box.root, "kubeconfig.seen");
    box.fake(
        "az",
        `
case "$1 $2" in
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

    test("a connection of this name already there (an earlier run that failed later, or one made by hand) is adopted, not duplicated", () => {
        fakeAz({ connected: true });
        const r = box.run(arcConnectScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("entra-wif: the cluster is already connected to Azure Arc as arc-entra-wif-dev; adopting that connection");
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
