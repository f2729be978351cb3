/**
 * The kube-apiserver and kube-controller-manager settings that make a cluster sign service-account tokens with
 * our key under our issuer. Pure functions: the same values feed the stack outputs, the kind config and the
 * ready-to-paste snippets, so the issuer string is typed nowhere else.
 */
import { Distribution, DISTRIBUTION_FACTS } from "./distributions";

/** Where kubeadm-based clusters (kind, kubeadm) keep the service-account key pair. */
export const KUBEADM_PKI_DIR = "/etc/kubernetes/pki";

export interface ServiceAccountKeyFiles {
    /** Public key files the apiserver accepts tokens from (every published key), in order. */
    publicKeyFiles: string[];
    /** The private key the apiserver signs new tokens with and the controller manager uses. */
    signingKeyFile: string;
}

export interface ServiceAccountSettings {
    /** The issuer URL, byte-identical to the discovery document's `issuer`: the one new tokens carry. */
    issuer: string;
    /**
     * Issuers still accepted after it, in order: the cluster's previous one, so the tokens it issued before the switch
     * keep verifying (kube-apiserver: the first --service-account-issuer signs, every one is accepted).
     */
    acceptedIssuers?: string[];
    /** Key files when the stack owns the signing key; absent when the cluster keeps its own (bring your own keys). */
    keyFiles?: ServiceAccountKeyFiles;
}

/** Default file layout for a stack-owned key on a kubeadm-style control plane. */
export function defaultKeyFiles(dir: string = KUBEADM_PKI_DIR): ServiceAccountKeyFiles {
    return { publicKeyFiles: [`${dir}/sa.pub`], signingKeyFile: `${dir}/sa.key` };
}

/**
 * The one builder of a cluster's service-account settings: the issuer, and the key files in `pkiDir` when the
 * stack owns the signing key (none when the cluster keeps its own keys). The flags, the kind config and every
 * snippet start from it.
 */
export function serviceAccountSettings(issuer: string, ownsKey: boolean, pkiDir: string = KUBEADM_PKI_DIR): ServiceAccountSettings {
    return { issuer, keyFiles: ownsKey ? defaultKeyFiles(pkiDir) : undefined };
}

/**
 * A running cluster taken over without breaking a token: the stack's key files in a folder of the project's own
 * (never over the distribution's), the cluster's own public key still verifying, its previous issuer still accepted
 * after the stack's (lib/cluster/distributions.ts). Where the distribution takes one value per flag (`one`), the
 * previous issuer cannot stay accepted, and the cluster's own public key goes into the stack's sa.pub on the node
 * instead of a second flag (the snippet's copy step writes it so: kube-apiserver reads every key of a key file).
 */
export function adoptionSettings(issuer: string, ownsKey: boolean, distribution: Distribution, previousIssuer?: string): ServiceAccountSettings {
    const facts = DISTRIBUTION_FACTS[distribution];
    const previous = previousIssuer ?? facts.defaultIssuer;
    const acceptedIssuers = facts.flagForm !== "one" && previous !== issuer ? [previous] : [];
    if (!ownsKey) return { issuer, acceptedIssuers };
    const ours = { publicKey: `${facts.keyDir}/sa.pub`, signingKey: `${facts.keyDir}/sa.key` };
    const publicKeyFiles =
        facts.flagForm === "one"
            ? [ours.publicKey]
            : facts.flagForm === "k3s"
              ? [facts.ownPublicKeyFile, ours.publicKey]
              : [ours.publicKey, facts.ownPublicKeyFile];
    return { issuer, acceptedIssuers, keyFiles: { publicKeyFiles, signingKeyFile: ours.signingKey } };
}

/** kube-apiserver settings as name → values (repeated flags keep their order). */
export function apiServerSettings(s: ServiceAccountSettings): Array<[string, string]> {
    const settings: Array<[string, string]> = [
        ["service-account-issuer", s.issuer],
        ...(s.acceptedIssuers ?? []).map((i): [string, string] => ["service-account-issuer", i]),
    ];
    if (s.keyFiles) {
        for (const file of s.keyFiles.publicKeyFiles) {
            settings.push(["service-account-key-file", file]);
        }
        settings.push(["service-account-signing-key-file", s.keyFiles.signingKeyFile]);
    }
    return settings;
}

/** kube-controller-manager settings; none when the cluster keeps its own key. */
export function controllerManagerSettings(s: ServiceAccountSettings): Array<[string, string]> {
    return s.keyFiles ? [["service-account-private-key-file", s.keyFiles.signingKeyFile]] : [];
}

const toFlags = (settings: Array<[string, string]>): string[] => settings.map(([k, v]) => `--${k}=${v}`);

/** Command-line flags for kube-apiserver, e.g. `--service-account-issuer=https://…/`. */
export const apiServerFlags = (s: ServiceAccountSettings): string[] => toFlags(apiServerSettings(s));

/** Command-line flags for kube-controller-manager. */
export const controllerManagerFlags = (s: ServiceAccountSettings): string[] => toFlags(controllerManagerSettings(s));
