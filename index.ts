/**
 * entra-wif: makes a Kubernetes cluster an OIDC issuer Microsoft Entra ID trusts.
 * Reads and validates the stack config, then wires the components; the logic lives in lib/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "./lib/config";
import { apiServerFlags, controllerManagerFlags, defaultKeyFiles } from "./lib/flags";
import { OidcIssuer } from "./components/oidcIssuer";
import { SigningKey } from "./components/signingKey";

function loadConfig() {
    try {
        return parseStackConfig(pulumi.runtime.allConfig());
    } catch (err) {
        // RunError: Pulumi prints the message alone, without a stack trace or program source.
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

const config = loadConfig();

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
