/**
 * entra-wif: makes a Kubernetes cluster an OIDC issuer Microsoft Entra ID trusts.
 * Reads and validates the stack config, then wires the components; the logic lives in lib/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as k8s from "@pulumi/kubernetes";
import { BUILTIN_NAMESPACES, ConfigError, ConfigProblems, configWarnings, parseStackConfig, PROJECT } from "./lib/config";
import { adoptionSettings, apiServerFlags, controllerManagerFlags, serviceAccountSettings } from "./lib/cluster/flags";
import { planIdentities } from "./lib/entra/identities";
import { preflightOf } from "./lib/entra/preflight";
import { defaultResourceGroupName, stackKeyDir } from "./lib/entra/naming";
import { serviceAccountSubject } from "./lib/trust/oidc";
import { existingClusterSnippets } from "./lib/cluster/snippets";
import { verifyCommands } from "./lib/cluster/workloads";
import { AksCluster } from "./components/aksCluster";
import { deployerPreflight } from "./components/deployerPreflight";
import { ArcConnection } from "./components/arcConnection";
import { EntraIdentity } from "./components/entraIdentity";
import { KindCluster } from "./components/kindCluster";
import { OidcIssuer } from "./components/oidcIssuer";
import { StackResourceGroup } from "./components/resourceGroup";
import { SampleKeyVault } from "./components/sampleKeyVault";
import { SamplePod } from "./components/samplePod";
import { SigningKey } from "./components/signingKey";
import { WorkloadIdentityWebhook } from "./components/workloadIdentityWebhook";
import { WorkloadServiceAccounts } from "./components/workloadServiceAccounts";

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
// Tenant, subscription and the deployer's object id, from the credentials `pulumi up` runs with.
const client = authorization.getClientConfigOutput();

// What Azure would refuse the deployer (rights to assign roles, a Deny policy on the account), asked before any write.
const preflight = deployerPreflight({
    subscriptionId: client.subscriptionId,
    resourceGroupName: config.resourceGroupName ?? defaultResourceGroupName(PROJECT, pulumi.getStack()),
    ...preflightOf(config),
});

const group = new StackResourceGroup("group", {
    existingResourceGroupName: config.resourceGroupName,
    location: config.location,
    writableWhen: preflight,
});

// The issuer: AKS hosts its own; otherwise the stack's signing keys and a storage account publishing their JWKS.
const aks = config.cluster.aks
    ? new AksCluster("cluster", {
          clusterName: config.cluster.aks.name,
          create: config.cluster.aks.create,
          resourceGroupName: config.cluster.aks.existingResourceGroupName ?? group.name,
          location: config.location,
          kubernetesVersion: config.cluster.aks.kubernetesVersion,
          nodeSize: config.cluster.aks.nodeSize,
          nodeCount: config.cluster.aks.nodeCount,
      })
    : undefined;

const signingKey = aks
    ? undefined
    : new SigningKey("signing-key", {
          rsaBits: config.signingKey.rsaBits,
          keyNames: config.signingKey.keys,
          publicKeys: config.signingKey.publicKeys,
      });

const issuer = signingKey
    ? new OidcIssuer("issuer", {
          location: config.location,
          resourceGroup: { name: group.name, plainName: group.plainName },
          // The stack's own group holds no other account: the writer's grant there need not wait for the account.
          writerGrantScope: config.resourceGroupName === undefined ? group.id : undefined,
          hosting: config.issuer.hosting,
          sharedKeyAccess: config.issuer.sharedKeyAccess,
          writerObjectId: config.issuer.writerObjectId,
          storageAccountName: config.issuer.storageAccountName,
          containerName: config.issuer.containerName,
          customUrl: config.issuer.customUrl,
          jwks: signingKey.jwks,
          verify: config.issuer.verify ? { publicKeyPems: signingKey.publicKeyPems } : undefined,
      })
    : undefined;

/** The one issuer string: the discovery document's, the apiserver's and every federated credential's. */
const issuerUrlOutput = (aks?.issuerUrl ?? issuer?.issuerUrl)!;

const sampleVault = config.sample.enabled
    ? new SampleKeyVault("sample", {
          resourceGroupName: group.name,
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
            resourceGroupName: group.name,
            location: config.location,
            issuerUrl: issuerUrlOutput,
            credentials: plan.credentials,
            grants: plan.grants,
            scopes: {
                subscription: pulumi.interpolate`/subscriptions/${client.subscriptionId}`,
                resourceGroup: group.id,
                sampleKeyVault: sampleVault?.vaultId,
            },
            subscriptionId: client.subscriptionId,
            tenantId: client.tenantId,
            ownerObjectId: client.objectId,
        }),
    ]),
);

// The cluster: a kind cluster the stack creates, one the user runs (reached by kubeconfig or context), or AKS.
const keyDir = stackKeyDir(pulumi.getProject(), pulumi.getStack());
const kind =
    config.cluster.mode === "kind" && signingKey
        ? new KindCluster("cluster", {
              clusterName: config.cluster.name!,
              nodeImage: config.cluster.nodeImage,
              issuerUrl: issuerUrlOutput,
              publicKeyPems: signingKey.publicKeyPems,
              privateKeyPem: signingKey.privateKeyPem!,
              keyDir,
              issuerPublished: issuer ? [issuer.published] : [],
          })
        : undefined;
const clusterKubeconfig =
    kind?.kubeconfig ?? aks?.kubeconfig ?? (config.cluster.kubeconfig !== undefined ? pulumi.secret(config.cluster.kubeconfig) : undefined);
const provider = new k8s.Provider("kubernetes", {
    kubeconfig: clusterKubeconfig,
    context: config.cluster.context,
    // A demo cluster may be gone before its stack (Docker restarted): forget its objects instead of hanging.
    deleteUnreachable: kind !== undefined,
});
// Objects on a cluster the stack created go with it; deleting them one by one first would only slow a destroy.
const inCluster = { provider, deletedWith: kind?.cluster ?? aks?.cluster };

// AKS runs the webhook itself (securityProfile.workloadIdentity); elsewhere the stack installs it unless told not to.
const clusterRunsWebhook = aks !== undefined;
const webhook =
    config.webhook.enabled && !clusterRunsWebhook
        ? new WorkloadIdentityWebhook("webhook", {
              ...inCluster,
              version: config.webhook.version,
              tenantId: client.tenantId,
              azureEnvironment: config.webhook.azureEnvironment,
          })
        : undefined;

const serviceAccounts = new WorkloadServiceAccounts("workloads", {
    ...inCluster,
    workloads: config.workloads.map((w) => ({
        namespace: w.namespace,
        serviceAccount: w.serviceAccount,
        clientId: entraIdentities.get(w.identity)!.clientId,
        tokenExpiration: w.tokenExpiration,
    })),
    tenantId: client.tenantId,
    existingNamespaces: [...BUILTIN_NAMESPACES, ...config.cluster.existingNamespaces],
});

// Azure Arc: the cluster, once it runs the webhook, connected as seed 002 does; on destroy, disconnected first.
const arc = config.cluster.arc
    ? new ArcConnection("arc", {
          name: config.cluster.arc.name,
          resourceGroupName: group.name,
          location: config.location,
          subscriptionId: client.subscriptionId,
          kubeconfig: clusterKubeconfig,
          context: config.cluster.context,
          clusterId: kind?.cluster.id,
          dependsOn: [...(kind ? [kind.cluster] : []), ...(webhook ? [webhook.release] : [])],
      })
    : undefined;

const sampleWorkload = config.sample.workload;
const samplePod =
    sampleVault && sampleWorkload
        ? new SamplePod("sample", {
              ...inCluster,
              namespace: sampleWorkload.namespace,
              serviceAccount: sampleWorkload.serviceAccount,
              image: config.sample.image,
              keyVaultUrl: sampleVault.vaultUrl,
              secretName: sampleVault.secretName,
              injection: webhook || clusterRunsWebhook ? "webhook" : "projected",
              clientId: entraIdentities.get(sampleWorkload.identity)!.clientId,
              tenantId: client.tenantId,
              azureEnvironment: config.webhook.azureEnvironment,
              tokenExpiration: sampleWorkload.tokenExpiration,
              // The pod exchanges a token at once: not before Entra can read the JWKS holding the cluster's kid.
              dependsOn: [
                  ...(issuer ? [issuer.published] : []),
                  ...(webhook ? [webhook.release] : []),
                  serviceAccounts.serviceAccounts.get(`${sampleWorkload.namespace}/${sampleWorkload.serviceAccount}`)!,
                  entraIdentities.get(sampleWorkload.identity)!,
                  sampleVault,
              ],
          })
        : undefined;

// With the cluster's own keys only the issuer changes on the cluster; with ours, the key files too (none on AKS). A
// cluster you run is taken over without breaking a token: its own key and previous issuer stay accepted.
const clusterServiceAccountSettings = signingKey
    ? issuerUrlOutput.apply((issuerUrl) =>
          config.cluster.mode === "existing"
              ? adoptionSettings(issuerUrl, signingKey.ownsPrivateKey, config.cluster.distribution ?? "kubeadm", config.cluster.previousIssuer)
              : serviceAccountSettings(issuerUrl, signingKey.ownsPrivateKey),
      )
    : undefined;

export const issuerUrl = issuerUrlOutput;
export const discoveryUrl = issuer?.discoveryUrl;
export const jwksUrl = issuer?.jwksUrl;
export const discoveryDocument = issuer?.discoveryDocument;
export const jwks = issuer?.jwks;
export const signingPublicKeys = signingKey?.publicKeyPems;
export const signingKeyIds = signingKey?.keyIds;
/** The kid new tokens carry (the last key in signingKey.keys). */
export const signingKeyId = signingKey?.signingKeyId;
/** The private key for the cluster's sa.key (secret; absent with bring-your-own keys). */
export const serviceAccountSigningKey = signingKey?.privateKeyPem;
/** Every published public key, concatenated PEM: the cluster's sa.pub. */
export const serviceAccountPublicKeys = signingKey?.publicKeyPems.apply((pems) => pems.join(""));
export const kubeApiServerFlags = clusterServiceAccountSettings?.apply(apiServerFlags);
export const kubeControllerManagerFlags = clusterServiceAccountSettings?.apply(controllerManagerFlags);
export const resourceGroupName = group.name;
export const storageAccountName = issuer?.storageAccountName;
// Where the documents are stored; with issuer.customUrl, the origin the CDN or custom domain serves.
export const documentsOriginUrl = issuer?.documentsOriginUrl;
export const tenantId = client.tenantId;
/** The Azure cloud (as webhook.azureEnvironment names it): where `doctor --stack … --exchange` asks Entra. */
export const azureEnvironment = config.webhook.azureEnvironment;
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
/** Every federated credential as sent to Entra: what `npm run doctor -- --stack <name>` checks tokens against. */
export const federatedCredentials = pulumi.all([...entraIdentities.values()].map((identity) => identity.federatedCredentials)).apply((lists) => lists.flat());
export const keyVaultUrl = sampleVault?.vaultUrl;
export const keyVaultName = sampleVault?.vaultName;
export const sampleSecretName = sampleVault?.secretName;
export const clusterMode = config.cluster.mode;
export const clusterName = kind?.clusterName ?? aks?.clusterName ?? config.cluster.context;
/** The cluster's Azure Arc connection (its ARM id), when cluster.arc is enabled. */
export const arcConnectedClusterId = arc?.resourceId;
/** The kubectl context of the cluster on the machine that deployed it (kind's, or the configured one), for --mint. */
export const kubeContext = kind?.contextName ?? config.cluster.context;
/** The token subject the sample runs as: what `doctor --subject` and the e2e test exchange for. */
export const sampleSubject = sampleWorkload ? serviceAccountSubject(sampleWorkload.namespace, sampleWorkload.serviceAccount) : undefined;
/** The kubeconfig the stack deploys with (secret); absent when an ambient kubeconfig context is used. */
export const kubeconfig = clusterKubeconfig;
export const kindConfig = kind?.kindConfig;
/** For a cluster you run: what to set on it, per distribution, and how to write the key files. */
export const clusterSnippets =
    config.cluster.mode === "existing" && signingKey
        ? issuerUrlOutput.apply((issuerUrl) =>
              existingClusterSnippets(issuerUrl, signingKey.ownsPrivateKey, keyDir, {
                  distribution: config.cluster.distribution ?? "kubeadm",
                  previousIssuer: config.cluster.previousIssuer,
              }),
          )
        : undefined;
/** Commands that show the sample working: the pod's log and a token minted as Entra will receive it. */
export const sampleCommands =
    samplePod && sampleWorkload
        ? verifyCommands({
              context: kind?.contextName ?? config.cluster.context,
              namespace: sampleWorkload.namespace,
              serviceAccount: sampleWorkload.serviceAccount,
              podName: samplePod.podName,
          })
        : undefined;
