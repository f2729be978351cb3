/**
 * `npm run bench -- --engine`: the dev stack through the real Pulumi engine (tools/engine/build.ts) with the stand-in
 * providers (tools/engine/standins/), as test:engine runs it:
 * - `pulumi preview` of a new stack, and of the deployed stack with nothing to change;
 * - a simulated first `pulumi up`: each stand-in sleeps as long as its type takes in Azure (tools/bench/latencies.ts,
 *   scaled by BENCH_LATENCY_SCALE, default 0.1), so what overlaps is the engine's own schedule. Its wall time, less the
 *   same up's without sleeps (the CLI, the program and the scripts), is compared with the sequential sum of the sleeps.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROVIDER_RULES } from "../../lib/plans/providerRules";
import { EngineWorld, providerCalls } from "../engine/world";
import { LatencyFile, LATENCIES, latencyOf, latencyTableProblems } from "./latencies";

const ROOT = path.resolve(__dirname, "../..");
const ACCOUNT = "stwifbench";
const STACK = "dev";

/** Bad input to the bench (an unknown type in the latency table): exit 2, naming it. */
export class BenchInputError extends Error {}

export function latencyFileFrom(env: NodeJS.ProcessEnv = process.env): LatencyFile {
    const table = env.BENCH_LATENCIES ? (JSON.parse(fs.readFileSync(env.BENCH_LATENCIES, "utf8")) as LatencyFile["table"]) : { ...LATENCIES };
    const problems = latencyTableProblems(table, Object.keys(PROVIDER_RULES));
    if (problems.length)
        throw new BenchInputError(`the latency table${env.BENCH_LATENCIES ? ` ${env.BENCH_LATENCIES}` : ""} is not usable:\n  ${problems.join("\n  ")}`);
    const scale = Number(env.BENCH_LATENCY_SCALE ?? 0.1);
    if (!(scale > 0 && scale <= 1)) throw new BenchInputError(`BENCH_LATENCY_SCALE=${env.BENCH_LATENCY_SCALE}: use a number in (0, 1]`);
    return { scale, table };
}

async function timed(world: EngineWorld, what: string, args: string[], env: Record<string, string> = {}): Promise<number> {
    const r = await world.run([...args, "--stack", STACK], env);
    if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    return r.seconds;
}

export interface EngineBench {
    previewNew: number;
    previewNoChanges: number;
    upWithoutLatency: number;
    upSimulated: number;
    sequentialSum: number;
    scale: number;
    /** (simulated up − up without latency) / sequential sum: the share of the waiting the schedule cannot overlap. */
    ratio: number;
}

export async function benchEngine(log: (line: string) => void): Promise<EngineBench> {
    const latency = latencyFileFrom();
    const world = await EngineWorld.start([ACCOUNT]);
    try {
        const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
        world.project.writeStack(STACK, { ...dev, "entra-wif:issuer": { ...(dev["entra-wif:issuer"] as object), storageAccountName: ACCOUNT } });
        const init = await world.project.pulumi(["stack", "init", STACK]);
        if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
        const previewNew = await timed(world, "preview of a new stack", ["preview"]);
        log(`pulumi preview, new stack                 ${previewNew.toFixed(1)} s`);
        const upWithoutLatency = await timed(world, "up", ["up", "--yes", "--skip-preview"]);
        log(`pulumi up, stand-ins answering at once     ${upWithoutLatency.toFixed(1)} s`);
        const previewNoChanges = await timed(world, "preview with no changes", ["preview", "--expect-no-changes"]);
        log(`pulumi preview, deployed, no changes      ${previewNoChanges.toFixed(1)} s`);
        await timed(world, "destroy", ["destroy", "--yes", "--skip-preview"]);

        const file = path.join(world.project.root, "latency.json");
        fs.writeFileSync(file, JSON.stringify(latency));
        const before = providerCalls(world).length;
        const upSimulated = await timed(world, "simulated up", ["up", "--yes", "--skip-preview"], { ENTRA_WIF_STANDIN_LATENCY: file });
        const creates = providerCalls(world)
            .slice(before)
            .filter((c) => c.op === "create" && c.type && c.name);
        // The documents' writer also waits for its grant to reach storage (the stand-in storage refuses it until then):
        // a wait of the first up like any other.
        const propagation = (latency.table["azure-native:authorization:RoleAssignment"]?.propagation ?? 0) * latency.scale;
        const sequentialSum = creates.reduce(
            (sum, c) => sum + latencyOf(latency, c.type!, c.name!, "create") + (c.name === "issuer-writer-grant" ? propagation : 0),
            0,
        );
        const ratio = (upSimulated - upWithoutLatency) / sequentialSum;
        log(`pulumi up, simulated (latency × ${latency.scale})        ${upSimulated.toFixed(1)} s`);
        log(
            `  sequential sum of ${creates.length} creates            ${sequentialSum.toFixed(1)} s (${(sequentialSum / latency.scale).toFixed(0)} s unscaled)`,
        );
        log(`  waiting the schedule does not overlap    ${ratio.toFixed(2)}× of the sequential sum`);
        await timed(world, "destroy", ["destroy", "--yes", "--skip-preview"]);
        return { previewNew, previewNoChanges, upWithoutLatency, upSimulated, sequentialSum, scale: latency.scale, ratio };
    } finally {
        await world.stop();
    }
}
