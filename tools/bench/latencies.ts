/**
 * How long each resource type takes to create and to delete in Azure, Entra and the cluster: what the simulated
 * `pulumi up` of `npm run bench -- --engine` has each stand-in provider sleep, so the real engine's schedule, not a
 * model of it, decides what overlaps. One row per type (a resource name after `::` narrows a row to one resource).
 *
 * The figures are seconds. Where Microsoft documents a time, the row cites it; the rest are estimates of a typical
 * single-region deployment, marked "estimate", to be replaced by what `npm run e2e` measures in a real tenant: it
 * writes `<report>.latencies.json` (measuredLatencies below), a table of this shape the bench takes as
 * `BENCH_LATENCIES=<file>`.
 */
export interface Latency {
    create: number;
    delete: number;
    /** An update in place; the create time when absent. */
    update?: number;
    /** A role assignment: how long after its create the data plane honours it (storage answers 403 until then). */
    propagation?: number;
    source: string;
}

const ESTIMATE = "estimate (no published figure): replace with npm run e2e's measured durations";

export const LATENCIES: Readonly<Record<string, Latency>> = {
    // A group's delete deletes everything in it; ARM answers 202 and the provider polls until it is gone.
    "azure-native:resources:ResourceGroup": { create: 2, delete: 60, source: ESTIMATE },
    "azure-native:storage:StorageAccount": { create: 25, delete: 5, update: 5, source: ESTIMATE },
    "azure-native:storage:BlobContainer": { create: 1, delete: 1, source: ESTIMATE },
    "azure-native:managedidentity:UserAssignedIdentity": { create: 5, delete: 5, source: ESTIMATE },
    "azure-native:managedidentity:FederatedIdentityCredential": { create: 5, delete: 3, update: 5, source: ESTIMATE },
    // The assignment itself, then its reaching the data plane: "In most cases, it takes a minute or two for the role
    // assignment to propagate in Azure. In rare cases, it might take up to eight minutes" (Microsoft Learn, "Assign an
    // Azure role for access to blob data"). The documents' writer waits for its grant (lib/trust/issuerDocuments.ts).
    "azure-native:authorization:RoleAssignment": {
        create: 3,
        delete: 3,
        propagation: 90,
        source: "create: estimate; propagation: Microsoft Learn's 'a minute or two' for a role assignment to reach storage",
    },
    "azure-native:keyvault:Vault": { create: 20, delete: 10, update: 5, source: ESTIMATE },
    "azure-native:keyvault:Secret": { create: 2, delete: 2, update: 2, source: ESTIMATE },
    "azure-native:containerservice:ManagedCluster": { create: 300, delete: 300, update: 120, source: ESTIMATE },
    "azure-native:storage:Blob": { create: 1, delete: 1, source: ESTIMATE },
    "azure-native:storage:StorageAccountStaticWebsite": { create: 2, delete: 2, source: ESTIMATE },
    "azuread:index/application:Application": { create: 3, delete: 3, update: 2, source: ESTIMATE },
    "azuread:index/servicePrincipal:ServicePrincipal": { create: 3, delete: 3, update: 2, source: ESTIMATE },
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential": { create: 3, delete: 3, update: 2, source: ESTIMATE },
    "tls:index/privateKey:PrivateKey": { create: 0.2, delete: 0, source: "local: an RSA-2048 key is generated in well under a second" },
    // The Commands run their scripts for real (the kind cluster's with stand-in kind and docker, the issuer gate's doctor
    // against Azurite); the sleep stands for what the stand-ins do not do.
    "command:local:Command": { create: 1, delete: 1, update: 1, source: ESTIMATE },
    "command:local:Command::cluster-kind": {
        create: 60,
        delete: 10,
        update: 1,
        source: "estimate: `kind create cluster --wait 180s` for one node; the update only reads the kubeconfig",
    },
    "command:local:Command::cluster-keys": {
        create: 1,
        delete: 0,
        update: 40,
        source: "estimate: on a new cluster the keys are already in place; a rotation restarts the control plane",
    },
    "kubernetes:core/v1:Namespace": { create: 0.5, delete: 5, source: ESTIMATE },
    "kubernetes:core/v1:ServiceAccount": { create: 0.3, delete: 0.3, update: 0.3, source: ESTIMATE },
    "kubernetes:core/v1:Pod": { create: 1, delete: 5, source: "estimate: the pod carries pulumi.com/skipAwait, so its creation is not awaited" },
    "kubernetes:helm.sh/v3:Release": { create: 30, delete: 10, update: 20, source: "estimate: the webhook's Deployment becoming ready" },
};

/** What the stand-ins read (ENTRA_WIF_STANDIN_LATENCY names a file of this shape): the table and a time scale. */
export interface LatencyFile {
    /** 1 sleeps the table's seconds; 0.1 a tenth of them, to keep a run short while the proportions hold. */
    scale: number;
    table: Record<string, Latency>;
}

/** Seconds a stand-in sleeps for an operation, from the most specific row; an unknown type is an error naming it. */
export function latencyOf(file: LatencyFile, type: string, name: string, op: "create" | "update" | "delete"): number {
    const row = file.table[`${type}::${name}`] ?? file.table[type];
    if (!row) throw new Error(`no latency for ${type} (${name}) in the latency table (tools/bench/latencies.ts)`);
    return (op === "update" ? (row.update ?? row.create) : row[op]) * file.scale;
}

/** A latency table's problems: rows whose figures are not non-negative numbers, or types the providers' rules lack. */
export function latencyTableProblems(table: Record<string, unknown>, knownTypes: readonly string[]): string[] {
    const problems: string[] = [];
    for (const [key, row] of Object.entries(table)) {
        const type = key.split("::")[0];
        if (!knownTypes.includes(type)) problems.push(`${key}: not a type the program registers (lib/plans/providerRules.ts)`);
        const r = row as Partial<Latency>;
        for (const op of ["create", "delete"] as const) {
            if (typeof r[op] !== "number" || !(r[op]! >= 0)) problems.push(`${key}: ${op} must be a number of seconds ≥ 0`);
        }
    }
    return problems;
}

/** An engine event as `pulumi --event-log` writes it, read by tools/engine/project.ts readEvents. */
interface LoggedEvent {
    kind: string;
    op?: string;
    urn?: string;
    type?: string;
    /** Whole seconds since the epoch (pulumi's apitype EngineEvent.Timestamp). */
    timestamp: number;
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A latency table from a real deployment's event logs (`npm run e2e`: the first up's creates, the rotation's updates,
 * the destroy's deletes): each resource's step from its first event to its outputs, the median per row, in whole
 * seconds as the engine stamps them. The writer grant's propagation is the time from the grant made to the documents
 * written (the documents' writer waits for it). Rows nothing measured keep `base`'s figures, so the result is a whole
 * table for `BENCH_LATENCIES`.
 */
export function measuredLatencies(
    phases: Partial<Record<"create" | "update" | "delete", LoggedEvent[]>>,
    base: Readonly<Record<string, Latency>> = LATENCIES,
    measuredOn: string = new Date().toISOString().slice(0, 10),
): Record<string, Latency> {
    const durations = new Map<string, Partial<Record<"create" | "update" | "delete" | "propagation", number[]>>>();
    const add = (row: string, op: "create" | "update" | "delete" | "propagation", seconds: number) => {
        const entry = durations.get(row) ?? {};
        (entry[op] ??= []).push(seconds);
        durations.set(row, entry);
    };
    for (const [op, events] of Object.entries(phases) as Array<["create" | "update" | "delete", LoggedEvent[]]>) {
        const began = new Map<string, LoggedEvent>();
        const ended = new Map<string, number>();
        for (const e of events) {
            if (!e.urn) continue;
            if (e.kind === "resourcePreEvent" && e.op === op && !began.has(e.urn)) began.set(e.urn, e);
            if (e.kind === "resOutputsEvent") ended.set(e.urn, e.timestamp);
        }
        for (const [urn, e] of began) {
            if (!ended.has(urn) || !e.type) continue;
            const name = urn.split("::").pop()!;
            const row = base[`${e.type}::${name}`] ? `${e.type}::${name}` : e.type;
            if (!base[row]) continue;
            add(row, op, ended.get(urn)! - e.timestamp);
        }
        if (op === "create") {
            const endOf = (suffix: string) => [...ended].find(([urn]) => urn.endsWith(suffix))?.[1];
            const [grant, documents] = [endOf("::issuer-writer-grant"), endOf("::issuer-documents")];
            if (grant !== undefined && documents !== undefined) add("azure-native:authorization:RoleAssignment", "propagation", Math.max(0, documents - grant));
        }
    }
    const table: Record<string, Latency> = { ...base };
    for (const [row, measured] of durations) {
        const figures = Object.fromEntries(Object.entries(measured).map(([op, values]) => [op, median(values)]));
        table[row] = { ...base[row], ...figures, source: `measured by npm run e2e (${measuredOn}): ${Object.keys(figures).join(", ")}` };
    }
    return table;
}
