/**
 * What `pulumi destroy` will do with a stack, from its plan: in the order the engine deletes (dependents before what
 * they depend on: dependsOn, parent, provider and deletedWith), each resource and how it goes — deleted by its
 * provider, deleted with another resource (deletedWith: no provider call), retained (retainOnDelete: dropped from
 * the state, nothing deleted), or nothing to delete (components, providers). deletedWith orders nothing: the engine
 * skips such a delete when it reaches it (pulumi/pulumi sdk: ResourceOptions.deletedWith). Pure, so a reviewer's question "what
 * does a destroy touch, and through which API?" has a tested answer.
 *
 * The engine deletes in waves: everything nothing else still depends on, in parallel, then the next wave
 * (pulumi/pulumi pkg/resource/deploy: destroy walks the dependency graph in reverse). Within a wave the order here is
 * by URN, so the output is the same on every run.
 */
import { GraphResource } from "./graph";
import { deleteOutcome, ruleFor, UNREACHABLE_DELETE_APIS } from "./providerRules";

export interface DestroyInput extends GraphResource {
    deletedWith: string | null;
    options: { retainOnDelete?: true };
}

/** How a resource leaves the stack on `pulumi destroy`. */
export type DestroyHow = "deleted" | "deleted with" | "retained" | "nothing to delete";

/** The API a provider deletes a resource through, by type: what rights the deployer needs then (lib/plans/providerRules.ts). */
export function deleteApi(type: string): string {
    return ruleFor(type).deleteThrough;
}

export { UNREACHABLE_DELETE_APIS };

export interface DestroyStep {
    /** 1 for what goes first; a wave's resources are deleted in parallel. */
    wave: number;
    urn: string;
    type: string;
    name: string;
    how: DestroyHow;
    /** deleted: the API the provider calls; deleted with: the URN of the resource it goes with. */
    through?: string;
    with?: string;
}

export function destroyPlan(resources: DestroyInput[]): DestroyStep[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const providerUrn = (r: DestroyInput) => (r.provider ? r.provider.split("::").slice(0, -1).join("::") : null);
    // needs[x] = what x depends on: x must be deleted before each of them.
    const needs = new Map<string, Set<string>>();
    for (const r of resources) {
        const on = new Set<string>([...r.dependsOn, ...(r.parent ? [r.parent] : []), ...(providerUrn(r) ? [providerUrn(r)!] : [])]);
        needs.set(r.urn, new Set([...on].filter((u) => byUrn.has(u) && u !== r.urn)));
    }
    const remaining = new Set(resources.map((r) => r.urn));
    const steps: DestroyStep[] = [];
    for (let wave = 1; remaining.size > 0; wave++) {
        // Deletable now: nothing still in the stack depends on it.
        const ready = [...remaining].filter((u) => ![...remaining].some((other) => needs.get(other)!.has(u))).sort();
        if (ready.length === 0) throw new Error(`a dependency cycle among ${[...remaining].join(", ")}`);
        for (const urn of ready) {
            remaining.delete(urn);
            steps.push(describeStep(wave, byUrn.get(urn)!));
        }
    }
    return steps;
}

function describeStep(wave: number, r: DestroyInput): DestroyStep {
    const base = { wave, urn: r.urn, type: r.type, name: r.name };
    if (!r.custom || r.type.startsWith("pulumi:providers:")) return { ...base, how: "nothing to delete" };
    // A destroy deletes everything, so what a resource is deletedWith is deleted in the same operation. The engine
    // checks retainOnDelete first (lib/plans/providerRules.ts deleteOutcome); a retained resource still goes with what holds it.
    const outcome = deleteOutcome({ retainOnDelete: r.options.retainOnDelete, deletedWith: r.deletedWith }, () => true);
    if (outcome === "retained") return { ...base, how: "retained", ...(r.deletedWith ? { with: r.deletedWith } : {}) };
    if (outcome === "deleted with") return { ...base, how: "deleted with", with: r.deletedWith! };
    return { ...base, how: "deleted", through: deleteApi(r.type) };
}

/** One line a step, for a person: `3  deleted       storage:Blob issuer-jwks  (blob service ...)`. */
export function formatDestroyPlan(steps: DestroyStep[], shortType: (t: string) => string): string {
    const nameOf = new Map(steps.map((s) => [s.urn, `${shortType(s.type)} ${s.name}`]));
    return steps
        .map((s) => {
            const what = `${shortType(s.type)} ${s.name}`;
            const detail = s.how === "deleted" ? `through ${s.through}` : s.with ? `with ${nameOf.get(s.with) ?? s.with}` : "";
            return `${String(s.wave).padStart(2)}  ${s.how.padEnd(17)}  ${what}${detail ? `  (${detail})` : ""}`;
        })
        .join("\n");
}

/** One resource of a stack's state as the engine keeps it (pulumi/pulumi sdk/go/common/apitype ResourceV3). */
export interface StateResource {
    urn: string;
    type: string;
    custom: boolean;
    parent?: string;
    /** `<provider urn>::<provider id>`. */
    provider?: string;
    dependencies?: string[];
    deletedWith?: string;
    retainOnDelete?: boolean;
}

/** The root stack and the default providers: in every state, acting on nothing a user declared. */
const isBookkeeping = (r: StateResource) => r.type === "pulumi:pulumi:Stack" || (r.type.startsWith("pulumi:providers:") && /::default(_[\w-]+)?$/.test(r.urn));

/**
 * The destroy plan of a deployed stack: its state's resources, with the dependencies the engine recorded, in the order
 * the engine deletes them; `deletes` are the URNs the engine's own `pulumi destroy --preview-only` lists, and the plan
 * must be exactly those (an error names any difference rather than print a plan the engine would not follow).
 */
export function stateDestroyPlan(state: StateResource[], deletes: string[]): DestroyStep[] {
    const resources: DestroyInput[] = state
        .filter((r) => !isBookkeeping(r))
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.urn.split("::").pop()!,
            custom: r.custom,
            parent: r.parent && !r.parent.includes("::pulumi:pulumi:Stack::") ? r.parent : null,
            dependsOn: r.dependencies ?? [],
            provider:
                r.provider && !isBookkeeping({ urn: r.provider.split("::").slice(0, -1).join("::"), type: "pulumi:providers:", custom: true })
                    ? r.provider
                    : null,
            deletedWith: r.deletedWith ?? null,
            options: r.retainOnDelete ? { retainOnDelete: true } : {},
        }));
    const planned = new Set(resources.map((r) => r.urn));
    const engine = new Set(deletes.filter((u) => !isBookkeeping({ urn: u, type: u.split("::")[2] ?? "", custom: true })));
    const missing = [...engine].filter((u) => !planned.has(u));
    const extra = [...planned].filter((u) => !engine.has(u));
    if (missing.length + extra.length > 0) {
        throw new Error(
            `the destroy plan and the engine disagree: the engine deletes ${missing.join(", ") || "nothing more"}; ` +
                `the plan also lists ${extra.join(", ") || "nothing more"}`,
        );
    }
    return destroyPlan(resources);
}
