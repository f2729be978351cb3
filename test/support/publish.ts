/**
 * Publishing a plan's issuer documents the way `pulumi up` does: the IssuerDocuments provider in the project's own
 * provider plugin (test/support/providerPlugin.ts starts it as the engine does), writing to Azurite. The
 * engine's part — which step a diff becomes, what a delete does — is lib/plans/providerRules.ts, the rules the change
 * preview uses too. The container comes first, as azure-native's BlobContainer makes it.
 */
import { deleteOutcome, DeleteOutcome, DiffAnswer, EngineStep, engineStep } from "../../lib/plans/providerRules";
import type { Plan } from "../../tools/offline/harness";
import { Azurite } from "../../tools/engine/azurite";
import type { ProviderPlugin } from "./providerPlugin";
import { byName, PluginInputs } from "./program";
import type { RelyingParty } from "./relyingParty";

/** A plan with the inputs of each resource of the project's own plugin, as the plugin receives them. */
export interface Deployment {
    plan: Plan;
    plugin: PluginInputs;
}

/** The urn and inputs of a plan's issuer documents. */
export function documentsOf(deployment: Deployment): { urn: string; inputs: Record<string, unknown> } {
    const urn = byName(deployment.plan, "issuer-documents").urn;
    const inputs = deployment.plugin.get(urn);
    if (!inputs) throw new Error(`no provider inputs recorded for ${urn}: run the program with a PluginInputs map`);
    return { urn, inputs };
}

/** What the engine keeps of one resource between operations: its id, inputs and outputs (the state). */
export interface ResourceState {
    id: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

export interface UpResult {
    /** create, or what the engine made of the provider's diff. */
    step: "create" | EngineStep["kind"];
    diff?: DiffAnswer;
    engineStep?: EngineStep;
    state: ResourceState;
}

/**
 * One resource's part of `pulumi up` as the engine plays it: Check, then Create (nothing in the state) or Diff and the
 * step lib/plans/providerRules.ts's engineStep makes of the answer (Update; a replacement creates and deletes in the order it
 * gives). `during` runs while the provider writes, to see what readers see meanwhile.
 */
export async function up(
    host: ProviderPlugin,
    urn: string,
    inputs: Record<string, unknown>,
    state: ResourceState | undefined,
    options: { deleteBeforeReplace?: boolean } = {},
): Promise<UpResult> {
    const checked = await host.check(urn, state?.inputs ?? {}, inputs);
    if (checked.failures.length > 0) throw new Error(`Check failed: ${JSON.stringify(checked.failures)}`);
    if (!state) {
        const created = await host.create(urn, checked.inputs);
        return { step: "create", state: { id: created.id, inputs: checked.inputs, outputs: created.outputs } };
    }
    const diff = await host.diff(urn, state.id, state.outputs, checked.inputs);
    const step = engineStep(diff, options);
    switch (step.kind) {
        case "same":
            return { step: "same", diff, engineStep: step, state: { ...state, inputs: checked.inputs } };
        case "update": {
            const updated = await host.update(urn, state.id, state.outputs, checked.inputs);
            return { step: "update", diff, engineStep: step, state: { id: state.id, inputs: checked.inputs, outputs: updated.outputs } };
        }
        case "replace": {
            if (step.order === "delete-first") await host.delete(urn, state.id, state.outputs);
            const created = await host.create(urn, checked.inputs);
            if (step.order === "create-first") await host.delete(urn, state.id, state.outputs);
            return { step: "replace", diff, engineStep: step, state: { id: created.id, inputs: checked.inputs, outputs: created.outputs } };
        }
    }
}

/**
 * `pulumi refresh` for one resource: its Read, whose outputs become the state the next diff starts from; an empty id
 * is the provider saying the resource is gone, and refresh drops it from the state (undefined: the next up creates it;
 * pulumi/pulumi v3.276.0: a Read answering an empty id and no properties leaves no outputs, pkg/resource/plugin/
 * provider_plugin.go Read, and pkg/resource/deploy/step.go RefreshStep.Apply marks a resource without outputs deleted).
 */
export async function refresh(host: ProviderPlugin, urn: string, state: ResourceState): Promise<ResourceState | undefined> {
    const read = await host.read(urn, state.id, state.outputs);
    return read.id === "" ? undefined : { ...state, outputs: read.outputs };
}

/**
 * The engine deleting the resource (a destroy, or its removal from the program): lib/plans/providerRules.ts's deleteOutcome
 * decides whether the provider's Delete is called at all.
 */
export async function remove(
    host: ProviderPlugin,
    urn: string,
    state: ResourceState,
    old: { retainOnDelete?: boolean; deletedWith?: string | null },
    deletedInSameOperation: (urn: string) => boolean,
): Promise<DeleteOutcome> {
    const outcome = deleteOutcome(old, deletedInSameOperation);
    if (outcome === "provider delete") await host.delete(urn, state.id, state.outputs);
    return outcome;
}

/** The plan's container, made as azure-native's BlobContainer makes it (blob hosting), then its documents published. */
export async function publishPlan(
    rp: RelyingParty,
    azurite: Azurite,
    host: ProviderPlugin,
    deployment: Deployment,
    access: "blob" | "private" = "blob",
    state?: ResourceState,
): Promise<UpResult> {
    const { urn, inputs } = documentsOf(deployment);
    if (inputs.hosting === "blob") {
        await rp.container({
            blobEndpoint: azurite.blobEndpoint,
            accountName: azurite.accountName,
            accountKey: azurite.accountKey,
            containerName: inputs.containerName as string,
            access,
        });
    }
    return up(host, urn, inputs, state);
}
