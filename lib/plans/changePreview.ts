/**
 * What `pulumi up` will do to take a stack from one config to another, as the engine plans it: for each resource a
 * create, an update (which inputs), a replacement (delete first or create first, and whether the provider, a resource
 * option or the engine decided it), a delete (through which API, or retained, or with what) or nothing, with the
 * consequences a reviewer must see said in words, and the project's invariants checked. Which step each resource takes
 * is the engine's answer (`pulumi preview` with the stand-in providers, tools/engine/preview.ts, whose Diff reads
 * lib/plans/providerRules.ts); the two offline plans of the program (tools/offline/harness.ts) give the inputs the notes
 * and the invariants read, and the dependencies the engine records. Pure: from the plans and the engine's events.
 */
import { KEYS_IN_PLACE } from "../cluster/kind";
import { GraphResource } from "./graph";
import { JWKS_PATH, DISCOVERY_PATH } from "../trust/oidc";
import { ISSUER_DOCUMENTS_TYPE } from "../trust/issuerDocuments";
import { DeleteOutcome, deleteOutcome, ruleFor, UNREACHABLE_DELETE_APIS } from "./providerRules";

export interface PreviewResource extends GraphResource {
    deletedWith: string | null;
    options: { deleteBeforeReplace?: true; retainOnDelete?: true; replaceOnChanges?: string[]; ignoreChanges?: string[] };
    inputs: Record<string, unknown>;
}

export interface PreviewPlan {
    resources: PreviewResource[];
    outputs: Record<string, unknown>;
}

export type ChangeKind = "create" | "update" | "replace" | "delete" | "same";

export interface ChangeStep {
    /** The engine's order: a wave's steps run in parallel; deletes of what left the program come last. */
    wave: number;
    urn: string;
    type: string;
    name: string;
    kind: ChangeKind;
    /** The inputs that change (paths, `spec.containers[0].env`), for an update or a replacement. */
    changed?: string[];
    /** decidedBy "the engine": a replacement the engine adds (a dependency replaced delete-first, a deletedWith target replaced). */
    replace?: { order: "delete-first" | "create-first"; decidedBy: "the provider" | "a resource option" | "the engine"; because: string[] };
    /** How the old resource goes: a delete, the old half of a replacement that creates first. */
    delete?: { outcome: DeleteOutcome; through?: string; with?: string };
    /** What a reviewer must know, in words. */
    notes: string[];
}

export interface ChangePreview {
    steps: ChangeStep[];
    /** Broken invariants: what would fail, or leave Entra unable to verify a token. Empty when the change is safe. */
    problems: string[];
}

export { changedPaths, pathMatches } from "./paths";
import { changedPaths, pathMatches } from "./paths";

/** Inputs a provider's diff does not look at (lib/trust/issuerDocuments.ts: the account key, the serialized provider). */
const IGNORED_BY_DIFF: Readonly<Record<string, readonly string[]>> = {
    "entra-wif:index:IssuerDocuments": ["accountKey"],
};

/**
 * The inputs a step changes, for a person: the engine's `diffs` (the top-level inputs the provider names), narrowed
 * to the paths under them that differ between the two plans (`metadata.annotations.azure.workload.identity/client-id`
 * rather than `metadata`); a dynamic provider's Diff names none (@pulumi/pulumi dynamic/provider.ts answers changes
 * and replaces only), so then every input that differs. The documents by their path under the issuer, not their index.
 */
function changedInputs(old: PreviewResource | undefined, now: PreviewResource, diffs: string[]): string[] {
    if (!old) return diffs;
    const ignored = [...(IGNORED_BY_DIFF[now.type] ?? []), ...(now.options.ignoreChanges ?? [])];
    const documents = now.inputs.documents as Array<{ path?: string }> | undefined;
    const differing = changedPaths(old.inputs, now.inputs)
        .filter((p) => !ignored.some((i) => pathMatches(p, i)))
        .filter((p) => diffs.length === 0 || diffs.some((d) => pathMatches(p, d)));
    if (differing.length === 0) return diffs;
    return differing.map((p) => p.replace(/^documents\[(\d+)\]\.text$/, (_m, i: string) => `documents ${String(documents?.[Number(i)]?.path)}`));
}

const providerUrn = (r: GraphResource) => (r.provider ? r.provider.split("::").slice(0, -1).join("::") : null);
const deps = (r: GraphResource) => [...r.dependsOn, ...(r.parent ? [r.parent] : []), ...(providerUrn(r) ? [providerUrn(r)!] : [])];

/** The levels of a graph: 1 for what needs nothing in it, then one more than the deepest thing needed. */
function levels(resources: GraphResource[]): Map<string, number> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const level = new Map<string, number>();
    const visit = (urn: string, seen: Set<string>): number => {
        const known = level.get(urn);
        if (known !== undefined) return known;
        if (seen.has(urn)) throw new Error(`a dependency cycle through ${urn}`);
        seen.add(urn);
        const r = byUrn.get(urn)!;
        const l =
            1 +
            Math.max(
                0,
                ...deps(r)
                    .filter((d) => byUrn.has(d))
                    .map((d) => visit(d, seen)),
            );
        level.set(urn, l);
        return l;
    };
    for (const r of resources) visit(r.urn, new Set());
    return level;
}

/** The published document's text among the documents resource's inputs, when there is one. */
function documentText(plan: PreviewPlan, path: string): string | undefined {
    const documents = plan.resources.find((r) => r.type === ISSUER_DOCUMENTS_TYPE)?.inputs.documents;
    return Array.isArray(documents) ? (documents as Array<{ path: string; text: string }>).find((d) => d.path === path)?.text : undefined;
}

const kidsOf = (jwks: string | undefined) => (jwks ? (JSON.parse(jwks) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid) : []);
const issuerOf = (discovery: string | undefined) => (discovery ? (JSON.parse(discovery) as { issuer: string }).issuer : undefined);

const IDENTITY_TYPES = new Set([
    "azure-native:managedidentity:UserAssignedIdentity",
    "azuread:index/application:Application",
    "azuread:index/servicePrincipal:ServicePrincipal",
]);
const CREDENTIAL_TYPES = new Set([
    "azure-native:managedidentity:FederatedIdentityCredential",
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
]);
const isKindCommand = (r: PreviewResource) => r.type === "command:local:Command" && String(r.inputs.create ?? "").includes("kind create cluster");
/** The Command that switches a running kind cluster's keys (lib/cluster/kind.ts kindApplyKeysScript). */
const isKindKeysCommand = (r: PreviewResource) => r.type === "command:local:Command" && String(r.inputs.create ?? "").includes(KEYS_IN_PLACE);

/** What a step means for the people and workloads that rely on the stack, in words. */
function notesFor(step: ChangeStep, before: PreviewPlan, after: PreviewPlan, old: PreviewResource | undefined, now: PreviewResource | undefined): string[] {
    const notes: string[] = [];
    const r = (now ?? old)!;
    const goes = step.kind === "delete" || step.kind === "replace";
    if (IDENTITY_TYPES.has(r.type) && step.kind === "replace")
        notes.push("a new identity: its client id and principal id change, so service accounts are annotated anew and role assignments made again");
    if (IDENTITY_TYPES.has(r.type) && step.kind === "delete") notes.push("the identity is deleted: workloads that use it can no longer get tokens");
    if (CREDENTIAL_TYPES.has(r.type) && goes) notes.push(`token exchanges for ${String((old ?? r).inputs.subject)} fail until the credential exists again`);
    if (r.type === "azure-native:authorization:RoleAssignment" && step.kind === "delete") notes.push("the access this role assignment gave ends");
    if (r.type === "kubernetes:core/v1:Namespace" && goes && step.delete?.outcome === "provider delete")
        notes.push(`deletes everything in namespace ${String((r.inputs.metadata as { name?: string } | undefined)?.name)}`);
    if (r.type === "kubernetes:core/v1:Pod" && step.kind === "replace") notes.push("the pod is deleted and started again");
    if (r.type === "kubernetes:core/v1:ServiceAccount" && step.kind === "update" && step.changed!.some((p) => p.includes("client-id")))
        notes.push("the service account names another client id: pods already running keep the old one until they restart");
    if (r.type === "azure-native:storage:StorageAccount" && goes)
        notes.push("the issuer's documents go with the account: Entra cannot read the issuer until they are written again");
    if (r.type === "azure-native:keyvault:Vault" && goes) notes.push("the vault is deleted (soft-deleted, then purged by the stack), with its secrets");
    if (r.type === "tls:index/privateKey:PrivateKey" && goes) notes.push("the private key leaves the state for good: it cannot be recovered");
    if (old && isKindCommand(old) && step.kind === "replace")
        notes.push("the kind cluster is deleted and created anew (its name, image or issuer changed): every workload in it starts again on a new cluster");
    if (old && isKindCommand(old) && step.kind === "update") notes.push("only the keys a cluster created later starts with: nothing runs on the cluster");
    if (old && isKindKeysCommand(old) && step.kind === "update")
        notes.push("the cluster's key files are rewritten in place and its control plane restarted; pods keep running");
    if (r.type === ISSUER_DOCUMENTS_TYPE && (step.kind === "update" || step.kind === "create")) {
        const [kidsBefore, kidsAfter] = [kidsOf(documentText(before, JWKS_PATH)), kidsOf(documentText(after, JWKS_PATH))];
        const added = kidsAfter.filter((k) => !kidsBefore.includes(k));
        const removed = kidsBefore.filter((k) => !kidsAfter.includes(k));
        if (added.length > 0) notes.push(`Entra will find the new key${added.length > 1 ? "s" : ""} ${added.join(", ")} in the JWKS`);
        if (removed.length > 0 && step.kind === "update")
            notes.push(
                `the JWKS no longer holds ${removed.join(", ")}: tokens signed with ${removed.length > 1 ? "those keys" : "that key"} are refused from now on`,
            );
        const [issuerBefore, issuerAfter] = [issuerOf(documentText(before, DISCOVERY_PATH)), issuerOf(documentText(after, DISCOVERY_PATH))];
        if (issuerBefore && issuerAfter && issuerBefore !== issuerAfter)
            notes.push(
                `the issuer changes from ${issuerBefore} to ${issuerAfter}: every token in flight carries the old issuer and is refused ` +
                    "until its pod gets a new one, and every federated credential is changed to the new issuer",
            );
    }
    if (step.delete?.outcome === "retained") notes.push("stays where it is: only the state forgets it");
    if (step.delete?.outcome === "provider delete" && UNREACHABLE_DELETE_APIS.includes(step.delete.through!))
        notes.push(`deleted through ${step.delete.through}, which the README's rights do not open: this delete fails`);
    return notes;
}

/** How an old resource leaves the state when it is deleted, `deleted` being everything deleted in the same operation. */
function howItGoes(o: PreviewResource, deleted: ReadonlySet<string>): NonNullable<ChangeStep["delete"]> {
    const outcome = deleteOutcome({ retainOnDelete: o.options.retainOnDelete, deletedWith: o.deletedWith }, (u) => deleted.has(u));
    return outcome === "provider delete"
        ? { outcome, through: o.custom ? ruleFor(o.type).deleteThrough : "nothing (a component)" }
        : outcome === "deleted with"
          ? { outcome, with: o.deletedWith! }
          : { outcome };
}

/** The invariants every transition must keep. */
function problemsOf(
    steps: ChangeStep[],
    before: PreviewPlan,
    after: PreviewPlan,
    olds: Map<string, PreviewResource>,
    news: Map<string, PreviewResource>,
    /** The engine deletes the cluster before anything that holds the documents, and creates it after they are written. */
    clusterStopsFirst = false,
): string[] {
    const problems: string[] = [];
    const byUrn = new Map(steps.filter((s) => s.kind !== "delete").map((s) => [s.urn, s]));
    for (const s of steps) {
        const r = news.get(s.urn) ?? olds.get(s.urn)!;
        // A create of a name that still exists fails: a replacement that keeps the name must delete first.
        // ... and so does one whose old half is retained: its delete deletes nothing (the first key rotation with
        // storage.Blob, lib/plans/providerRules.ts).
        // The old one is gone before the create when it goes with a resource that is deleted first, earlier or alongside
        // (a kind cluster replaced delete-first takes its objects with it: the new ones are made in the new cluster).
        // (A retained resource goes with its holder all the same: a vault deleted first takes its secrets with it.)
        const holderUrn = s.delete?.outcome === "deleted with" ? s.delete.with! : olds.get(s.urn)?.deletedWith;
        const holder = holderUrn ? byUrn.get(holderUrn) : undefined;
        const goneFirst = holder !== undefined && holder.kind === "replace" && holder.replace!.order === "delete-first" && holder.wave <= s.wave;
        if (s.kind === "replace" && r.custom && !goneFirst && (s.replace!.order === "create-first" || s.delete?.outcome === "retained")) {
            const rule = ruleFor(r.type);
            const old = olds.get(s.urn)!;
            const sameName = rule.nameInputs.length > 0 && rule.nameInputs.every((n) => changedPaths(pick(old.inputs, n), pick(r.inputs, n)).length === 0);
            if (rule.createRefusesExisting && sameName) {
                const why = s.delete?.outcome === "retained" ? "the old one is retained, so it still exists" : "the new one is created first";
                problems.push(`${s.name}: replaced under the same name while ${why}: the create of the new one fails`);
            }
        }
        if (s.delete?.outcome === "provider delete" && UNREACHABLE_DELETE_APIS.includes(s.delete.through!))
            problems.push(`${s.name}: deleted through ${s.delete.through}, which the README's rights do not open`);
    }
    // At every moment the JWKS Entra can read holds the kid the cluster signs with (a kind cluster the stack runs), as
    // long as the issuer stays: a new issuer ends every token in flight by nature, which the documents' note says.
    const documents = steps.find((s) => s.type === ISSUER_DOCUMENTS_TYPE && s.kind !== "same");
    // The step that switches a running kind cluster's keys, whatever it is: a cluster that stays also keeps signing
    // while the documents change. (Creating or replacing the cluster is not a switch of a running one.)
    const resourceOf = (s: ChangeStep) => (news.get(s.urn) ?? olds.get(s.urn))!;
    const cluster =
        steps.find((s) => s.kind !== "delete" && isKindKeysCommand(resourceOf(s))) ?? steps.find((s) => s.kind !== "delete" && isKindCommand(resourceOf(s)));
    const signing = (p: PreviewPlan) => (typeof p.outputs.signingKeyId === "string" ? p.outputs.signingKeyId : undefined);
    const sameIssuer = issuerOf(documentText(before, DISCOVERY_PATH)) === issuerOf(documentText(after, DISCOVERY_PATH));
    if (cluster && sameIssuer && !clusterStopsFirst && documentText(before, JWKS_PATH) !== undefined) {
        // The documents are gone while what holds them (their container or account) is deleted and not yet written again.
        // (The account holds the container too.)
        const holders = [
            before.resources.find((r) => r.type.endsWith(":IssuerDocuments"))?.deletedWith,
            before.resources.find((r) => r.type === "azure-native:storage:StorageAccount")?.urn,
        ];
        const holderGoes = steps
            .filter((s) => holders.includes(s.urn) && (s.kind === "delete" || (s.kind === "replace" && s.replace!.order === "delete-first")))
            .sort((a, b) => a.wave - b.wave)[0];
        const waves = [...new Set(steps.map((s) => s.wave))].sort((a, b) => a - b);
        const publishedAt = (wave: number, done: (step: ChangeStep) => boolean) => {
            if (holderGoes && done(holderGoes) && !(documents && done(documents))) return [];
            return kidsOf(documentText(documents && done(documents) ? after : before, JWKS_PATH));
        };
        for (const wave of waves) {
            // A wave's steps run together: a step of this wave may or may not have happened yet.
            const published = [publishedAt(wave, (s) => s.wave < wave), publishedAt(wave, (s) => s.wave <= wave)];
            const signs = [signing(cluster.wave < wave ? after : before), signing(cluster.wave <= wave ? after : before)];
            for (const kid of signs) {
                // The documents gone with what holds them, a running cluster still signing: an outage of every exchange.
                if (kid && holderGoes && published.some((kids) => kids.length === 0)) {
                    problems.push(
                        `wave ${wave}: ${holderGoes.name} is deleted before it is created again, and the issuer's documents with it: ` +
                            "until they are written again Entra cannot read the JWKS, and refuses every token the running cluster signs",
                    );
                    return problems;
                }
                if (kid && published.some((kids) => !kids.includes(kid))) {
                    // Named by its role, not its kid: a generated key's kid is new on every deployment and every preview.
                    const which = kid === signing(after) && kid !== signing(before) ? "its new signing key" : "its signing key";
                    problems.push(`wave ${wave}: the cluster may sign with ${which} (signingKeyId) while the JWKS Entra reads does not hold it`);
                    return problems;
                }
            }
        }
    }
    return problems;
}

/** The value at a dotted path of an object. */
function pick(o: Record<string, unknown>, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
}

/** One line a step that does something, for a person; the problems first. */
export function formatChangePreview(preview: ChangePreview, shortType: (t: string) => string): string {
    const lines: string[] = [];
    for (const p of preview.problems) lines.push(`PROBLEM  ${p}`);
    const acting = preview.steps.filter((s) => s.kind !== "same");
    if (acting.length === 0) lines.push("no changes");
    for (const s of acting) {
        const what = `${shortType(s.type)} ${s.name}`;
        let detail = "";
        if (s.kind === "update") detail = `(${summarize(s.changed!)})`;
        if (s.kind === "replace") {
            const order = s.replace!.order === "delete-first" ? "delete first" : "create first";
            detail =
                s.replace!.decidedBy === "the engine"
                    ? `(${order}, as the engine decides: ${s.replace!.because.join("; ")})`
                    : `(${order}, as ${s.replace!.decidedBy} decides; because ${summarize(s.replace!.because)} changed)`;
        }
        if (s.kind === "delete") {
            const d = s.delete!;
            detail =
                d.outcome === "retained"
                    ? "(retained: nothing deleted)"
                    : d.outcome === "deleted with"
                      ? `(with ${d.with!.split("::").pop()})`
                      : d.through!.startsWith("nothing")
                        ? `(${d.through})`
                        : `(through ${d.through})`;
        }
        lines.push(`${String(s.wave).padStart(2)}  ${s.kind.padEnd(8)} ${what}${detail ? `  ${detail}` : ""}`);
        for (const n of s.notes) lines.push(`              ! ${n}`);
    }
    return `${lines.join("\n")}\n`;
}

/** Changed paths, shortened to their first two segments, once each. */
function summarize(paths: string[]): string {
    const short = paths.map((p) =>
        p.includes(" ")
            ? p
            : p
                  .split(/(?=\[)|\./)
                  .slice(0, 2)
                  .join(".")
                  .replace(/\.\[/g, "["),
    );
    return [...new Set(short)].join(", ");
}

/** One step of the engine's plan, from its event log (tools/engine/preview.ts): what `pulumi preview` decided. */
export interface EngineStepEvent {
    /** The engine's event sequence: the order it plans the steps in. */
    sequence: number;
    /** same, create, update, delete, replace, create-replacement, delete-replaced, … (pulumi/pulumi sdk/go/common/display StepOp). */
    op: string;
    urn: string;
    type: string;
    /** The inputs the provider named as replacing (the event's `keys`). */
    keys: string[];
    /** The inputs that differ (the event's `diffs`). */
    diffs: string[];
}

/**
 * The change preview from the engine's own plan (`plan --from --engine`): which resource is created, updated, replaced
 * (delete first or create first, as the engine orders the old one's delete and the new one's create) or deleted is the
 * engine's answer, with the stand-in providers deciding from lib/plans/providerRules.ts; the two offline plans give the
 * inputs the notes and the invariants read. A replacement the provider did not ask for is the engine's: a dependency
 * replaced delete-first, or the target of deletedWith replaced (pulumi/pulumi step_generator.go
 * calculateDependentReplacements; deletedWith replacements since CLI 3.260, pulumi/pulumi#23818).
 */
export function engineChangePreview(before: PreviewPlan, after: PreviewPlan, events: EngineStepEvent[]): ChangePreview {
    const olds = new Map(before.resources.map((r) => [r.urn, r]));
    const news = new Map(after.resources.map((r) => [r.urn, r]));
    const level = levels(after.resources);
    const byUrn = new Map<string, EngineStepEvent[]>();
    for (const e of events) byUrn.set(e.urn, [...(byUrn.get(e.urn) ?? []), e]);
    const replacedFirst = new Set(
        events
            .filter((e) => e.op === "delete-replaced")
            .filter((d) => events.some((c) => c.urn === d.urn && c.op === "create-replacement" && c.sequence > d.sequence))
            .map((e) => e.urn),
    );
    const gone = new Set(events.filter((e) => e.op === "delete" || e.op === "delete-replaced").map((e) => e.urn));
    const name = (urn: string) => urn.split("::").pop()!;
    const goesWith = (o: PreviewResource) => howItGoes(o, gone);

    const forward: ChangeStep[] = [];
    const ordered = [...after.resources].sort((a, b) => level.get(a.urn)! - level.get(b.urn)! || a.urn.localeCompare(b.urn));
    for (const r of ordered) {
        const evs = byUrn.get(r.urn) ?? [];
        const ops = new Set(evs.map((e) => e.op));
        const base = { wave: level.get(r.urn)!, urn: r.urn, type: r.type, name: r.name, notes: [] as string[] };
        if (ops.has("create")) {
            forward.push({ ...base, kind: "create" });
        } else if (ops.has("create-replacement") || ops.has("delete-replaced") || ops.has("replace")) {
            const created = evs.find((e) => e.op === "create-replacement");
            const keys = created?.keys ?? [];
            const old = olds.get(r.urn);
            const because =
                keys.length > 0
                    ? keys
                    : [
                          ...(old?.deletedWith && gone.has(old.deletedWith) ? [`it goes with ${name(old.deletedWith)}, which is replaced`] : []),
                          ...deps(r)
                              .filter((d) => replacedFirst.has(d))
                              .map((d) => `${name(d)}, which it depends on, is replaced delete-first`),
                      ];
            const decidedBy = keys.length === 0 ? "the engine" : r.options.deleteBeforeReplace !== undefined ? "a resource option" : "the provider";
            forward.push({
                ...base,
                kind: "replace",
                changed: changedInputs(old, r, created?.diffs ?? []),
                replace: { order: replacedFirst.has(r.urn) ? "delete-first" : "create-first", decidedBy, because },
                ...(old ? { delete: goesWith(old) } : {}),
            });
        } else if (ops.has("update")) {
            forward.push({ ...base, kind: "update", changed: changedInputs(olds.get(r.urn), r, evs.find((e) => e.op === "update")!.diffs) });
        } else {
            forward.push({ ...base, kind: "same" });
        }
    }
    // What leaves the program, in the order the engine deletes it (dependents first), after everything else.
    const lastForward = Math.max(0, ...level.values());
    const deletes: ChangeStep[] = events
        .filter((e) => e.op === "delete" && !news.has(e.urn) && olds.has(e.urn))
        .map((e) => {
            const o = olds.get(e.urn)!;
            return { wave: lastForward + 1, urn: e.urn, type: o.type, name: o.name, kind: "delete" as const, delete: goesWith(o), notes: [] };
        });
    const steps = [...forward, ...deletes];
    for (const s of steps) s.notes = notesFor(s, before, after, olds.get(s.urn), news.get(s.urn));
    // A kind cluster the engine deletes first signs nothing while the documents are away: its delete comes before any
    // delete of what holds them, and its new create waits for the documents to be published (KindCluster's dependsOn).
    const clusterUrn = steps.find((s) => s.kind === "replace" && isKindCommand((news.get(s.urn) ?? olds.get(s.urn))!))?.urn;
    const seq = (urn: string | undefined, op: string) => events.find((e) => e.urn === urn && e.op === op)?.sequence;
    const holderDeletes = events.filter(
        (e) => (e.op === "delete" || e.op === "delete-replaced") && /:(BlobContainer|StorageAccount|ResourceGroup)$/.test(e.type),
    );
    const clusterGone = seq(clusterUrn, "delete-replaced");
    const clusterStopsFirst =
        clusterUrn !== undefined && replacedFirst.has(clusterUrn) && clusterGone !== undefined && holderDeletes.every((e) => e.sequence > clusterGone);
    return { steps, problems: problemsOf(steps, before, after, olds, news, clusterStopsFirst) };
}
