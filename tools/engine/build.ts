/**
 * Builds what `npm run test:engine` runs, from the Go module proxy by exact version: the Pulumi CLI (the engine) and a
 * Node.js language host. Each comes from a wrapper module under tools/engine/go/ whose go.mod and go.sum pin every
 * module; the binaries go to bin/engine/<component>-v<version>/ (git-ignored), rebuilt only when a pin or Go changes.
 *
 * - The CLI is pkg/v3's cmd/pulumi at the version the issue's engine was read at (v3.276.0), stamped as its release
 *   build stamps it (sdk/v3 go/common/version.Version), so `pulumi version` answers v3.276.0.
 * - The proxy serves no Node.js language host module of its own (sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 404
 *   at every version); sdk/v3 zips up to v3.68.0 still hold it at sdk/v3/nodejs/cmd/pulumi-language-nodejs. That host
 *   runs TypeScript programs with today's @pulumi/pulumi (it starts the SDK's own cmd/run); it cannot run a component
 *   package's plugin, which test:engine does not need.
 * - Pulumi YAML's language host, pulumi/pulumi-yaml v1.25.0 (the newest the proxy serves) on its own go.mod: it runs
 *   examples/yaml, a program in another language using entra-wif's package, and is the consumer `pulumi package add`
 *   links the package into. The wrapper's main serves it as later releases do: Link answered (a no-op), and schemas
 *   loaded through the engine's loader.
 * - A Node.js host of the project's own (tools/engine/go/plugin-host-nodejs) for what the v3.68.0 host cannot do: install
 *   a package's dependencies and run its plugin from source, as a git-installed package runs (PulumiPlugin.yaml).
 * - Dynamic providers run in `pulumi-resource-pulumi-nodejs`, which ships inside @pulumi/pulumi (node_modules).
 *
 *   npm run --silent engine:build      (prints where each binary is and how long it took)
 */
import * as path from "node:path";
import { Flag, formatHelp, INFO_FLAGS, runWithoutArguments } from "../cli";
import { buildSuite, BuildResult, GoComponent, GoSuite, REPO_ROOT, runBuild } from "../goBuild";

export const ENGINE_BIN = path.join(REPO_ROOT, "bin", "engine");
const PLUGIN_HOST = "plugin-host-nodejs";

const stampVersion = (v: string) => [`github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${v}`];

export const ENGINE_COMPONENTS: readonly GoComponent[] = [
    {
        name: "pulumi",
        wrapper: "pulumi",
        module: "github.com/pulumi/pulumi/pkg/v3",
        packages: ["github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"],
        stamps: stampVersion,
    },
    {
        // Pulumi YAML's host (pulumi/pulumi-yaml, v1.25.0 the newest the proxy serves), built on its own go.mod (pkg and
        // sdk v3.206.0): it runs examples/yaml, whose component entra-wif's plugin constructs (test/engine/package.test.ts).
        // Its main is the wrapper's: v1.25.0's server with the no-op Link and the engine's schema loader, as later
        // releases have them (`pulumi package add`, and a package installed from git).
        name: "language-yaml",
        wrapper: "language-yaml",
        module: "github.com/pulumi/pulumi-yaml",
        packages: ["."],
        mainBinary: "pulumi-language-yaml",
        stamps: (v) => [`github.com/pulumi/pulumi-yaml/pkg/version.Version=${v}`],
    },
    {
        // The SDK generators of the CLI's own module (pkg/v3 codegen/python, go, nodejs) behind a small command of the
        // project's (tools/engine/go/gen-sdk): the proxy serves no Python or Go language host to run gen-sdk through.
        name: "gen-sdk",
        wrapper: "gen-sdk",
        module: "github.com/pulumi/pulumi/pkg/v3",
        packages: ["."],
    },
    {
        name: "language-nodejs",
        wrapper: "language-nodejs",
        module: "github.com/pulumi/pulumi/sdk/v3",
        packages: ["github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"],
        stamps: stampVersion,
    },
    {
        // The project's own Node.js host for a package's plugin (tools/engine/go/plugin-host-nodejs): InstallDependencies
        // and RunPlugin, which the v3.68.0 host predates, as `pulumi package add <git URL>@<tag>` needs them. Also named
        // pulumi-language-nodejs, so it is not on enginePath's PATH: a test puts PLUGIN_HOST_PATH first where it runs one.
        name: PLUGIN_HOST,
        wrapper: "plugin-host-nodejs",
        module: "github.com/pulumi/pulumi/sdk/v3",
        packages: ["."],
        mainBinary: "pulumi-language-nodejs",
        stamps: (v) => [`main.version=${v.replace(/^v/, "")}`],
    },
];

export const ENGINE_SUITE: GoSuite = {
    components: ENGINE_COMPONENTS,
    wrappers: path.join(__dirname, "go"),
    bin: ENGINE_BIN,
    needsGo: "npm run test:engine builds the Pulumi CLI and its Node.js language host with Go (1.26.4 or later) from the Go module proxy",
};

export function buildEngine(log: (line: string) => void = () => undefined): BuildResult[] {
    return buildSuite(ENGINE_SUITE, log);
}

/** The folders to put first on PATH for a `pulumi` run: the CLI and its language hosts, built if need be. */
export function enginePath(log?: (line: string) => void): string[] {
    return buildEngine(log)
        .filter((r) => r.component !== PLUGIN_HOST)
        .map((r) => r.dir);
}

/** The folder of the Node.js host that runs a package's plugin from source (put before enginePath's on PATH). */
export function pluginHostPath(log?: (line: string) => void): string {
    return buildEngine(log).find((r) => r.component === PLUGIN_HOST)!.dir;
}

const USAGE = "usage: npm run --silent engine:build [-- --help | --version]";

export const ENGINE_BUILD_FLAGS: readonly Flag[] = [...INFO_FLAGS];

export function engineBuildHelpText(): string {
    return formatHelp(
        [
            "Builds the Pulumi CLI and a Node.js language host from the Go module proxy at the versions pinned in",
            "tools/engine/go/*/go.mod, into bin/engine/<component>-v<version>/, for npm run test:engine.",
        ],
        USAGE,
        ENGINE_BUILD_FLAGS,
        ["exit: 0 built or current, 1 a build failed, 2 bad arguments or no Go toolchain"],
    );
}

if (require.main === module) {
    runWithoutArguments(process.argv.slice(2), engineBuildHelpText, USAGE, () => runBuild(buildEngine));
}
