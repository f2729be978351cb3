import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { INITIAL_KEY_NAME } from "../lib/config";
import { buildJwks, keyId, serializeJwks } from "../lib/trust/keys";

export interface SigningKeyArgs {
    /** Size of newly created RSA keys; an existing key keeps its size (changing it never regenerates a key). */
    rsaBits?: pulumi.Input<number>;
    /**
     * The stack's keys by name, oldest first: all are published, the last one signs. Plain: each is a resource.
     * Empty when the cluster keeps its own keys only.
     */
    keyNames: string[];
    /**
     * Bring your own: PEMs of public keys the cluster signs or verifies with (k0s, kubeadm), published beside the
     * stack's keys. A plain list, because it decides what is published.
     */
    publicKeys?: string[];
}

/**
 * The key pairs service-account tokens are signed with, and the JWKS that publishes their public halves: tls
 * private keys kept (encrypted) in the stack state, one per name so a rotation adds one and later removes one,
 * and/or the cluster's own public keys.
 */
export class SigningKey extends pulumi.ComponentResource {
    /** True when the stack generates keys and so owns the signing key. */
    public readonly ownsPrivateKey: boolean;
    /** Public keys in publication order (PEM): the stack's keys oldest first, then the cluster's own. */
    public readonly publicKeyPems: pulumi.Output<string[]>;
    /** The signing key (the last listed), PKCS#1 PEM, as a secret; absent when the cluster keeps its own key. */
    public readonly privateKeyPem: pulumi.Output<string> | undefined;
    /** kid of each published key, as kube-apiserver computes it. */
    public readonly keyIds: pulumi.Output<string[]>;
    /** kid of the key new tokens are signed with; absent when the cluster keeps its own key. */
    public readonly signingKeyId: pulumi.Output<string> | undefined;
    /** The JWKS document (compact JSON). */
    public readonly jwks: pulumi.Output<string>;

    constructor(name: string, args: SigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:SigningKey", name, {}, opts);

        const byo = args.publicKeys ?? [];
        this.ownsPrivateKey = args.keyNames.length > 0;
        const keys = args.keyNames.map(
            (keyName) =>
                new tls.PrivateKey(
                    `${name}-${keyName}`,
                    { algorithm: "RSA", rsaBits: args.rsaBits ?? 2048 },
                    {
                        parent: this,
                        // A key is never regenerated: a new size applies to keys added later, never to a published one.
                        ignoreChanges: ["rsaBits"],
                        // Stacks from before key names keep their key (it was `<name>-rsa`).
                        aliases: keyName === INITIAL_KEY_NAME ? [{ name: `${name}-rsa` }] : [],
                    },
                ),
        );

        this.publicKeyPems = pulumi.all(keys.map((k) => k.publicKeyPem)).apply((pems) => [...pems, ...byo]);
        const signing = keys[keys.length - 1];
        // The provider already marks it secret; pulumi.secret makes that independent of the provider.
        this.privateKeyPem = signing ? pulumi.secret(signing.privateKeyPem) : undefined;
        this.signingKeyId = signing ? signing.publicKeyPem.apply(keyId) : undefined;
        this.keyIds = this.publicKeyPems.apply((pems) => pems.map(keyId));
        this.jwks = this.publicKeyPems.apply((pems) => serializeJwks(buildJwks(pems)));

        this.registerOutputs({
            publicKeyPems: this.publicKeyPems,
            keyIds: this.keyIds,
            signingKeyId: this.signingKeyId,
            jwks: this.jwks,
        });
    }
}
