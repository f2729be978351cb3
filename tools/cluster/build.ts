/**
 * Builds what `npm run test:cluster` runs, from the Go module proxy by exact version: etcd, kube-apiserver and kubectl,
 * and the azure-workload-identity webhook. Each comes from a wrapper module under tools/cluster/go/ whose go.mod and
 * go.sum pin every module; the binaries go to bin/cluster/<component>-v<version>/ (git-ignored) and are rebuilt only
 * when the wrapper, its pins or the Go toolchain change. Go's module and build caches are Go's own, so a second build
 * on the same machine takes seconds.
 *
 *   npm run --silent cluster:build      (prints where each binary is and how long it took)
 */
import * as path from "node:path";
import { DEFAULTS } from "../../lib/config/types";
import { Flag, formatHelp, INFO_FLAGS, runWithoutArguments } from "../cli";
import { buildSuite, BuildResult, GoComponent, GoSuite, REPO_ROOT, requiredVersion, runBuild } from "../goBuild";

export { requiredVersion, ToolchainMissing } from "../goBuild";
export const CLUSTER_BIN = path.join(REPO_ROOT, "bin", "cluster");

export const CLUSTER_COMPONENTS: readonly GoComponent[] = [
    { name: "etcd", wrapper: "etcd", module: "go.etcd.io/etcd/server/v3", packages: ["."] },
    {
        name: "kubernetes",
        wrapper: "kubernetes",
        module: "k8s.io/kubernetes",
        packages: ["k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kubectl"],
        // As hack/lib/version.sh stamps a release: /version answers v1.36.5, not v0.0.0-master.
        stamps: (v) => {
            const [major, minor] = v.replace(/^v/, "").split(".");
            return [`gitVersion=${v}`, `gitMajor=${major}`, `gitMinor=${minor}`, "gitTreeState=clean"].map((s) => `k8s.io/component-base/version.${s}`);
        },
    },
    { name: "azure-workload-identity", wrapper: "webhook", module: "github.com/Azure/azure-workload-identity", packages: ["."], mainBinary: "webhook" },
];

/**
 * What must agree before anything is built: every staging module maps to the published version of the same
 * Kubernetes release (k8s.io/X v0.36.5 for v1.36.5), and the webhook is the chart's version the program installs.
 */
export function versionProblems(goMods: Record<string, string>): string[] {
    const problems: string[] = [];
    const kube = requiredVersion(goMods.kubernetes, "k8s.io/kubernetes");
    const staging = kube.replace(/^v1\./, "v0.");
    for (const [, from, to] of goMods.kubernetes.matchAll(/^\s*(k8s\.io\/[\w-]+) => (\S+ \S+)$/gm)) {
        if (to !== `${from} ${staging}`) problems.push(`kubernetes: ${from} is replaced by ${to}, expected ${from} ${staging} (the release of ${kube})`);
    }
    const webhook = requiredVersion(goMods.webhook, "github.com/Azure/azure-workload-identity");
    if (webhook !== `v${DEFAULTS.webhook.version}`) {
        problems.push(`webhook: the wrapper builds ${webhook}, the program installs chart ${DEFAULTS.webhook.version}`);
    }
    return problems;
}

export const CLUSTER_SUITE: GoSuite = {
    components: CLUSTER_COMPONENTS,
    wrappers: path.join(__dirname, "go"),
    bin: CLUSTER_BIN,
    needsGo: "npm run test:cluster builds etcd, kube-apiserver and the webhook with Go (1.26.4 or later) from the Go module proxy",
    versionProblems,
};

/** Builds whatever is missing or stale; returns each component's binaries. Throws with Go's output on failure. */
export function buildCluster(log: (line: string) => void = () => undefined): BuildResult[] {
    return buildSuite(CLUSTER_SUITE, log);
}

/** The binaries test:cluster runs, by name (etcd, kube-apiserver, kubectl, webhook), built if need be. */
export function clusterBinaries(log?: (line: string) => void): Record<string, string> {
    return Object.fromEntries(buildCluster(log).flatMap((r) => r.binaries.map((b) => [path.basename(b), b])));
}

const BUILD_USAGE = "usage: npm run --silent cluster:build [-- --help | --version]";

export const BUILD_FLAGS: readonly Flag[] = [...INFO_FLAGS];

export function buildHelpText(): string {
    return formatHelp(
        [
            "Builds etcd, kube-apiserver, kubectl and the azure-workload-identity webhook from the Go module proxy at the",
            "versions pinned in tools/cluster/go/*/go.mod, into bin/cluster/<component>-v<version>/, for npm run test:cluster.",
        ],
        BUILD_USAGE,
        BUILD_FLAGS,
        ["exit: 0 built or current, 1 a build failed, 2 bad arguments or no Go toolchain"],
    );
}

if (require.main === module) {
    runWithoutArguments(process.argv.slice(2), buildHelpText, BUILD_USAGE, () => runBuild(buildCluster));
}
