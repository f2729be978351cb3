import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { buildJwks, keyId, serializeJwks } from "../lib/keys";

export interface SigningKeyArgs {
    /**
     * Size of the generated RSA key. Ignored when `publicKeys` is non-empty, because then no key is generated.
     */
    rsaBits?: pulumi.Input<number>;
    /**
     * Bring your own: PEMs of the public keys the cluster already signs with (k0s, kubeadm). When non-empty the
     * stack generates no key and holds no private key. A plain list, because it decides which resources exist.
     */
    publicKeys?: string[];
}

/**
 * The key pair service-account tokens are signed with, and the JWKS that publishes its public half.
 * Either a tls.PrivateKey kept (encrypted) in the stack state, or the cluster's own public keys.
 */
export class SigningKey extends pulumi.ComponentResource {
    /** True when the stack generated the key and so owns a private key. */
    public readonly ownsPrivateKey: boolean;
    /** Public keys in publication order (PEM). */
    public readonly publicKeyPems: pulumi.Output<string[]>;
    /** The private key (PKCS#1 PEM) as a secret; absent when the cluster keeps its own key. */
    public readonly privateKeyPem: pulumi.Output<string> | undefined;
    /** kid of each public key, as kube-apiserver computes it. */
    public readonly keyIds: pulumi.Output<string[]>;
    /** The JWKS document (compact JSON). */
    public readonly jwks: pulumi.Output<string>;

    constructor(name: string, args: SigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:SigningKey", name, {}, opts);

        const byo = args.publicKeys ?? [];
        this.ownsPrivateKey = byo.length === 0;
        if (this.ownsPrivateKey) {
            const key = new tls.PrivateKey(
                `${name}-rsa`,
                { algorithm: "RSA", rsaBits: args.rsaBits ?? 2048 },
                { parent: this },
            );
            this.publicKeyPems = key.publicKeyPem.apply((pem) => [pem]);
            // The provider already marks it secret; pulumi.secret makes that independent of the provider.
            this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        } else {
            this.publicKeyPems = pulumi.output(byo);
            this.privateKeyPem = undefined;
        }
        this.keyIds = this.publicKeyPems.apply((pems) => pems.map(keyId));
        this.jwks = this.publicKeyPems.apply((pems) => serializeJwks(buildJwks(pems)));

        this.registerOutputs({
            publicKeyPems: this.publicKeyPems,
            keyIds: this.keyIds,
            jwks: this.jwks,
        });
    }
}
