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
import { programAt } from "../engine/project";
import { LatencyFile, LATENCIES, latencyOf, latencyTableProblems } from "./latencies";
import { ganttOf, ScheduledStep, scheduleOf, scheduleTable } from "./timeline";

/** The first up's target: the waiting the schedule cannot overlap, as a share of the sequential sum. */
export const FIRST_UP_TARGET = 0.45;

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
    /** The simulated up's steps as the engine ran them. */
    schedule: ScheduledStep[];
}

export async function benchEngine(log: (line: string) => void): Promise<EngineBench> {
    const latency = latencyFileFrom();
    // BENCH_PROGRAM_COMMIT: time an earlier version of the program (the "before" of docs/benchmarks.md).
    const program = process.env.BENCH_PROGRAM_COMMIT ? programAt(process.env.BENCH_PROGRAM_COMMIT) : undefined;
    const world = await EngineWorld.start([ACCOUNT]);
    if (program) world.project.useProgram(program);
    try {
        const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
        world.project.writeStack(STACK, { ...dev, "entra-wif:issuer": { ...(dev["entra-wif:issuer"] as object), storageAccountName: ACCOUNT } });
        const init = await world.project.pulumi(["stack", "init", STACK]);
        if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
        const previewNew = await timed(world, "preview of a new stack", ["preview"]);
        log(`pulumi preview, new stack                 ${previewNew.toFixed(1)} s`);
        // The baseline waits for nothing Azure would make it wait for: no sleeps, and the writer's grant effective at once
        // (the engine tier's 2 s would otherwise be taken off the simulated up's propagation).
        const upWithoutLatency = await timed(world, "up", ["up", "--yes", "--skip-preview"], { ENTRA_WIF_STANDIN_GRANT_DELAY_MS: "0" });
        log(`pulumi up, stand-ins answering at once (the grant effective at once)  ${upWithoutLatency.toFixed(1)} s`);
        const previewNoChanges = await timed(world, "preview with no changes", ["preview", "--expect-no-changes"]);
        log(`pulumi preview, deployed, no changes      ${previewNoChanges.toFixed(1)} s`);
        await timed(world, "destroy", ["destroy", "--yes", "--skip-preview"]);

        const file = path.join(world.project.root, "latency.json");
        fs.writeFileSync(file, JSON.stringify(latency));
        const before = providerCalls(world).length;
        const simulated = await world.run(["up", "--yes", "--skip-preview", "--stack", STACK], { ENTRA_WIF_STANDIN_LATENCY: file }, { timed: true });
        if (simulated.code !== 0)
            throw new Error(`simulated up failed (${simulated.code}):\n${simulated.stdout.slice(-3000)}\n${simulated.stderr.slice(-2000)}`);
        const upSimulated = simulated.seconds;
        const schedule = scheduleOf(simulated.events, ...(await stateGraph(world)));
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
        log(`  waiting the schedule does not overlap    ${ratio.toFixed(2)}× of the sequential sum (target ≤ ${FIRST_UP_TARGET}×)`);
        // The steps' own span: from the first resource's start to the last one's end, the CLI's start and end left out,
        // but the plugins', the scripts' and the gate's own time in it.
        const span = schedule.reduce((end, s) => Math.max(end, s.end), 0);
        log(`  the resources' steps, first start to last end ${span.toFixed(1)} s: ${(span / sequentialSum).toFixed(2)}× of the sequential sum`);
        log(`  the schedule, from the engine's event log (seconds of the simulated run; Azure's are ${(1 / latency.scale).toFixed(0)} times as long):`);
        log(scheduleTable(schedule));
        log("");
        log("```mermaid");
        const at = process.env.BENCH_PROGRAM_COMMIT ? ` at ${process.env.BENCH_PROGRAM_COMMIT}` : "";
        log(ganttOf(`first pulumi up of the dev stack${at} (latencies × ${latency.scale})`, schedule));
        log("```");
        await timed(world, "destroy", ["destroy", "--yes", "--skip-preview"]);
        return { previewNew, previewNoChanges, upWithoutLatency, upSimulated, sequentialSum, scale: latency.scale, ratio, schedule };
    } finally {
        await world.stop();
        if (program) fs.rmSync(program, { recursive: true, force: true });
    }
}

/** The deployed stack's dependencies per URN, and its components' URNs (`pulumi stack export`). */
async function stateGraph(world: EngineWorld): Promise<[Map<string, string[]>, Set<string>]> {
    const exported = await world.project.pulumi(["stack", "export", "--stack", STACK]);
    if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr}`);
    const resources =
        (JSON.parse(exported.stdout) as { deployment: { resources?: Array<{ urn: string; custom?: boolean; dependencies?: string[] }> } }).deployment
            .resources ?? [];
    return [new Map(resources.map((r) => [r.urn, r.dependencies ?? []])), new Set(resources.filter((r) => !r.custom).map((r) => r.urn))];
}
