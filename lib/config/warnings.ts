/**
 * What is allowed but likely to hurt, said at plan time and by `pulumi up` (index.ts logs them as warnings): nothing
 * here stops a deployment.
 */
import { unlistedLocationWarning } from "./regions";
import { parsePublicKey } from "../trust/keys";
import { PROJECT, StackConfig } from "./types";
import { OFFLINE_SECRET } from "./types";

/** Entra's algorithm for federated assertions: what it documents and tests (lib/doctor/exchange.ts has the AADSTS codes). */
export const EC_KEY_WARNING =
    "is an EC key, so the cluster signs ES256 tokens: Entra documents RS256 as the algorithm of the assertions it tests, and ES256 " +
    "assertions have been refused with AADSTS5002738 (AzureAD/microsoft-identity-web#3467); give the cluster an RSA key, or check the " +
    "exchange with npm run --silent doctor -- --stack <stack> --mint --exchange before relying on it";

/** Credentials a kubeconfig may carry in its users: what must not sit in a stack file in plain text. */
const KUBECONFIG_CREDENTIALS = /^\s*(token|client-key-data|password|client-secret):\s*\S/m;

export function configWarnings(config: StackConfig, opts: { kubeconfigIsSecret: boolean; kubeconfigText?: string }): string[] {
    const warnings: string[] = [];
    const unlisted = unlistedLocationWarning(config.location);
    if (unlisted) warnings.push(unlisted);
    config.signingKey.publicKeys.forEach((pem, i) => {
        if (parsePublicKey(pem).asymmetricKeyType === "ec") warnings.push(`${PROJECT}:signingKey.publicKeys[${i}] ${EC_KEY_WARNING}`);
    });
    const kubeconfig = opts.kubeconfigText;
    if (kubeconfig !== undefined && kubeconfig !== OFFLINE_SECRET && !opts.kubeconfigIsSecret && KUBECONFIG_CREDENTIALS.test(kubeconfig)) {
        warnings.push(
            `${PROJECT}:kubeconfig holds credentials (a token or a client key) in plain text in the stack file, which is committed: ` +
                `set it as a secret instead: pulumi config set --secret kubeconfig -- "$(kubectl config view --minify --raw)"`,
        );
    }
    return warnings;
}
