/**
 * `npm run bench`: how long the offline plan takes — the real program's evaluation as `pulumi up` runs it, minus the
 * engine — for the dev stack, for 100 workloads over 5 identities, and for a bare program importing the same SDK
 * modules; the median of several runs each, and the ratios. Also what Pulumi's default way of running a
 * TypeScript program (ts-node type checking, source-mapped stack traces) would cost, to show what the settings save.
 *
 *   npm run bench            (BENCH_RUNS=<n> for more or fewer runs, default 5;
 *                             BENCH_BREAKDOWN=1 adds each setting on its own, as in docs/benchmarks.md)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { Flag, formatHelp, INFO_FLAGS, runWithoutArguments } from "../cli";

const ROOT = path.resolve(__dirname, "../..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
export const TARGETS = { devOverBare: 1.5, largeOverDev: 2 } as const;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How the program is run: as tsconfig.json sets it, or one of tools/bench/register.js's ways. */
type RunMode = "configured" | "typecheck" | "typescript" | "sucrase";

/**
 * The source-map-support Pulumi's language host loads before anything else (@pulumi/pulumi cmd/run/index.js:
 * `require("source-map-support/register")`): preloaded here too, so the timing is the one `pulumi up` sees.
 */
const HOST_SOURCE_MAP_SUPPORT = require.resolve("source-map-support/register", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] });

/** Wall time of one offline plan in a fresh Node process, started as `pulumi up`'s language host starts a program. */
function timePlan(args: string[], mode: RunMode = "configured", env: Record<string, string> = {}): number {
    const register = ["-r", HOST_SOURCE_MAP_SUPPORT, "-r", mode === "configured" ? "ts-node/register/transpile-only" : "./tools/bench/register.js"];
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [...register, "tools/offline/plan.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ENTRA_WIF_BENCH_REGISTER: mode, ...env },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`plan ${args.join(" ")} failed: ${r.stderr}`);
    return ms;
}

/** A stack of 100 workloads over 5 identities (20 each: Entra's limit), with roles and the sample. */
export function largeStackConfig(): Record<string, unknown> {
    const identities = Array.from({ length: 5 }, (_, i) => ({
        name: `id-team-${i}`,
        type: i % 2 ? "application" : "managedIdentity",
        roles: [{ role: "Reader", scope: "resourceGroup" }],
    }));
    const workloads = Array.from({ length: 100 }, (_, i) => ({
        namespace: `team-${i % 10}`,
        serviceAccount: `svc-${i}`,
        identity: identities[Math.floor(i / 20)].name,
        roles: [{ role: "Storage Blob Data Reader", scope: "resourceGroup" }],
    }));
    return {
        "azure-native:location": "westeurope",
        "entra-wif:identities": identities,
        "entra-wif:workloads": workloads,
        "entra-wif:sample": { enabled: true },
    };
}

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-bench-"));
    try {
        const large = path.join(dir, "Pulumi.large.yaml");
        fs.writeFileSync(large, stringify({ config: largeStackConfig() }));
        const bareStack = path.join(dir, "Pulumi.bare.yaml");
        fs.writeFileSync(bareStack, stringify({ config: { "azure-native:location": "westeurope" } }));

        const cases: Array<[string, () => number]> = [
            [
                "bare program (same imports, one resource)",
                () => timePlan(["--stack-file", bareStack, "--program", path.join(ROOT, "tools", "bench", "bare.ts")]),
            ],
            ["dev stack", () => timePlan(["--stack-file", "Pulumi.dev.yaml"])],
            ["100 workloads over 5 identities", () => timePlan(["--stack-file", large])],
            ["dev stack, as Pulumi runs a program by default", () => timePlan(["--stack-file", "Pulumi.dev.yaml"], "typecheck")],
        ];
        if (process.env.BENCH_BREAKDOWN) {
            for (const [label, file] of [
                ["dev stack", "Pulumi.dev.yaml"],
                ["100 workloads", large],
            ]) {
                cases.push([`${label}, transpile-only (TypeScript), source-mapped stacks`, () => timePlan(["--stack-file", file], "typescript")]);
                cases.push([`${label}, transpile-only (Sucrase), source-mapped stacks`, () => timePlan(["--stack-file", file], "sucrase")]);
            }
        }
        timePlan(["--stack-file", "Pulumi.dev.yaml"]); // warm the file system cache
        const results = new Map<string, number>();
        for (const [name, run] of cases) {
            const runs = Array.from({ length: name.includes("by default") ? Math.min(RUNS, 3) : RUNS }, run);
            results.set(name, median(runs));
            process.stdout.write(
                `${name.padEnd(64)} ${(median(runs) / 1000).toFixed(2)} s  (median of ${runs.length}: ${runs.map((r) => (r / 1000).toFixed(2)).join(", ")})\n`,
            );
        }
        const [bare, dev, big, checked] = cases.slice(0, 4).map(([name]) => results.get(name)!);
        const devOverBare = dev / bare;
        const largeOverDev = big / dev;
        process.stdout.write(
            `\ndev / bare         ${devOverBare.toFixed(2)}x  (target ≤ ${TARGETS.devOverBare}x) ${devOverBare <= TARGETS.devOverBare ? "ok" : "MISSED"}\n`,
        );
        process.stdout.write(
            `100 workloads / dev ${largeOverDev.toFixed(2)}x  (target ≤ ${TARGETS.largeOverDev}x) ${largeOverDev <= TARGETS.largeOverDev ? "ok" : "MISSED"}\n`,
        );
        process.stdout.write(
            `Pulumi's default / dev ${(checked / dev).toFixed(2)}x  ` +
                "(type checking, TypeScript's transpiler, source-mapped stacks: what tsconfig.json turns off)\n",
        );
        const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
        process.stdout.write(
            `machine: ${os.cpus()[0]?.model ?? "unknown CPU"} ×${os.cpus().length}, ${memory}, Node ${process.version}, ${os.platform()} ${os.release()}\n`,
        );
        if (devOverBare > TARGETS.devOverBare || largeOverDev > TARGETS.largeOverDev) process.exitCode = 1;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const BENCH_USAGE = "usage: npm run bench [-- --engine | --help | --version]";

/** Every flag, as --help prints it and the README's table lists it (the run count and breakdown are environment variables). */
export const BENCH_FLAGS: readonly Flag[] = [
    [
        "--engine",
        "Instead: the dev stack through the real Pulumi engine with the stand-in providers (npm run engine:build): " +
            "previews, and an up whose stand-ins take Azure's time.",
    ],
    ...INFO_FLAGS,
];

export function benchHelpText(): string {
    return formatHelp(
        [
            "How long the offline plan takes: the dev stack, 100 workloads over 5 identities, and a bare program importing the same",
            "SDK modules, each the median of several runs in a fresh Node process, with the ratios against their targets.",
        ],
        BENCH_USAGE,
        BENCH_FLAGS,
        [
            "environment:",
            "  BENCH_RUNS=<n>      runs per case (default 5)",
            "  BENCH_BREAKDOWN=1   also each run setting on its own, as in docs/benchmarks.md",
            "  BENCH_LATENCIES=<file>      --engine: a latency table of tools/bench/latencies.ts's shape (e.g. measured by npm run e2e)",
            "  BENCH_LATENCY_SCALE=<0-1>   --engine: the share of each latency the stand-ins sleep (default 0.1)",
            "  BENCH_PROGRAM_COMMIT=<rev>  --engine: time the program of an earlier commit instead of this checkout's",
            "",
            `exit: 0 both targets met (dev / bare ≤ ${TARGETS.devOverBare}x, 100 workloads / dev ≤ ${TARGETS.largeOverDev}x; --engine: the first up's ` +
                "unoverlapped waiting ≤ 0.45x of the sequential sum), 1 a target missed or a run failed, 2 bad arguments, a bad latency table or no " +
                "engine build (no Go)",
        ],
    );
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    if (argv.length === 1 && argv[0] === "--engine") {
        // Loaded only here: the engine bench starts Azurite and the built CLI, which the offline bench never needs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { benchEngine, BenchInputError, FIRST_UP_TARGET } = require("./engine") as typeof import("./engine");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { ToolchainMissing } = require("../goBuild") as typeof import("../goBuild");
        benchEngine((line) => process.stdout.write(`${line}\n`))
            .then((result) => {
                if (result.ratio > FIRST_UP_TARGET) process.exitCode = 1;
            })
            .catch((err: Error) => {
                process.stderr.write(`${err.message}\n`);
                process.exit(err instanceof BenchInputError || err instanceof ToolchainMissing ? 2 : 1);
            });
    } else runWithoutArguments(argv, benchHelpText, BENCH_USAGE, main);
}
