/**
 * entra-wif: makes a Kubernetes cluster an OIDC issuer Microsoft Entra ID trusts.
 * Reads and validates the stack config, then wires the components at the stack's top level
 * (components/entraWorkloadIdentity.ts wireEntraWif); the logic lives in lib/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblems, configWarnings, parseStackConfig, PROJECT } from "./lib/config";
import { wireEntraWif } from "./components/entraWorkloadIdentity";

function loadConfig() {
    try {
        return parseStackConfig(pulumi.runtime.allConfig(), { stack: pulumi.getStack(), env: process.env });
    } catch (err) {
        // RunError: Pulumi prints the message alone (one line per problem), without a stack trace or program source.
        throw err instanceof ConfigError || err instanceof ConfigProblems ? new pulumi.RunError(err.message) : err;
    }
}

const config = loadConfig();
// Allowed, but likely to hurt: an EC signing key Entra may refuse, credentials in plain text in the stack file.
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
for (const warning of configWarnings(config, {
    kubeconfigIsSecret: runtimeConfig.isConfigSecret?.(`${PROJECT}:kubeconfig`) ?? false,
    kubeconfigText: config.cluster.kubeconfig,
})) {
    void pulumi.log.warn(warning);
}
// Every resource of the stack, at its top level: the wiring the package's EntraWorkloadIdentity runs as its children.
const stack = wireEntraWif(config, { kubeconfig: config.cluster.kubeconfig });

export const issuerUrl = stack.issuerUrl;
export const discoveryUrl = stack.discoveryUrl;
export const jwksUrl = stack.jwksUrl;
export const discoveryDocument = stack.discoveryDocument;
export const jwks = stack.jwks;
export const signingPublicKeys = stack.signingPublicKeys;
export const signingKeyIds = stack.signingKeyIds;
/** The kid new tokens carry (the last key in signingKey.keys). */
export const signingKeyId = stack.signingKeyId;
/** The private key for the cluster's sa.key (secret; absent with bring-your-own keys). */
export const serviceAccountSigningKey = stack.serviceAccountSigningKey;
/** Every published public key, concatenated PEM: the cluster's sa.pub. */
export const serviceAccountPublicKeys = stack.serviceAccountPublicKeys;
export const kubeApiServerFlags = stack.kubeApiServerFlags;
export const kubeControllerManagerFlags = stack.kubeControllerManagerFlags;
export const resourceGroupName = stack.resourceGroupName;
export const storageAccountName = stack.storageAccountName;
// Where the documents are stored; with issuer.customUrl, the origin the CDN or custom domain serves.
export const documentsOriginUrl = stack.documentsOriginUrl;
export const tenantId = stack.tenantId;
/** The Azure cloud (as webhook.azureEnvironment names it): where `doctor --stack … --exchange` asks Entra. */
export const azureEnvironment = stack.azureEnvironment;
/** Per identity: what a workload or an admin needs to use it. */
export const identities = stack.identities;
/** Per workload: the token subject Entra matches and the client id its service account is annotated with. */
export const workloadIdentities = stack.workloadIdentities;
/** Every federated credential as sent to Entra: what `npm run doctor -- --stack <name>` checks tokens against. */
export const federatedCredentials = stack.federatedCredentials;
export const keyVaultUrl = stack.keyVaultUrl;
export const keyVaultName = stack.keyVaultName;
export const sampleSecretName = stack.sampleSecretName;
export const clusterMode = stack.clusterMode;
export const clusterName = stack.clusterName;
/** The cluster's Azure Arc connection (its ARM id), when cluster.arc is enabled. */
export const arcConnectedClusterId = stack.arcConnectedClusterId;
/** The kubectl context of the cluster on the machine that deployed it (kind's, or the configured one), for --mint. */
export const kubeContext = stack.kubeContext;
/** The token subject the sample runs as: what `doctor --subject` and the e2e test exchange for. */
export const sampleSubject = stack.sampleSubject;
/** The kubeconfig the stack deploys with (secret); absent when an ambient kubeconfig context is used. */
export const kubeconfig = stack.kubeconfig;
export const kindConfig = stack.kindConfig;
/** For a cluster you run: what to set on it, per distribution, and how to write the key files. */
export const clusterSnippets = stack.clusterSnippets;
/** Commands that show the sample working: the pod's log and a token minted as Entra will receive it. */
export const sampleCommands = stack.sampleCommands;
