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
    /** Where it is read from: the provider's package and version, and the file(s). */
    source: string;
    /**
     * Inputs whose change makes the provider ask for a replacement: an input's name, a nested path (`spec.volumes`,
     * `spec.containers[*].env`: a change at or under it), or "every input": any change replaces.
     */
    replaceOn: readonly string[] | "every input";
    /** What the provider answers for delete-before-replace when it asks for a replacement. */
    deleteBeforeReplace: boolean;
    /** Whether its Create refuses when a resource of the same name already exists (a read before the create). */
    createRefusesExisting: boolean;
    /** The inputs that hold the resource's name where it lives: the same values again are the same name. */
    nameInputs: readonly string[];
    /** What its Delete calls: the API, and with whose rights. "nothing" for a Delete that calls nothing. */
    deleteThrough: string;
}

const AZURE_NATIVE =
    "pulumi-azure-native 3.28.0 provider/pkg/provider/provider.go (Diff, Create → defaultCreate/customCreate), diff.go (calculateDetailedDiff)";
/**
 * azure-native, every ARM resource: each PUT path parameter replaces (diff.go: "All the parameters that are part of the
 * resource path cause a replacement"), and so do create-only properties (ForceNew, from the API's x-ms-mutability:
 * `location` of a tracked resource); a replacement of a resource whose name is given deletes first (provider.go Diff:
 * `deleteBeforeReplace := len(replaces) > 0` unless the resource was randomly auto-named, which none here is); Create
 * reads the id first and refuses one that exists (defaultCreate → CanCreate, pkg/azure/client_azcore.go).
 */
const armRule = (replaceOn: readonly string[], nameInputs: readonly string[], extra = ""): ProviderRule => ({
    source: AZURE_NATIVE + extra,
    replaceOn,
    deleteBeforeReplace: true,
    createRefusesExisting: true,
    nameInputs,
    deleteThrough: "Azure Resource Manager",
});

const TF_BRIDGE =
    "pulumi-terraform-bridge pkg/tfbridge/provider.go (Diff: `deleteBeforeReplace := len(replaces) > 0 && " +
    "(res.Schema.DeleteBeforeReplace || nameRequiresDeleteBeforeReplace(...))`, false here: no DeleteBeforeReplace in the " +
    "provider's resources.go and no autonamed `name` field)";

const KUBERNETES =
    "pulumi-kubernetes 4.34.2 provider/pkg/provider/provider.go (Diff: forceNew fields replace; deleteBeforeReplace when " +
    "the object is named, not autonamed, and keeps its name and namespace), diff.go (forceNewProperties)";
/** A Kubernetes object we name (metadata.name): its name and namespace replace it, deleted first. */
const k8sRule = (replaceOn: readonly string[]): ProviderRule => ({
    source: KUBERNETES,
    replaceOn: ["metadata.name", "metadata.namespace", ...replaceOn],
    deleteBeforeReplace: true,
    // A create of a name that exists answers AlreadyExists (the API server).
    createRefusesExisting: true,
    nameInputs: ["metadata.name", "metadata.namespace"],
    deleteThrough: "the cluster's API server",
});

/** Pod fields the provider replaces on (diff.go forceNew["core"]["v1"]["Pod"], containerForceNewProperties). */
const POD_FORCE_NEW = [
    "spec.affinity",
    "spec.automountServiceAccountToken",
    "spec.dnsConfig",
    "spec.dnsPolicy",
    "spec.enableServiceLinks",
    "spec.hostAliases",
    "spec.hostIPC",
    "spec.hostNetwork",
    "spec.hostPID",
    "spec.hostname",
    "spec.imagePullSecrets",
    "spec.nodeName",
    "spec.nodeSelector",
    "spec.overhead",
    "spec.preemptionPolicy",
    "spec.priority",
    "spec.priorityClassName",
    "spec.readinessGates",
    "spec.restartPolicy",
    "spec.runtimeClassName",
    "spec.schedulerName",
    "spec.securityContext",
    "spec.serviceAccount",
    "spec.serviceAccountName",
    "spec.shareProcessNamespace",
    "spec.subdomain",
    "spec.terminationGracePeriodSeconds",
    "spec.volumes",
    ...["spec.containers[*]", "spec.initContainers[*]"].flatMap((c) =>
        [
            "args",
            "command",
            "env",
            "image",
            "imagePullPolicy",
            "lifecycle",
            "livenessProbe",
            "ports",
            "readinessProbe",
            "resources",
            "securityContext",
            "stdin",
            "stdinOnce",
            "terminationMessagePath",
            "terminationMessagePolicy",
            "tty",
            "volumeDevices",
            "volumeMounts",
            "workingDir",
        ].map((f) => `${c}.${f}`),
    ),
];

/** Every resource type the program registers (and the ones earlier versions registered, for upgrades), by type token. */
export const PROVIDER_RULES: Readonly<Record<string, ProviderRule>> = {
    "azure-native:resources:ResourceGroup": armRule(["resourceGroupName", "location"], ["resourceGroupName"]),
    "azure-native:storage:StorageAccount": armRule(["resourceGroupName", "accountName", "location"], ["accountName"]),
    "azure-native:storage:BlobContainer": armRule(["resourceGroupName", "accountName", "containerName"], ["accountName", "containerName"]),
    // The program derives roleAssignmentName from scope, principal and role (lib/entra/roles.ts), so a new principal or role
    // is a new name as well.
    "azure-native:authorization:RoleAssignment": armRule(["scope", "roleAssignmentName"], ["scope", "roleAssignmentName"]),
    "azure-native:managedidentity:UserAssignedIdentity": armRule(["resourceGroupName", "resourceName", "location"], ["resourceGroupName", "resourceName"]),
    // issuer, subject and audiences are updated in place (a PUT of the same credential).
    "azure-native:managedidentity:FederatedIdentityCredential": armRule(
        ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
        ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
    ),
    "azure-native:keyvault:Vault": armRule(["resourceGroupName", "vaultName", "location"], ["vaultName"]),
    // A new value is a new version of the same secret (PUT); azure-native deletes a secret through the Key Vault data
    // plane with the deployer's token (customresources/custom_keyvault.go).
    "azure-native:keyvault:Secret": {
        ...armRule(["resourceGroupName", "vaultName", "secretName"], ["vaultName", "secretName"], ", resources/customresources/custom_keyvault.go"),
        deleteThrough: "Key Vault data plane (the deployer's Entra token)",
    },
    "azure-native:containerservice:ManagedCluster": armRule(
        ["resourceGroupName", "resourceName", "location", "dnsPrefix"],
        ["resourceGroupName", "resourceName"],
    ),
    /** Registered before this project wrote the documents itself; kept for the upgrade of such a stack. */
    "azure-native:storage:Blob": {
        source:
            "pulumi-azure-native provider/pkg/resources/customresources/custom_storage_azidentity.go (getBlobSchema: " +
            "WillReplaceOnChanges; blob_azidentity create/delete), provider/pkg/provider/provider.go (Diff, customCreate)",
        replaceOn: ["resourceGroupName", "accountName", "containerName", "blobName", "source", "contentMd5", "type"],
        deleteBeforeReplace: true,
        // customCreate reads the blob first (custom Read: GetProperties) and answers "cannot create already existing resource".
        createRefusesExisting: true,
        nameInputs: ["accountName", "containerName", "blobName"],
        deleteThrough: "blob service (the deployer's Entra token, or the account key listed with ARM listKeys)",
    },
    /** Registered before this project enabled the static website itself; kept for the upgrade of such a stack. */
    "azure-native:storage:StorageAccountStaticWebsite": {
        source: "pulumi-azure-native provider/pkg/resources/customresources/custom_storage_azidentity.go (staticWebsite_azidentity)",
        replaceOn: ["resourceGroupName", "accountName"],
        deleteBeforeReplace: true,
        // customCreate runs its Read first: GetAccountInfo and GetProperties with the deployer's Entra token.
        createRefusesExisting: true,
        nameInputs: ["accountName"],
        deleteThrough: "blob service (the deployer's Entra token): SetProperties with the static website disabled",
    },
    "entra-wif:index:IssuerDocuments": {
        source:
            "this project: lib/trust/issuerDocuments.ts (diff never replaces; create and update write in place; delete deletes " +
            "nothing), served by the project's own plugin provider/main.ts (@pulumi/pulumi 3.270.0 provider/server.js passes " +
            "the answers through). The engine still replaces them, delete-first, when their container is replaced (deletedWith, " +
            "CLI 3.260+, pulumi/pulumi#23818) or a dependency is replaced delete-first (step_generator.go " +
            "calculateDependentReplacements): a new container, account or location",
        replaceOn: [],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: ["accountName", "containerName"],
        deleteThrough: "nothing",
    },
    // The package's issuer check (lib/doctor/gate.ts), where the TypeScript program runs a Command.
    "entra-wif:index:IssuerCheck": {
        source:
            "this project: lib/doctor/gate.ts diffIssuerCheck (a change of any input is an update, never a replacement; create " +
            "and update run the doctor's endpoint checks; read and delete call nothing), served by provider/main.ts",
        replaceOn: [],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: [],
        deleteThrough: "nothing",
    },
    // Placeholders under the names earlier versions gave the blobs and the website (lib/trust/retiredResources.ts): the
    // old state is taken over by alias and nothing is ever called.
    "entra-wif:index:RetiredResource": {
        source: "this project: lib/trust/retiredResources.ts (diff never changes; create, read and delete call nothing), served by provider/main.ts",
        replaceOn: [],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: [],
        deleteThrough: "nothing",
    },
    // The same resource as earlier versions registered it, a dynamic resource, in states deployed before the plugin:
    // the next up creates the plugin's resource (writing the documents in place) and deletes this one, whose Delete
    // deletes nothing in every version that had it.
    "pulumi-nodejs:dynamic/entra-wif:IssuerDocuments": {
        source:
            "this project before the plugin: lib/trust/issuerDocuments.ts's operations serialized into the state and run by " +
            "@pulumi/pulumi 3.270.0 cmd/dynamic-provider (Diff passes the provider's answer through; delete deletes nothing)",
        replaceOn: [],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: ["accountName", "containerName"],
        deleteThrough: "nothing",
    },
    "azuread:index/application:Application": {
        source: `pulumi-azuread 6.9.1 (terraform-provider-azuread azuread_application: no ForceNew input used here), ${TF_BRIDGE}`,
        replaceOn: [],
        deleteBeforeReplace: false,
        // Display names need not be unique: a second application of the same name is created beside the first.
        createRefusesExisting: false,
        nameInputs: ["displayName"],
        deleteThrough: "Microsoft Graph",
    },
    "azuread:index/servicePrincipal:ServicePrincipal": {
        source: `pulumi-azuread 6.9.1 (terraform-provider-azuread azuread_service_principal: client_id ForceNew), ${TF_BRIDGE}`,
        replaceOn: ["clientId"],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: ["clientId"],
        deleteThrough: "Microsoft Graph",
    },
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential": {
        source:
            "pulumi-azuread 6.9.1 (terraform-provider-azuread application_federated_identity_credential_resource.go: " +
            `application_id and display_name ForceNew; audiences, issuer, subject updated in place), ${TF_BRIDGE}`,
        replaceOn: ["applicationId", "displayName"],
        deleteBeforeReplace: false,
        // Graph refuses a second credential with the same name, or the same issuer and subject, on one application.
        createRefusesExisting: true,
        nameInputs: ["applicationId", "displayName"],
        deleteThrough: "Microsoft Graph",
    },
    "tls:index/privateKey:PrivateKey": {
        source: `pulumi-tls 5.6.1 (terraform-provider-tls resource_private_key.go: algorithm, rsa_bits, ecdsa_curve RequiresReplace), ${TF_BRIDGE}`,
        replaceOn: ["algorithm", "rsaBits", "ecdsaCurve"],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: [],
        deleteThrough: "the state alone",
    },
    "command:local:Command": {
        source:
            "pulumi-command 1.2.1 provider/pkg/provider/common/inputs.go (Triggers: replaceOnChanges; a change of anything " +
            "else runs `update`, or `create` without one: local/commandController.go), pulumi-go-provider 1.3.0 infer " +
            "(no delete-before-replace)",
        replaceOn: ["triggers"],
        deleteBeforeReplace: false,
        // Whether its create refuses depends on its script: the kind Command's does, and asks for deleteBeforeReplace.
        createRefusesExisting: false,
        nameInputs: [],
        deleteThrough: "its delete script, on the machine running pulumi",
    },
    "kubernetes:core/v1:Namespace": k8sRule([]),
    "kubernetes:core/v1:ServiceAccount": k8sRule([]),
    "kubernetes:core/v1:Pod": k8sRule(POD_FORCE_NEW),
    "kubernetes:helm.sh/v3:Release": {
        source: "pulumi-kubernetes 4.34.2 provider/pkg/provider/helm_release.go (Diff: forceNewFields .name, .namespace; DeleteBeforeReplace: false)",
        replaceOn: ["name", "namespace"],
        deleteBeforeReplace: false,
        // Helm refuses to install a release name that is in use; a replacement changes the name, so none collides.
        createRefusesExisting: true,
        nameInputs: ["name", "namespace"],
        deleteThrough: "the cluster's API server (helm uninstall)",
    },
    "pulumi:providers:kubernetes": {
        source:
            "pulumi-kubernetes 4.34.2 provider/pkg/provider/provider.go (DiffConfig: replaced when the kubeconfig's active " +
            "cluster, context or cluster setting changes, or is not known yet); every object it manages is then replaced " +
            "(pulumi/pulumi step_generator.go: a resource whose provider is replaced is replaced)",
        replaceOn: ["kubeconfig", "context", "cluster"],
        deleteBeforeReplace: false,
        createRefusesExisting: false,
        nameInputs: [],
        deleteThrough: "nothing (a provider)",
    },
};

/**
 * APIs the README's rights (Owner, or Contributor and User Access Administrator) do not open: nothing may be deleted
 * through them. Key Vault secrets and the static website setting are deleted through data planes with the deployer's
 * Entra token, which those control-plane roles do not authorize.
 */
export const UNREACHABLE_DELETE_APIS: readonly string[] = [
    PROVIDER_RULES["azure-native:keyvault:Secret"].deleteThrough,
    PROVIDER_RULES["azure-native:storage:StorageAccountStaticWebsite"].deleteThrough,
];

/** The rule for a type, or a failure naming the type: every type the program registers must be in the table. */
export function ruleFor(type: string): ProviderRule {
    const rule = PROVIDER_RULES[type];
    if (!rule) throw new Error(`no provider rule for ${type}: add it to lib/plans/providerRules.ts, read from the provider's source`);
    return rule;
}
