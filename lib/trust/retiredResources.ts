/**
 * What earlier versions of the program registered for the issuer documents, and what stands in for each now, so a
 * stack deployed by any of them upgrades in one `pulumi up` while the issuer keeps answering.
 *
 * A resource the program no longer registers is deleted at the end of the update by the provider recorded in the old
 * state. For these that delete is a data-plane call that takes the issuer down right after the new documents went up:
 * - azure-native:storage:Blob (issuer-jwks, issuer-discovery; from the first commit until 36f70e1): deletes the blob,
 *   which IssuerDocuments has just written under the same name (states from before c31b289 have no retainOnDelete);
 * - azure-native:storage:StorageAccountStaticWebsite (issuer-website; until 36f70e1): its delete disables the static
 *   website (pulumi-azure-native customresources/custom_storage_azidentity.go staticWebsite_azidentity.delete:
 *   SetProperties with StaticWebsite.Enabled false), so $web stops being served.
 *
 * So the program registers a RetiredResource under each old name, with the old type as an alias: the engine takes the
 * old state for the new resource (pulumi/pulumi pkg/resource/deploy/step_generator.go: an alias matches the old URN),
 * asks the new provider, this project's plugin, whether its config differs (DiffConfig is not implemented by the Node
 * SDK's provider server, which the engine reads as "no replacement", sdk/go/common/resource/plugin/provider_plugin.go
 * DiffConfig) and then for a diff, which is always "no change": a same step, nothing called at all. The old resource
 * is never deleted; the placeholder's own delete deletes nothing, so a later version may stop registering it safely.
 * On a stack that never had them, each is created, which calls nothing either.
 *
 * Pure functions; nothing here imports Pulumi.
 */

/** The resource type: served by the project's own provider plugin (provider/main.ts). */
export const RETIRED_RESOURCE_TYPE = "entra-wif:index:RetiredResource";

/** The issuer component's children earlier versions registered: the name's suffix after `<component name>-`, and the type. */
export const RETIRED_ISSUER_RESOURCES: ReadonlyArray<{ suffix: string; type: string }> = [
    { suffix: "jwks", type: "azure-native:storage:Blob" },
    { suffix: "discovery", type: "azure-native:storage:Blob" },
    { suffix: "website", type: "azure-native:storage:StorageAccountStaticWebsite" },
];

/** The provider's operations: nothing is ever called anywhere, and nothing ever changes. */
export const retiredResourceOperations = {
    check: (news: Record<string, unknown>) => ({ inputs: news, failures: [] as Array<{ property: string; reason: string }> }),
    /** Never a change: the old state (a Blob's, a website's) stays as it was recorded. */
    diff: () => ({ changes: false, replaces: [] as string[], deleteBeforeReplace: false }),
    create: (urn: string) => ({ id: `retired:${urn.split("::").pop()}`, outs: {} }),
    /** The recorded state, as it is: a refresh reads nothing, so it never drops or changes the placeholder. */
    read: (id: string, props: Record<string, unknown>) => ({ id, props }),
    delete: () => undefined,
};
