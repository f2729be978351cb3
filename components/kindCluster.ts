import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { KIND_ENV, kindApplyKeysScript, kindClusterConfig, kindCreateScript, kindDeleteScript, kindKubeconfigScript } from "../lib/cluster/kind";

export interface KindClusterArgs {
    /** The kind cluster's name. */
    clusterName: string;
    /** The node image (`kind create cluster --image`); kind's default for its version when absent. */
    nodeImage?: string;
    /** The issuer URL, as the issuer's Output: the apiserver flag is byte-identical to the discovery document. */
    issuerUrl: pulumi.Input<string>;
    /** Every public key the apiserver accepts tokens from (PEM). */
    publicKeyPems: pulumi.Input<string[]>;
    /** The private key the cluster signs with (PEM, secret). */
    privateKeyPem: pulumi.Input<string>;
    /**
     * The folder for the key files and the kind config on the machine running `pulumi up`, outside the repository,
     * written `~/...`: the scripts resolve it against $HOME when they run, so no machine's home is in an input.
     */
    keyDir: string;
    /**
     * What a key change waits for: the JWKS holding the new key published and verified (OidcIssuer.published). A
     * rotation rewrites the cluster's keys only after Entra can read the new kid, as azure-workload-identity's
     * key-rotation guide orders it. Creating the cluster does not wait: until something in it exchanges a token (the
     * sample pod waits for the same resource), a cluster signing under an issuer not yet published breaks nothing,
     * and the first `pulumi up` saves the minutes of the storage chain and the grant's propagation.
     */
    issuerPublished: pulumi.Input<pulumi.Resource>[];
}

/**
 * A local kind cluster whose apiserver signs service-account tokens with the stack's key under the stack's issuer.
 * Created and deleted by `kind` on the machine running Pulumi (`cluster-kind`), as soon as the issuer URL is known. A
 * change of keys (a rotation) is applied in place by a second Command (`cluster-keys`) that waits for the JWKS
 * holding them: the mounted key files are rewritten and the control plane restarted, so workloads keep running. A
 * change of issuer, name or image replaces the cluster, because kind cannot change those on a running cluster.
 */
export class KindCluster extends pulumi.ComponentResource {
    /** The Command resource that is the cluster: cluster objects are deletedWith it. */
    public readonly cluster: command.local.Command;
    /** The Command that puts the stack's current keys on the running cluster, once the JWKS holding them is published. */
    public readonly keys: command.local.Command;
    public readonly clusterName: string;
    /** The kubectl context kind adds to the user's kubeconfig. */
    public readonly contextName: string;
    /** The kind config as planned (no secrets: paths and the issuer); written to disk with `~` resolved. */
    public readonly kindConfig: pulumi.Output<string>;
    /** The cluster's kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: KindClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:KindCluster", name, {}, opts);

        this.clusterName = args.clusterName;
        this.contextName = `kind-${args.clusterName}`;
        this.kindConfig = pulumi.output(args.issuerUrl).apply((issuer) => kindClusterConfig({ issuer, keyDir: args.keyDir }));

        const publicKeys = pulumi.output(args.publicKeyPems).apply((pems) => pems.join(""));
        const signingKey = pulumi.secret(args.privateKeyPem);
        this.cluster = new command.local.Command(
            `${name}-kind`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: kindCreateScript(),
                update: kindKubeconfigScript(),
                delete: kindDeleteScript(),
                // Values travel as environment variables, never in the command line. The keys are the ones a cluster
                // created now starts with; on a running cluster they change only through the keys Command below.
                environment: {
                    [KIND_ENV.clusterName]: args.clusterName,
                    [KIND_ENV.keyDir]: args.keyDir,
                    [KIND_ENV.kindConfig]: this.kindConfig,
                    [KIND_ENV.publicKeys]: publicKeys,
                    [KIND_ENV.signingKey]: signingKey,
                    ...(args.nodeImage ? { [KIND_ENV.nodeImage]: args.nodeImage } : {}),
                },
                // stdout is the kubeconfig: kept out of the update's log.
                logging: command.types.enums.local.Logging.Stderr,
                // What a running kind cluster cannot change: a change here is a new cluster.
                triggers: [args.clusterName, args.nodeImage ?? "", this.kindConfig],
            },
            {
                parent: this,
                additionalSecretOutputs: ["stdout"],
                // Same name: the old cluster must go before the new one is created.
                deleteBeforeReplace: true,
            },
        );
        this.keys = new command.local.Command(
            `${name}-keys`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: kindApplyKeysScript(),
                update: kindApplyKeysScript(),
                environment: {
                    [KIND_ENV.clusterName]: args.clusterName,
                    [KIND_ENV.keyDir]: args.keyDir,
                    [KIND_ENV.publicKeys]: publicKeys,
                    [KIND_ENV.signingKey]: signingKey,
                },
                logging: command.types.enums.local.Logging.Stderr,
            },
            // After the JWKS holding the keys is readable (a rotation), and on the cluster.
            { parent: this, dependsOn: [...args.issuerPublished, this.cluster] },
        );
        this.kubeconfig = pulumi.secret(this.cluster.stdout);

        this.registerOutputs({ clusterName: this.clusterName, kindConfig: this.kindConfig, kubeconfig: this.kubeconfig });
    }
}
