import * as pulumi from "@pulumi/pulumi";
import { ISSUER_CHECK_TYPE } from "../lib/doctor/gate";

export interface IssuerCheckArgs {
    /** The issuer URL Entra reads (the custom URL with issuer.customUrl). */
    issuer: pulumi.Input<string>;
    /** Every public key the cluster signs or may sign with, PEM: the served JWKS must hold each one's kid. */
    publicKeys: pulumi.Input<pulumi.Input<string>[]>;
    /** With issuer.customUrl: the storage URL behind it, checked first. */
    servedFrom?: pulumi.Input<string>;
    /** The discovery document Entra reads: a change checks again. */
    discoveryDocument: pulumi.Input<string>;
    /** The JWKS Entra reads: a change checks again. */
    jwks: pulumi.Input<string>;
}

/**
 * The issuer check after the upload, for the package's component: the doctor's endpoint checks run by the project's
 * own plugin (provider/main.ts) on create and on every change of what Entra reads, failing `pulumi up` before anything
 * trusts the issuer, as the TypeScript program's Command does from its checkout. Its inputs are the values checked,
 * no folder of this machine. Its delete and refresh call nothing. Type `entra-wif:index:IssuerCheck`.
 */
export class IssuerCheck extends pulumi.CustomResource {
    constructor(name: string, args: IssuerCheckArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            ISSUER_CHECK_TYPE,
            name,
            {
                issuer: args.issuer,
                publicKeys: args.publicKeys,
                ...(args.servedFrom !== undefined ? { servedFrom: args.servedFrom } : {}),
                discoveryDocument: args.discoveryDocument,
                jwks: args.jwks,
            },
            opts,
        );
    }
}
