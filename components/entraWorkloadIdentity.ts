/**
 * The whole stack as one component: what `index.ts` deploys, for a given config. The TypeScript program calls
 * wireEntraWif itself, at the stack's top level (so its resources keep their URNs); the package other languages use
 * (`entra-wif:index:EntraWorkloadIdentity`, served by provider/main.ts, schema in schema.json) creates the same
 * resources as this component's children, from the same config model, validated by the same parseStackConfig.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as k8s from "@pulumi/kubernetes";
import { BUILTIN_NAMESPACES, ConfigError, ConfigProblems, configWarnings, parseStackConfig, PROJECT, StackConfig } from "../lib/config";
import { NotPlainInput, projectConfigDefaults, rawConfigOf } from "../lib/config/packageInputs";
import { adoptionSettings, apiServerFlags, controllerManagerFlags, serviceAccountSettings } from "../lib/cluster/flags";
import { planIdentities } from "../lib/entra/identities";
import { preflightOf } from "../lib/entra/preflight";
import { defaultResourceGroupName, stackKeyDir } from "../lib/entra/naming";
import { serviceAccountSubject } from "../lib/trust/oidc";
import { ClusterSnippets, existingClusterSnippets } from "../lib/cluster/snippets";
import { verifyCommands } from "../lib/cluster/workloads";
import { AksCluster } from "./aksCluster";
import { deployerPreflight } from "./deployerPreflight";
import { ArcConnection } from "./arcConnection";
import { EntraIdentity } from "./entraIdentity";
import { KindCluster } from "./kindCluster";
import { OidcIssuer } from "./oidcIssuer";
import { StackResourceGroup } from "./resourceGroup";
import { SampleKeyVault } from "./sampleKeyVault";
import { SamplePod } from "./samplePod";
import { SigningKey } from "./signingKey";
import { WorkloadIdentityWebhook } from "./workloadIdentityWebhook";
import { WorkloadServiceAccounts } from "./workloadServiceAccounts";

/**
 * Every resource of the stack for this config, and the stack's outputs. `parent` is the component when the package
 * creates them; the TypeScript program passes none, and then the issuer check is a Command run from its checkout; under
 * the component, which runs where no doctor is, the project's plugin runs it. `kubeconfig` is an existing cluster's (a secret).
 */
export function wireEntraWif(config: StackConfig, opts: { kubeconfig?: pulumi.Input<string>; parent?: pulumi.Resource } = {}) {
    const { kubeconfig, parent } = opts;
    // Tenant, subscription and the deployer's object id, from the credentials `pulumi up` runs with.
    const client = authorization.getClientConfigOutput({ parent });

    // What Azure would refuse the deployer (rights to assign roles, a Deny policy on the account), asked before any write.
    const preflight = deployerPreflight(
        {
            subscriptionId: client.subscriptionId,
            resourceGroupName: config.resourceGroupName ?? defaultResourceGroupName(PROJECT, pulumi.getStack()),
            ...preflightOf(config),
        },
        { parent },
    );

    const group = new StackResourceGroup(
        "group",
        {
            existingResourceGroupName: config.resourceGroupName,
            location: config.location,
            writableWhen: preflight,
        },
        { parent },
    );

    // The issuer: AKS hosts its own; otherwise the stack's signing keys and a storage account publishing their JWKS.
    const aks = config.cluster.aks
        ? new AksCluster(
              "cluster",
              {
                  clusterName: config.cluster.aks.name,
                  create: config.cluster.aks.create,
                  resourceGroupName: config.cluster.aks.existingResourceGroupName ?? group.name,
                  location: config.location,
                  kubernetesVersion: config.cluster.aks.kubernetesVersion,
                  nodeSize: config.cluster.aks.nodeSize,
                  nodeCount: config.cluster.aks.nodeCount,
              },
              { parent },
          )
        : undefined;

    const signingKey = aks
        ? undefined
        : new SigningKey(
              "signing-key",
              {
                  rsaBits: config.signingKey.rsaBits,
                  keyNames: config.signingKey.keys,
                  publicKeys: config.signingKey.publicKeys,
              },
              { parent },
          );

    const issuer = signingKey
        ? new OidcIssuer(
              "issuer",
              {
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
                  verify: config.issuer.verify ? { publicKeyPems: signingKey.publicKeyPems, byPlugin: parent !== undefined } : undefined,
              },
              { parent },
          )
        : undefined;

    /** The one issuer string: the discovery document's, the apiserver's and every federated credential's. */
    const issuerUrlOutput = (aks?.issuerUrl ?? issuer?.issuerUrl)!;

    const sampleVault = config.sample.enabled
        ? new SampleKeyVault(
              "sample",
              {
                  resourceGroupName: group.name,
                  location: config.location,
                  tenantId: client.tenantId,
                  subscriptionId: client.subscriptionId,
                  vaultName: config.sample.vaultName,
                  secretName: config.sample.secretName,
              },
              { parent },
          )
        : undefined;

    const entraIdentities = new Map(
        planIdentities(config).map((plan) => [
            plan.name,
            new EntraIdentity(
                plan.name,
                {
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
                },
                { parent },
            ),
        ]),
    );

    // The cluster: a kind cluster the stack creates, one the user runs (reached by kubeconfig or context), or AKS.
    const keyDir = stackKeyDir(pulumi.getProject(), pulumi.getStack());
    const kind =
        config.cluster.mode === "kind" && signingKey
            ? new KindCluster(
                  "cluster",
                  {
                      clusterName: config.cluster.name!,
                      nodeImage: config.cluster.nodeImage,
                      issuerUrl: issuerUrlOutput,
                      publicKeyPems: signingKey.publicKeyPems,
                      privateKeyPem: signingKey.privateKeyPem!,
                      keyDir,
                      issuerPublished: issuer ? [issuer.published] : [],
                  },
                  { parent },
              )
            : undefined;
    const clusterKubeconfig = kind?.kubeconfig ?? aks?.kubeconfig ?? (kubeconfig !== undefined ? pulumi.secret(kubeconfig) : undefined);
    const provider = new k8s.Provider(
        "kubernetes",
        {
            kubeconfig: clusterKubeconfig,
            context: config.cluster.context,
            // A demo cluster may be gone before its stack (Docker restarted): forget its objects instead of hanging.
            deleteUnreachable: kind !== undefined,
        },
        { parent },
    );
    // Objects on a cluster the stack created go with it; deleting them one by one first would only slow a destroy.
    const inCluster = { provider, deletedWith: kind?.cluster ?? aks?.cluster };

    // AKS runs the webhook itself (securityProfile.workloadIdentity); elsewhere the stack installs it unless told not to.
    const clusterRunsWebhook = aks !== undefined;
    const webhook =
        config.webhook.enabled && !clusterRunsWebhook
            ? new WorkloadIdentityWebhook(
                  "webhook",
                  {
                      ...inCluster,
                      version: config.webhook.version,
                      tenantId: client.tenantId,
                      azureEnvironment: config.webhook.azureEnvironment,
                  },
                  { parent },
              )
            : undefined;

    const serviceAccounts = new WorkloadServiceAccounts(
        "workloads",
        {
            ...inCluster,
            workloads: config.workloads.map((w) => ({
                namespace: w.namespace,
                serviceAccount: w.serviceAccount,
                clientId: entraIdentities.get(w.identity)!.clientId,
                tokenExpiration: w.tokenExpiration,
            })),
            tenantId: client.tenantId,
            existingNamespaces: [...BUILTIN_NAMESPACES, ...config.cluster.existingNamespaces],
        },
        { parent },
    );

    // Azure Arc: the cluster, once it runs the webhook, connected as seed 002 does; on destroy, disconnected first.
    const arc = config.cluster.arc
        ? new ArcConnection(
              "arc",
              {
                  name: config.cluster.arc.name,
                  resourceGroupName: group.name,
                  location: config.location,
                  subscriptionId: client.subscriptionId,
                  kubeconfig: clusterKubeconfig,
                  context: config.cluster.context,
                  clusterId: kind?.cluster.id,
                  dependsOn: [...(kind ? [kind.cluster] : []), ...(webhook ? [webhook.release] : [])],
              },
              { parent },
          )
        : undefined;

    const sampleWorkload = config.sample.workload;
    const samplePod =
        sampleVault && sampleWorkload
            ? new SamplePod(
                  "sample",
                  {
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
                  },
                  { parent },
              )
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

    return {
        issuerUrl: issuerUrlOutput,
        discoveryUrl: issuer?.discoveryUrl,
        jwksUrl: issuer?.jwksUrl,
        discoveryDocument: issuer?.discoveryDocument,
        jwks: issuer?.jwks,
        signingPublicKeys: signingKey?.publicKeyPems,
        signingKeyIds: signingKey?.keyIds,
        /** The kid new tokens carry (the last key in signingKey.keys). */
        signingKeyId: signingKey?.signingKeyId,
        /** The private key for the cluster's sa.key (secret; absent with bring-your-own keys). */
        serviceAccountSigningKey: signingKey?.privateKeyPem,
        /** Every published public key, concatenated PEM: the cluster's sa.pub. */
        serviceAccountPublicKeys: signingKey?.publicKeyPems.apply((pems) => pems.join("")),
        kubeApiServerFlags: clusterServiceAccountSettings?.apply(apiServerFlags),
        kubeControllerManagerFlags: clusterServiceAccountSettings?.apply(controllerManagerFlags),
        resourceGroupName: group.name,
        storageAccountName: issuer?.storageAccountName,
        // Where the documents are stored; with issuer.customUrl, the origin the CDN or custom domain serves.
        documentsOriginUrl: issuer?.documentsOriginUrl,
        tenantId: client.tenantId,
        /** The Azure cloud (as webhook.azureEnvironment names it): where `doctor --stack … --exchange` asks Entra. */
        azureEnvironment: config.webhook.azureEnvironment,
        /** Per identity: what a workload or an admin needs to use it. */
        identities: pulumi.output(
            Object.fromEntries(
                config.identities.map(({ name, type }) => {
                    const identity = entraIdentities.get(name)!;
                    return [name, { type, clientId: identity.clientId, principalId: identity.principalId, tenantId: identity.tenantId }];
                }),
            ),
        ),
        /** Per workload: the token subject Entra matches and the client id its service account is annotated with. */
        workloadIdentities: pulumi.output(
            config.workloads.map((w) => ({
                namespace: w.namespace,
                serviceAccount: w.serviceAccount,
                subject: serviceAccountSubject(w.namespace, w.serviceAccount),
                identity: w.identity,
                clientId: entraIdentities.get(w.identity)!.clientId,
            })),
        ),
        /** Every federated credential as sent to Entra: what `npm run doctor -- --stack <name>` checks tokens against. */
        federatedCredentials: pulumi.all([...entraIdentities.values()].map((identity) => identity.federatedCredentials)).apply((lists) => lists.flat()),
        keyVaultUrl: sampleVault?.vaultUrl,
        keyVaultName: sampleVault?.vaultName,
        sampleSecretName: sampleVault?.secretName,
        clusterMode: config.cluster.mode,
        clusterName: kind?.clusterName ?? aks?.clusterName ?? config.cluster.context,
        /** The cluster's Azure Arc connection (its ARM id), when cluster.arc is enabled. */
        arcConnectedClusterId: arc?.resourceId,
        /** The kubectl context of the cluster on the machine that deployed it (kind's, or the configured one), for --mint. */
        kubeContext: kind?.contextName ?? config.cluster.context,
        /** The token subject the sample runs as: what `doctor --subject` and the e2e test exchange for. */
        sampleSubject: sampleWorkload ? serviceAccountSubject(sampleWorkload.namespace, sampleWorkload.serviceAccount) : undefined,
        /** The kubeconfig the stack deploys with (secret); absent when an ambient kubeconfig context is used. */
        kubeconfig: clusterKubeconfig,
        kindConfig: kind?.kindConfig,
        /** For a cluster you run: what to set on it, per distribution, and how to write the key files. */
        clusterSnippets:
            config.cluster.mode === "existing" && signingKey
                ? issuerUrlOutput.apply((issuerUrl) =>
                      existingClusterSnippets(issuerUrl, signingKey.ownsPrivateKey, keyDir, {
                          distribution: config.cluster.distribution ?? "kubeadm",
                          previousIssuer: config.cluster.previousIssuer,
                      }),
                  )
                : undefined,
        /** Commands that show the sample working: the pod's log and a token minted as Entra will receive it. */
        sampleCommands:
            samplePod && sampleWorkload
                ? verifyCommands({
                      context: kind?.contextName ?? config.cluster.context,
                      namespace: sampleWorkload.namespace,
                      serviceAccount: sampleWorkload.serviceAccount,
                      podName: samplePod.podName,
                  })
                : undefined,
    };
}

/** Where the OIDC documents are served (the stack config's `issuer`). */
export interface IssuerSettings {
    /** `blob` (a public-read container; the default) or `staticWebsite` (the account's `$web`). */
    hosting?: string;
    /** The storage account's name (3-24 lowercase letters and digits); derived from subscription, group and stack when absent. */
    storageAccountName?: string;
    /** The container holding the documents, blob hosting only (3-63 lowercase letters, digits and hyphens; default `oidc`). */
    containerName?: string;
    /** Read the published documents as Entra will after writing them, and fail the update if it cannot (default true). */
    verify?: boolean;
    /** The issuer when a custom domain or CDN serves the documents (https, no query or fragment). */
    customUrl?: string;
    /**
     * Write the documents with the account's key instead of the deployer's Entra token (default false; breaks the
     * policy "Storage accounts should prevent shared key access").
     */
    sharedKeyAccess?: boolean;
    /**
     * The object id of the service principal or managed identity that deploys the stack: it, not whoever runs the
     * command, is granted the documents' data role.
     */
    writerObjectId?: string;
}

/** The service-account signing key (the stack config's `signingKey`). */
export interface SigningKeySettings {
    /** The size of keys the stack generates: 2048 (default), 3072 or 4096. */
    rsaBits?: number;
    /** The cluster's own public keys (PEM), published beside the stack's; with none of the stack's, no key is generated. */
    publicKeys?: string[];
    /** The stack's own keys by name, oldest first (default [initial]): every one published, the last one signs. */
    keys?: string[];
}

/** An Azure Arc connection of the cluster (the stack config's `cluster.arc`). */
export interface ArcSettings {
    /** Connect the cluster to Azure Arc with `az connectedk8s` (kind and existing clusters). */
    enabled?: boolean;
    /** The connected cluster's name in Azure; arc-entra-wif-<stack> when absent. */
    name?: string;
}

/** How the cluster is wired to the issuer (the stack config's `cluster`). */
export interface ClusterSettings {
    /** `kind` (a local kind cluster the stack creates; the default), `existing` (a cluster you run) or `aks`. */
    mode?: string;
    /** kind: the cluster's name (default entra-wif-<stack>); aks: the AKS cluster's name (default aks-entra-wif-<stack>). */
    name?: string;
    /** kind: the node image; kind's own default when absent. */
    nodeImage?: string;
    /** existing: a context of your kubeconfig to deploy into, instead of `kubeconfig`. */
    context?: string;
    /** existing: `kubeadm` (default), `minikube`, `k0s`, `k3s` or `rke2`: the procedure and where the key files go. */
    distribution?: string;
    /** existing: the issuer the cluster had before, still accepted after the stack's; its distribution's default when absent. */
    previousIssuer?: string;
    /** Namespaces that already exist on the cluster: neither created nor deleted by the stack. */
    existingNamespaces?: string[];
    /** aks: an existing AKS cluster's resource group (the stack then creates no cluster). */
    existingResourceGroupName?: string;
    /** aks: the Kubernetes version; AKS's default when absent. */
    kubernetesVersion?: string;
    /** aks: the system node pool's VM size (default Standard_D2s_v5). */
    nodeSize?: string;
    /** aks: the system node pool's node count (default 1). */
    nodeCount?: number;
    /** kind and existing: an Azure Arc connection of the cluster. */
    arc?: ArcSettings;
}

/** The azure-workload-identity mutating webhook (the stack config's `webhook`). */
export interface WebhookSettings {
    /** Install the webhook (default true); without it the sample pod mounts its token itself. */
    enabled?: boolean;
    /** The workload-identity-webhook chart version (default 1.6.0). */
    version?: string;
    /** `AzurePublicCloud` (default), `AzureUSGovernmentCloud` or `AzureChinaCloud`. */
    azureEnvironment?: string;
}

/** An Azure role granted to an identity or workload. */
export interface RoleGrantSettings {
    /** A built-in role name (e.g. Key Vault Secrets User) or a role definition GUID. */
    role: string;
    /** `subscription`, `resourceGroup`, `sampleKeyVault` or a full ARM id. */
    scope: string;
}

/** An Entra identity workloads become (the stack config's `identity`, or an entry of `identities`). */
export interface IdentitySettings {
    /** The identity's name (3-128 letters, digits, - and _); id-entra-wif-<stack> for the one identity when absent. */
    name?: string;
    /** `managedIdentity` (a user-assigned managed identity; the default) or `application` (an app registration). */
    type?: string;
    /** Roles granted to the identity. */
    roles?: RoleGrantSettings[];
}

/** A workload that federates: a Kubernetes service account and the identity it becomes (an entry of the stack config's `workloads`). */
export interface WorkloadSettings {
    /** The service account's namespace (a DNS-1123 label). */
    namespace: string;
    /** The service account's name. */
    serviceAccount: string;
    /** The name of the identity it becomes (optional with one identity). */
    identity?: string;
    /** Roles granted to its identity. */
    roles?: RoleGrantSettings[];
    /** The projected token's lifetime in seconds (3600-86400); the webhook's default when absent. */
    tokenExpiration?: number;
}

/** The sample: a Key Vault with a demo secret and a pod that reads it (the stack config's `sample`). */
export interface SampleSettings {
    /** Create the sample (default false). */
    enabled?: boolean;
    /** The workload the sample pod runs as, `<namespace>/<serviceAccount>`; the first workload when absent. */
    workload?: string;
    /** The demo secret's name (default demo-secret). */
    secretName?: string;
    /** The vault's name (3-24, globally unique); derived from subscription, group and stack when absent. */
    vaultName?: string;
    /** The sample pod's image (azure-workload-identity's msal-go quickstart by default). */
    image?: string;
}

export interface EntraWorkloadIdentityArgs {
    /** The Azure region, e.g. westeurope (the TypeScript program's `azure-native:location`). */
    location: string;
    /** An existing resource group to deploy into; the component creates rg-entra-wif-<stack> when absent. */
    resourceGroupName?: string;
    /** Where the OIDC documents are served. */
    issuer?: IssuerSettings;
    /** The service-account signing key. */
    signingKey?: SigningKeySettings;
    /** How the cluster is wired to the issuer. */
    cluster?: ClusterSettings;
    /** An existing cluster's kubeconfig (cluster mode existing), as a secret. */
    kubeconfig?: pulumi.Input<string>;
    /** The azure-workload-identity webhook. */
    webhook?: WebhookSettings;
    /** The one Entra identity every workload becomes, when `identities` is empty. */
    identity?: IdentitySettings;
    /** Several identities instead of one; each workload then names its own. */
    identities?: IdentitySettings[];
    /** The workloads that federate. */
    workloads?: WorkloadSettings[];
    /** The sample Key Vault and pod. */
    sample?: SampleSettings;
}

/** What a workload or an admin needs to use an identity. */
export interface IdentityOutput {
    type: string;
    clientId: string;
    principalId: string;
    tenantId: string;
}

/** A workload: the token subject Entra matches and the client id its service account is annotated with. */
export interface WorkloadIdentityOutput {
    namespace: string;
    serviceAccount: string;
    subject: string;
    identity: string;
    clientId: string;
}

/** A federated identity credential as sent to Entra. */
export interface FederatedCredentialOutput {
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
}

/** The commands that show the sample working. */
export interface SampleCommandsOutput {
    podLogs: string;
    waitForSecret: string;
    mintToken: string;
}

/** The inputs as the stack config they stand for, checked as the program checks it: every problem, before any resource. */
function configOf(args: EntraWorkloadIdentityArgs): StackConfig {
    try {
        const raw = rawConfigOf({ ...args }, projectConfigDefaults(), (v) => pulumi.Output.isInstance(v));
        return parseStackConfig(raw, { stack: pulumi.getStack(), env: process.env });
    } catch (err) {
        throw err instanceof ConfigError || err instanceof ConfigProblems || err instanceof NotPlainInput ? new pulumi.RunError(err.message) : err;
    }
}

/**
 * A Kubernetes cluster made an issuer of workload identities Entra trusts: the signing key, the issuer's documents in
 * Azure Storage, the cluster's service-account wiring, the Entra identities with their federated credentials, the
 * webhook and the sample, from the stack config model. One per stack: its Azure names derive from the project and stack.
 */
export class EntraWorkloadIdentity extends pulumi.ComponentResource {
    /** The issuer URL: byte-identical in the discovery document, the apiserver flag, every token's iss and every federated credential. */
    public readonly issuerUrl: pulumi.Output<string>;
    /** The discovery document's URL (`<issuer>/.well-known/openid-configuration`); absent on AKS. */
    public readonly discoveryUrl?: pulumi.Output<string>;
    /** The JWKS URL (`<issuer>/openid/v1/jwks`); absent on AKS. */
    public readonly jwksUrl?: pulumi.Output<string>;
    /** The discovery document as published. */
    public readonly discoveryDocument?: pulumi.Output<string>;
    /** The JWKS as published. */
    public readonly jwks?: pulumi.Output<string>;
    /** Every published public key (PEM). */
    public readonly signingPublicKeys?: pulumi.Output<string[]>;
    /** The kid of every published key. */
    public readonly signingKeyIds?: pulumi.Output<string[]>;
    /** The kid new tokens carry (the last key in signingKey.keys). */
    public readonly signingKeyId?: pulumi.Output<string>;
    /** The private key for the cluster's sa.key (a secret; absent with the cluster's own keys). */
    public readonly serviceAccountSigningKey?: pulumi.Output<string>;
    /** Every published public key, concatenated PEM: the cluster's sa.pub. */
    public readonly serviceAccountPublicKeys?: pulumi.Output<string>;
    /** The kube-apiserver's service-account flags. */
    public readonly kubeApiServerFlags?: pulumi.Output<string[]>;
    /** The kube-controller-manager's service-account flags. */
    public readonly kubeControllerManagerFlags?: pulumi.Output<string[]>;
    /** The resource group the stack deploys into. */
    public readonly resourceGroupName: pulumi.Output<string>;
    /** The storage account serving the documents. */
    public readonly storageAccountName?: pulumi.Output<string>;
    /** Where the documents are stored; with issuer.customUrl, the origin the CDN or custom domain serves. */
    public readonly documentsOriginUrl?: pulumi.Output<string>;
    /** The Entra tenant. */
    public readonly tenantId: pulumi.Output<string>;
    /** The Azure cloud, as webhook.azureEnvironment names it. */
    public readonly azureEnvironment: pulumi.Output<string>;
    /** Per identity name: what a workload or an admin needs to use it. */
    public readonly identities: pulumi.Output<Record<string, IdentityOutput>>;
    /** Per workload: its token subject and client id. */
    public readonly workloadIdentities: pulumi.Output<WorkloadIdentityOutput[]>;
    /** Every federated credential as sent to Entra. */
    public readonly federatedCredentials: pulumi.Output<FederatedCredentialOutput[]>;
    /** The sample vault's URL. */
    public readonly keyVaultUrl?: pulumi.Output<string>;
    /** The sample vault's name. */
    public readonly keyVaultName?: pulumi.Output<string>;
    /** The sample secret's name. */
    public readonly sampleSecretName?: pulumi.Output<string>;
    /** kind, existing or aks. */
    public readonly clusterMode: pulumi.Output<string>;
    /** The cluster's name (kind, AKS) or context (existing). */
    public readonly clusterName?: pulumi.Output<string>;
    /** The cluster's Azure Arc connection (its ARM id), when cluster.arc is enabled. */
    public readonly arcConnectedClusterId?: pulumi.Output<string>;
    /** The kubectl context of the cluster on the machine that deployed it. */
    public readonly kubeContext?: pulumi.Output<string>;
    /** The token subject the sample runs as. */
    public readonly sampleSubject?: pulumi.Output<string>;
    /** The kubeconfig the stack deploys with (a secret). */
    public readonly kubeconfig?: pulumi.Output<string>;
    /** The kind cluster's config as planned. */
    public readonly kindConfig?: pulumi.Output<string>;
    /** Commands that show the sample working. */
    public readonly sampleCommands?: pulumi.Output<SampleCommandsOutput>;
    /** For a cluster you run: what to set on it, per distribution, and how to write the key files. */
    public readonly clusterSnippets?: pulumi.Output<ClusterSnippets>;

    constructor(name: string, args: EntraWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is registered, the component included.
        const config = configOf(args);
        super("entra-wif:index:EntraWorkloadIdentity", name, {}, opts);
        for (const warning of configWarnings(config, { kubeconfigIsSecret: true, kubeconfigText: undefined })) void pulumi.log.warn(warning, this);
        const stack = wireEntraWif(config, { kubeconfig: args.kubeconfig, parent: this });
        const optional = <T>(value: pulumi.Input<T> | undefined) => (value === undefined ? undefined : pulumi.output(value));
        this.issuerUrl = stack.issuerUrl;
        this.discoveryUrl = stack.discoveryUrl;
        this.jwksUrl = stack.jwksUrl;
        this.discoveryDocument = stack.discoveryDocument;
        this.jwks = stack.jwks;
        this.signingPublicKeys = stack.signingPublicKeys;
        this.signingKeyIds = stack.signingKeyIds;
        this.signingKeyId = stack.signingKeyId;
        this.serviceAccountSigningKey = stack.serviceAccountSigningKey;
        this.serviceAccountPublicKeys = stack.serviceAccountPublicKeys;
        this.kubeApiServerFlags = stack.kubeApiServerFlags;
        this.kubeControllerManagerFlags = stack.kubeControllerManagerFlags;
        this.resourceGroupName = stack.resourceGroupName;
        this.storageAccountName = stack.storageAccountName;
        this.documentsOriginUrl = stack.documentsOriginUrl;
        this.tenantId = stack.tenantId;
        this.azureEnvironment = pulumi.output(stack.azureEnvironment);
        this.identities = stack.identities;
        this.workloadIdentities = stack.workloadIdentities;
        this.federatedCredentials = stack.federatedCredentials;
        this.keyVaultUrl = stack.keyVaultUrl;
        this.keyVaultName = stack.keyVaultName;
        this.sampleSecretName = stack.sampleSecretName;
        this.clusterMode = pulumi.output(stack.clusterMode);
        this.clusterName = optional(stack.clusterName);
        this.arcConnectedClusterId = stack.arcConnectedClusterId;
        this.kubeContext = optional(stack.kubeContext);
        this.sampleSubject = optional(stack.sampleSubject);
        this.kubeconfig = optional(stack.kubeconfig);
        this.kindConfig = stack.kindConfig;
        this.sampleCommands = optional(stack.sampleCommands);
        this.clusterSnippets = stack.clusterSnippets;
        this.registerOutputs(Object.fromEntries(ENTRA_WORKLOAD_IDENTITY_OUTPUTS.map((key) => [key, this[key]])));
    }
}

/** The component's outputs, in the order the schema lists them. */
export const ENTRA_WORKLOAD_IDENTITY_OUTPUTS = [
    "issuerUrl",
    "discoveryUrl",
    "jwksUrl",
    "discoveryDocument",
    "jwks",
    "signingPublicKeys",
    "signingKeyIds",
    "signingKeyId",
    "serviceAccountSigningKey",
    "serviceAccountPublicKeys",
    "kubeApiServerFlags",
    "kubeControllerManagerFlags",
    "resourceGroupName",
    "storageAccountName",
    "documentsOriginUrl",
    "tenantId",
    "azureEnvironment",
    "identities",
    "workloadIdentities",
    "federatedCredentials",
    "keyVaultUrl",
    "keyVaultName",
    "sampleSecretName",
    "clusterMode",
    "clusterName",
    "arcConnectedClusterId",
    "kubeContext",
    "sampleSubject",
    "kubeconfig",
    "kindConfig",
    "sampleCommands",
    "clusterSnippets",
] as const;
