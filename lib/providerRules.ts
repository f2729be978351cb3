/**
 * How the engine and the providers treat each resource type this program registers, read from their source and kept
 * in one place: the offline change preview (`plan --from`), the destroy plan and the tests that replay a lifecycle
 * against real storage all read these rules; none models the engine its own way.
 *
 * A rule that is wrong here is wrong everywhere at once, so each row names the file (and version) it comes from.
 * Versions: @pulumi/azure-native 3.28.0, @pulumi/azuread 6.9.1, @pulumi/tls 5.6.1, @pulumi/command 1.2.1,
 * @pulumi/kubernetes 4.34.2, @pulumi/pulumi 3.270.0 (package.json), read at the commits the citations name.
 */

/** What a provider's Diff answers. `changes: "unknown"` is a provider that leaves the diff to the engine. */
export interface DiffAnswer {
    changes: boolean | "unknown";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** The step the engine takes for a resource that is in the state and in the program. */
export type EngineStep =
    { kind: "same" } | { kind: "update" } | { kind: "replace"; order: "delete-first" | "create-first"; decidedBy: "the provider" | "a resource option" };

/**
 * The engine's step for a provider's diff (pulumi/pulumi pkg/resource/deploy/step_generator.go, generateStepsFromDiff):
 * no change is the same resource; changes without replacement are an UpdateStep; a replacement deletes first when the
 * provider answers deleteBeforeReplace, unless the resource option `deleteBeforeReplace` overrides it
 * (`deleteBeforeReplace := diff.DeleteBeforeReplace; if goal.DeleteBeforeReplace != nil { ... = *goal... }`).
 * A replacement that creates first deletes the old resource at the end of the update.
 */
export function engineStep(diff: DiffAnswer, options: { deleteBeforeReplace?: boolean } = {}): EngineStep {
    if (diff.replaces.length > 0) {
        const byOption = options.deleteBeforeReplace !== undefined;
        const deleteFirst = byOption ? options.deleteBeforeReplace! : diff.deleteBeforeReplace;
        return { kind: "replace", order: deleteFirst ? "delete-first" : "create-first", decidedBy: byOption ? "a resource option" : "the provider" };
    }
    return diff.changes === false ? { kind: "same" } : { kind: "update" };
}

/** How a resource leaves the state when the engine deletes it (a destroy, a removal from the program, a replacement). */
export type DeleteOutcome = "retained" | "deleted with" | "provider delete";

/**
 * The engine's DeleteStep (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply): an old resource whose state
 * says retainOnDelete is dropped without a provider call (the flag comes from the state, so it holds for a resource the
 * program no longer registers); one deletedWith a resource deleted in the same operation is skipped; anything else
 * calls the provider's Delete.
 */
export function deleteOutcome(old: { retainOnDelete?: boolean; deletedWith?: string | null }, deletedInSameOperation: (urn: string) => boolean): DeleteOutcome {
    if (old.retainOnDelete) return "retained";
    if (old.deletedWith && deletedInSameOperation(old.deletedWith)) return "deleted with";
    return "provider delete";
}

/** What a provider does for one resource type. */
export interface ProviderRule {
    /** Where it is read from: the provider's package and the file(s). */
    source: string;
    /**
     * Inputs whose change makes the provider ask for a replacement (top-level input names; `a.b` for a nested one).
     * "every input": any change replaces.
     */
    replaceOn: readonly string[] | "every input";
    /** What the provider answers for delete-before-replace when it asks for a replacement. */
    deleteBeforeReplace: boolean;
    /** Whether its Create refuses when a resource of the same name already exists (a read before the create). */
    createRefusesExisting: boolean;
    /** What its Delete calls: the API, and with whose rights. "nothing" for a Delete that calls nothing. */
    deleteThrough: string;
}

const AZURE_NATIVE = "pulumi-azure-native provider/pkg/provider/provider.go (Diff, Create → defaultCreate/customCreate), diff.go (calculateDetailedDiff)";
/**
 * azure-native, every ARM resource: each PUT path parameter replaces (diff.go: "All the parameters that are part of the
 * resource path cause a replacement"), and so do create-only properties (ForceNew, from the API's x-ms-mutability);
 * a replacement of a resource whose name is given deletes first (provider.go Diff: `deleteBeforeReplace :=
 * len(replaces) > 0` unless the resource was randomly auto-named, which none here is); Create reads the id first and
 * refuses one that exists (defaultCreate → CanCreate, pkg/azure/client_azcore.go).
 */
const armRule = (replaceOn: readonly string[], extra = ""): ProviderRule => ({
    source: AZURE_NATIVE + extra,
    replaceOn,
    deleteBeforeReplace: true,
    createRefusesExisting: true,
    deleteThrough: "Azure Resource Manager",
});

/** Every resource type the program registers (and the ones earlier versions registered, for upgrades), by type token. */
export const PROVIDER_RULES: Readonly<Record<string, ProviderRule>> = {
    "azure-native:resources:ResourceGroup": armRule(["resourceGroupName", "location"]),
    "azure-native:storage:StorageAccount": armRule(["resourceGroupName", "accountName", "location"]),
    "azure-native:storage:BlobContainer": armRule(["resourceGroupName", "accountName", "containerName"]),
    "azure-native:authorization:RoleAssignment": armRule(["scope", "roleAssignmentName", "principalId", "roleDefinitionId"]),
    /** Registered before this project wrote the documents itself; kept for the upgrade of such a stack. */
    "azure-native:storage:Blob": {
        source:
            "pulumi-azure-native provider/pkg/resources/customresources/custom_storage_azidentity.go (getBlobSchema: " +
            "WillReplaceOnChanges; blob_azidentity create/delete), provider/pkg/provider/provider.go (Diff, customCreate)",
        replaceOn: ["resourceGroupName", "accountName", "containerName", "blobName", "source", "contentMd5", "type"],
        deleteBeforeReplace: true,
        // customCreate reads the blob first (custom Read: GetProperties) and answers "cannot create already existing resource".
        createRefusesExisting: true,
        deleteThrough: "blob service (the account key, listed with ARM listKeys)",
    },
    /** Registered before this project enabled the static website itself; kept for the upgrade of such a stack. */
    "azure-native:storage:StorageAccountStaticWebsite": {
        source: "pulumi-azure-native provider/pkg/resources/customresources/custom_storage_azidentity.go (staticWebsite_azidentity)",
        replaceOn: ["resourceGroupName", "accountName"],
        deleteBeforeReplace: true,
        // customCreate runs its Read first: GetAccountInfo and GetProperties with the deployer's Entra token.
        createRefusesExisting: true,
        deleteThrough: "blob service (the deployer's Entra token): SetProperties with the static website disabled",
    },
    "pulumi-nodejs:dynamic/entra-wif:IssuerDocuments": {
        source:
            "this project: lib/issuerDocuments.ts (diff never replaces; create and update write in place; delete deletes " +
            "nothing), run by @pulumi/pulumi cmd/dynamic-provider",
        replaceOn: [],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        deleteThrough: "nothing",
    },
};

/** The rule for a type, or a failure naming the type: every type the program registers must be in the table. */
export function ruleFor(type: string): ProviderRule {
    const rule = PROVIDER_RULES[type];
    if (!rule) throw new Error(`no provider rule for ${type}: add it to lib/providerRules.ts, read from the provider's source`);
    return rule;
}
