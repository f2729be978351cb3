/**
 * npm run e2e's measured latency table: from the engine's event logs of a real deployment, each row's median time per
 * operation, the grant's propagation from the documents' wait, the rest of the table kept; usable by the bench as is.
 */
import { LATENCIES, latencyTableProblems, measuredLatencies } from "../../tools/bench/latencies";
import { PROVIDER_RULES } from "../../lib/plans/providerRules";

const urn = (type: string, name: string) => `urn:pulumi:e2e::entra-wif::${type}::${name}`;
const ACCOUNT = "azure-native:storage:StorageAccount";
const GRANT = "azure-native:authorization:RoleAssignment";
const COMMAND = "command:local:Command";
const DOCS = "entra-wif:index:IssuerDocuments";

/** One step as the event log has it: its first event, then its outputs, `seconds` apart. */
const step = (op: string, type: string, name: string, at: number, seconds: number) => [
    { kind: "resourcePreEvent", op, type, urn: urn(type, name), timestamp: at },
    { kind: "resOutputsEvent", op, type, urn: urn(type, name), timestamp: at + seconds },
];

test("medians per row and operation, the grant's propagation from the documents' wait, unmeasured rows kept", () => {
    const table = measuredLatencies(
        {
            create: [
                ...step("create", ACCOUNT, "issuer-account", 100, 31),
                ...step("create", GRANT, "issuer-writer-grant", 100, 4),
                ...step("create", GRANT, "id-role-a", 140, 2),
                ...step("create", GRANT, "id-role-b", 140, 6),
                ...step("create", COMMAND, "cluster-kind", 101, 74),
                ...step("create", COMMAND, "issuer-verify", 230, 3),
                ...step("create", DOCS, "issuer-documents", 132, 95),
                // Not a type the program registers: not a row.
                ...step("create", "pulumi:providers:azure-native", "default", 99, 1),
            ],
            update: step("update", COMMAND, "cluster-keys", 400, 38),
            delete: step("delete", ACCOUNT, "issuer-account", 900, 7),
        },
        LATENCIES,
        "2026-12-06",
    );
    expect(table[ACCOUNT]).toMatchObject({
        create: 31,
        delete: 7,
        update: LATENCIES[ACCOUNT].update,
        source: "measured by npm run e2e (2026-12-06): create, delete",
    });
    // Three grants: 4, 2 and 6 s; the documents written 123 s after the writer's grant was made.
    expect(table[GRANT]).toMatchObject({ create: 4, propagation: 123, delete: LATENCIES[GRANT].delete });
    expect(table[`${COMMAND}::cluster-kind`]).toMatchObject({ create: 74 });
    expect(table[`${COMMAND}::cluster-keys`]).toMatchObject({ update: 38, create: LATENCIES[`${COMMAND}::cluster-keys`].create });
    expect(table[COMMAND]).toMatchObject({ create: 3 });
    expect(table["azure-native:keyvault:Vault"]).toEqual(LATENCIES["azure-native:keyvault:Vault"]);
    expect(Object.keys(table)).toEqual(Object.keys(LATENCIES));
    // A table the bench takes (BENCH_LATENCIES).
    expect(latencyTableProblems(table, Object.keys(PROVIDER_RULES))).toEqual([]);
});

test("no event log, no measurement: the table as it was", () => {
    expect(measuredLatencies({})).toEqual(LATENCIES);
});
