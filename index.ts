/**
 * entra-wif: makes a Kubernetes cluster an OIDC issuer Microsoft Entra ID trusts.
 * Reads and validates the stack config, then wires the components; the logic lives in lib/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { ConfigError, parseStackConfig } from "./lib/config";
import { apiServerFlags, controllerManagerFlags, defaultKeyFiles } from "./lib/flags";
import { planIdentities } from "./lib/identities";
import { serviceAccountSubject } from "./lib/oidc";
import { EntraIdentity } from "./components/entraIdentity";
import { OidcIssuer } from "./components/oidcIssuer";
import { SampleKeyVault } from "./components/sampleKeyVault";
import { SigningKey } from "./components/signingKey";

function loadConfig() {
    try {
        return parseStackConfig(pulumi.runtime.allConfig(), { stack: pulumi.getStack() });
    } catch (err) {
        // RunError: Pulumi prints the message alone, without a stack trace or program source.
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

const config = loadConfig();
// Tenant, subscription and the deployer's object id, from the credentials `pulumi up` runs with.
const client = authorization.getClientConfigOutput();

const signingKey = new SigningKey("signing-key", {
    rsaBits: config.signingKey.rsaBits,
    publicKeys: config.signingKey.publicKeys,
});

const issuer = new OidcIssuer("issuer", {
    location: config.location,
    existingResourceGroupName: config.resourceGroupName,
    hosting: config.issuer.hosting,
    storageAccountName: config.issuer.storageAccountName,
    containerName: config.issuer.containerName,
    jwks: signingKey.jwks,
});

const sampleVault = config.sample.enabled
    ? new SampleKeyVault("sample", {
          resourceGroupName: issuer.resourceGroupName,
          location: config.location,
          tenantId: client.tenantId,
          subscriptionId: client.subscriptionId,
          vaultName: config.sample.vaultName,
          secretName: config.sample.secretName,
      })
    : undefined;

const entraIdentities = new Map(
    planIdentities(config).map((plan) => [
        plan.name,
        new EntraIdentity(plan.name, {
            type: plan.type,
            identityName: plan.name,
            resourceGroupName: issuer.resourceGroupName,
            location: config.location,
            issuerUrl: issuer.issuerUrl,
            credentials: plan.credentials,
            grants: plan.grants,
            scopes: {
                subscription: pulumi.interpolate`/subscriptions/${client.subscriptionId}`,
                resourceGroup: issuer.resourceGroupId,
                sampleKeyVault: sampleVault?.vaultId,
            },
            subscriptionId: client.subscriptionId,
            tenantId: client.tenantId,
            ownerObjectId: client.objectId,
        }),
    ]),
);

// With the cluster's own keys only the issuer changes on the cluster; with ours, the key files too.
const serviceAccountSettings = issuer.issuerUrl.apply((issuerUrl) => ({
    issuer: issuerUrl,
    keyFiles: signingKey.ownsPrivateKey ? defaultKeyFiles() : undefined,
}));

export const issuerUrl = issuer.issuerUrl;
export const discoveryUrl = issuer.discoveryUrl;
export const jwksUrl = issuer.jwksUrl;
export const discoveryDocument = issuer.discoveryDocument;
export const jwks = issuer.jwks;
export const signingPublicKeys = signingKey.publicKeyPems;
export const signingKeyIds = signingKey.keyIds;
/** The private key for the cluster's sa.key (secret; absent with bring-your-own keys). */
export const serviceAccountSigningKey = signingKey.privateKeyPem;
export const kubeApiServerFlags = serviceAccountSettings.apply(apiServerFlags);
export const kubeControllerManagerFlags = serviceAccountSettings.apply(controllerManagerFlags);
export const resourceGroupName = issuer.resourceGroupName;
export const storageAccountName = issuer.storageAccountName;
export const tenantId = client.tenantId;
/** Per identity: what a workload or an admin needs to use it. */
export const identities = pulumi.output(
    Object.fromEntries(
        config.identities.map(({ name, type }) => {
            const identity = entraIdentities.get(name)!;
            return [name, { type, clientId: identity.clientId, principalId: identity.principalId, tenantId: identity.tenantId }];
        }),
    ),
);
/** Per workload: the token subject Entra matches and the client id its service account is annotated with. */
export const workloadIdentities = pulumi.output(
    config.workloads.map((w) => ({
        namespace: w.namespace,
        serviceAccount: w.serviceAccount,
        subject: serviceAccountSubject(w.namespace, w.serviceAccount),
        identity: w.identity,
        clientId: entraIdentities.get(w.identity)!.clientId,
    })),
);
export const keyVaultUrl = sampleVault?.vaultUrl;
export const keyVaultName = sampleVault?.vaultName;
export const sampleSecretName = sampleVault?.secretName;
