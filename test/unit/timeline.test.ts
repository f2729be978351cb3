/**
 * The bench's schedule: read from the engine's event log as the engine wrote it (each event timed on arrival), each
 * resource's step, what it waited for (the dependency that ended last before it began), and the chart drawn from it.
 */
import { ganttOf, scheduleOf, scheduleTable } from "../../tools/bench/timeline";
import type { TimedEvent } from "../../tools/engine/world";

const urn = (type: string, name: string) => `urn:pulumi:dev::entra-wif::${type}::${name}`;
const RG = urn("azure-native:resources:ResourceGroup", "group-rg");
const ACCOUNT = urn("azure-native:storage:StorageAccount", "issuer-account");
const GRANT = urn("azure-native:authorization:RoleAssignment", "issuer-writer-grant");
const DOCS = urn("entra-wif:index:IssuerDocuments", "issuer-documents");
const COMPONENT = urn("entra-wif:index:OidcIssuer", "issuer");
const PROVIDER = urn("pulumi:providers:azure-native", "default_3_28_0");

const step = (u: string, type: string, start: number, end: number): TimedEvent[] => [
    { kind: "resourcePreEvent", op: "create", urn: u, type, atMs: start },
    { kind: "resOutputsEvent", op: "create", urn: u, type, atMs: end },
];

const events: TimedEvent[] = [
    ...step(PROVIDER, "pulumi:providers:azure-native", 1000, 1100),
    ...step(COMPONENT, "entra-wif:index:OidcIssuer", 1000, 9000),
    ...step(RG, "azure-native:resources:ResourceGroup", 2000, 2200),
    ...step(ACCOUNT, "azure-native:storage:StorageAccount", 2300, 4800),
    ...step(GRANT, "azure-native:authorization:RoleAssignment", 2300, 2600),
    ...step(DOCS, "entra-wif:index:IssuerDocuments", 4900, 8000),
    // An event the watcher did not time is left out rather than placed anywhere.
    { kind: "resourcePreEvent", op: "create", urn: urn("x:y:Z", "untimed"), type: "x:y:Z" },
];
const dependencies = new Map([
    [ACCOUNT, [RG]],
    [GRANT, [RG]],
    [DOCS, [ACCOUNT, GRANT, RG]],
]);

test("each resource's step from its first event to its outputs, from the first start, with what it waited for last", () => {
    expect(scheduleOf(events, dependencies, new Set([COMPONENT]))).toEqual([
        { name: "group-rg", type: "azure-native:resources:ResourceGroup", start: 0, end: 0.2 },
        { name: "issuer-account", type: "azure-native:storage:StorageAccount", start: 0.3, end: 2.8, waitedFor: "group-rg" },
        { name: "issuer-writer-grant", type: "azure-native:authorization:RoleAssignment", start: 0.3, end: 0.6, waitedFor: "group-rg" },
        // The account ended last of its three dependencies.
        { name: "issuer-documents", type: "entra-wif:index:IssuerDocuments", start: 2.9, end: 6, waitedFor: "issuer-account" },
    ]);
});

test("no timed event, no schedule", () => {
    expect(
        scheduleOf(
            events.map((e) => ({ ...e, atMs: undefined })),
            dependencies,
            new Set(),
        ),
    ).toEqual([]);
});

test("drawn as a Mermaid gantt chart in milliseconds, and as a table", () => {
    const steps = scheduleOf(events, dependencies, new Set([COMPONENT]));
    expect(ganttOf("first up", steps).split("\n")).toEqual([
        "gantt",
        "    title first up",
        "    dateFormat x",
        "    axisFormat %M:%S",
        "    group-rg : t0, 0, 200",
        "    issuer-account : t1, 300, 2800",
        "    issuer-writer-grant : t2, 300, 600",
        "    issuer-documents : t3, 2900, 6000",
    ]);
    expect(scheduleTable(steps).split("\n")[5]).toBe("| issuer-documents | 2.9 | 6.0 | issuer-account |");
});
