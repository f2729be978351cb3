import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as azuread from "@pulumi/azuread";
import { IdentityType } from "../lib/config";
import { CredentialPlan, GrantPlan } from "../lib/entra/identities";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../lib/trust/oidc";
import { resolveScope, roleAssignmentName, roleDefinitionIdForScope, ScopeIds } from "../lib/entra/roles";

export interface EntraIdentityArgs {
    /** managedIdentity (a user-assigned managed identity) or application (app registration + service principal). Plain: it decides which resources exist. */
    type: IdentityType;
    /** The managed identity's name, or the app registration's display name. */
    identityName: string;
    /** Resource group of the managed identity (unused for an app registration, which lives in the tenant). */
    resourceGroupName: pulumi.Input<string>;
    /** Region of the managed identity. */
    location: pulumi.Input<string>;
    /** The issuer URL, as the issuer's own Output: never a string typed a second time. */
    issuerUrl: pulumi.Input<string>;
    /** One federated credential per workload, in config order. Plain: each is a resource. */
    credentials: CredentialPlan[];
    /** Role grants of the identity. Plain: each is a resource. */
    grants: GrantPlan[];
    /** ARM ids the scope keywords stand for. */
    scopes: ScopeIds<pulumi.Input<string>>;
    /** The deploying subscription, for role definition ids at keyword scopes. */
    subscriptionId: pulumi.Input<string>;
    /** The tenant the identity lives in. */
    tenantId: pulumi.Input<string>;
    /** Object id of the deploying principal: owner of the app registration, so Application.ReadWrite.OwnedBy suffices to manage it. */
    ownerObjectId?: pulumi.Input<string>;
}

/**
 * The Entra identity a set of workloads becomes: a user-assigned managed identity or an app registration with its
 * service principal, a federated identity credential per workload (issuer, subject, audience) and its role
 * assignments.
 */
export class EntraIdentity extends pulumi.ComponentResource {
    /** The client (application) id workloads put in `azure.workload.identity/client-id`. */
    public readonly clientId: pulumi.Output<string>;
    /** The service principal's object id: what role assignments name. */
    public readonly principalId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;
    /** ARM id of the managed identity, or `/applications/<objectId>` of the app registration. */
    public readonly resourceId: pulumi.Output<string>;
    /** The federated credentials as sent (name, issuer, subject, audiences): what the doctor compares tokens with. */
    public readonly federatedCredentials: pulumi.Output<Array<{ name: string; issuer: string; subject: string; audiences: string[] }>>;

    constructor(name: string, args: EntraIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:EntraIdentity", name, {}, opts);

        const audiences = [ENTRA_TOKEN_EXCHANGE_AUDIENCE];
        this.federatedCredentials = pulumi
            .output(args.issuerUrl)
            .apply((issuer) => args.credentials.map((c) => ({ name: `${args.identityName}/${c.credentialName}`, issuer, subject: c.subject, audiences })));
        if (args.type === "managedIdentity") {
            const identity = new managedidentity.UserAssignedIdentity(
                `${name}-identity`,
                { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location },
                { parent: this },
            );
            // Azure refuses concurrent credential writes on one managed identity
            // (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity): each waits for the previous.
            let previous: pulumi.Resource | undefined;
            for (const credential of args.credentials) {
                previous = new managedidentity.FederatedIdentityCredential(
                    `${name}-fic-${credential.credentialName}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        resourceName: identity.name,
                        federatedIdentityCredentialResourceName: credential.credentialName,
                        issuer: args.issuerUrl,
                        subject: credential.subject,
                        audiences,
                    },
                    { parent: this, dependsOn: previous ? [previous] : [], deleteBeforeReplace: true },
                );
            }
            this.clientId = identity.clientId;
            this.principalId = identity.principalId;
            this.tenantId = identity.tenantId;
            this.resourceId = identity.id;
        } else {
            const owners = args.ownerObjectId !== undefined ? [args.ownerObjectId] : undefined;
            // The owner is whoever first deployed; a preview or update by another principal (a CI runner after a laptop)
            // must not show the owner replaced, so later changes of the deployer are ignored.
            const byDeployer = { parent: this, ignoreChanges: ["owners"] };
            const application = new azuread.Application(`${name}-app`, { displayName: args.identityName, owners }, byDeployer);
            const servicePrincipal = new azuread.ServicePrincipal(`${name}-sp`, { clientId: application.clientId, owners }, byDeployer);
            for (const credential of args.credentials) {
                new azuread.ApplicationFederatedIdentityCredential(
                    `${name}-fic-${credential.credentialName}`,
                    {
                        // The application's resource id, /applications/<objectId>, as azuread 3.x expects.
                        applicationId: application.id,
                        displayName: credential.credentialName,
                        description: `Kubernetes service account ${credential.namespace}/${credential.serviceAccount}`,
                        issuer: args.issuerUrl,
                        subject: credential.subject,
                        audiences,
                    },
                    // The display name is the credential's key: a replacement must free it first.
                    { parent: this, deleteBeforeReplace: true },
                );
            }
            this.clientId = application.clientId;
            this.principalId = servicePrincipal.objectId;
            this.tenantId = pulumi.output(args.tenantId);
            this.resourceId = application.id;
        }

        for (const grant of args.grants) {
            const scope = pulumi.output(resolveScope(grant.scope, args.scopes));
            new authorization.RoleAssignment(
                `${name}-role-${grant.resourceSuffix}`,
                {
                    scope,
                    principalId: this.principalId,
                    // Declared, so ARM does not look the new principal up in a directory that has not replicated it yet.
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    roleDefinitionId: pulumi
                        .all([scope, args.subscriptionId])
                        .apply(([s, subscriptionId]) => roleDefinitionIdForScope(s, subscriptionId, grant.roleId)),
                    // Derived from scope, principal and role: a re-run or a re-created stack never duplicates it.
                    roleAssignmentName: pulumi.all([scope, this.principalId]).apply(([s, principalId]) => roleAssignmentName(s, principalId, grant.roleId)),
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            clientId: this.clientId,
            principalId: this.principalId,
            tenantId: this.tenantId,
            resourceId: this.resourceId,
            federatedCredentials: this.federatedCredentials,
        });
    }
}
