/**
 * The first `pulumi up`'s schedule as the engine ran it: from the engine's event log (each event timed as it reached
 * the log, tools/engine/world.ts), when each resource's step began and ended, and which of its dependencies (from the
 * state the up left) it waited for last. Drawn as a Mermaid gantt chart for docs/benchmarks.md, in seconds of the
 * simulated run: the stand-ins sleep a share of Azure's times, and the CLI, the plugins and the scripts take their
 * own time besides, which scaling back up would multiply.
 */
import type { TimedEvent } from "../engine/world";

export interface ScheduledStep {
    /** The resource's name (the last part of its URN). */
    name: string;
    type: string;
    /** Seconds from the first step's start. */
    start: number;
    end: number;
    /** The dependency that ended last before this step began: what it waited for; absent when it waited for none. */
    waitedFor?: string;
}

const nameOf = (urn: string) => urn.split("::").pop()!;

/**
 * Each custom resource's step, in order of start. `dependencies` maps a URN to the URNs it depends on (the state's
 * `dependencies`); `components` are the URNs of the program's own components (the state's `custom: false`), which do
 * no work of their own and are left out.
 */
export function scheduleOf(events: TimedEvent[], dependencies: Map<string, string[]>, components: ReadonlySet<string>): ScheduledStep[] {
    const began = new Map<string, { type: string; at: number }>();
    const ended = new Map<string, number>();
    for (const e of events) {
        if (!e.urn || e.atMs === undefined || e.type === "pulumi:pulumi:Stack" || components.has(e.urn)) continue;
        // The engine's default providers load plugins; the program's own Kubernetes provider (which waits for the
        // cluster's kubeconfig) stays.
        if (e.type?.startsWith("pulumi:providers:") && nameOf(e.urn).startsWith("default")) continue;
        if (e.kind === "resourcePreEvent" && !began.has(e.urn)) began.set(e.urn, { type: e.type ?? "", at: e.atMs });
        if (e.kind === "resOutputsEvent") ended.set(e.urn, e.atMs);
    }
    const steps = [...began].filter(([urn]) => ended.has(urn));
    if (steps.length === 0) return [];
    const zero = Math.min(...steps.map(([, b]) => b.at));
    const seconds = (ms: number) => Math.round((ms - zero) / 100) / 10;
    return steps
        .map(([urn, b]) => {
            const last = (dependencies.get(urn) ?? []).filter((d) => ended.has(d) && ended.get(d)! <= b.at).sort((x, y) => ended.get(y)! - ended.get(x)!)[0];
            return { name: nameOf(urn), type: b.type, start: seconds(b.at), end: seconds(ended.get(urn)!), ...(last ? { waitedFor: nameOf(last) } : {}) };
        })
        .sort((x, y) => x.start - y.start || x.name.localeCompare(y.name));
}

/** A Mermaid gantt chart of the steps: one bar per resource, its seconds on the axis. */
export function ganttOf(title: string, steps: ScheduledStep[]): string {
    const lines = ["gantt", `    title ${title}`, "    dateFormat x", "    axisFormat %M:%S"];
    steps.forEach((s, i) => {
        // Mermaid reads ":" and "#" in a task's name as syntax.
        const label = s.name.replace(/[:#;]/g, "-");
        const end = Math.max(s.end, s.start + 0.05);
        lines.push(`    ${label} : t${i}, ${Math.round(s.start * 1000)}, ${Math.round(end * 1000)}`);
    });
    return lines.join("\n");
}

/** The steps as a table: when each began and ended, and what it waited for. */
export function scheduleTable(steps: ScheduledStep[]): string {
    return [
        "| resource | start (s) | end (s) | waited for |",
        "| --- | ---: | ---: | --- |",
        ...steps.map((s) => `| ${s.name} | ${s.start.toFixed(1)} | ${s.end.toFixed(1)} | ${s.waitedFor ?? "—"} |`),
    ].join("\n");
}
