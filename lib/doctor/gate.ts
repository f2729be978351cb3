/**
 * The issuer check that gates `pulumi up` (components/oidcIssuer.ts runs it as a Command): the doctor CLI against the
 * published documents, with every key the cluster signs with.
 */

/** How long the gate waits for freshly published documents to become readable. */
export const VERIFY_WAIT_SECONDS = 180;

/** The doctor the gate runs, relative to the project folder. */
export const VERIFY_DOCTOR = "tools/doctor.ts";

/**
 * The gate's command: the doctor CLI, values from the environment, nothing secret in it (ENTRA_WIF_VERIFY_WAIT
 * shortens the wait; ENTRA_WIF_SERVED_FROM, set with issuer.customUrl, is the storage URL behind the custom one). The
 * doctor reports each retry on stderr, which `pulumi up` shows while the check waits. It names no folder: a Command
 * without `dir` runs in its provider's working directory (pulumi-command
 * provider/pkg/provider/local/commandOutputs.go: `cmd.Dir, err = os.Getwd()`), and the engine starts providers in
 * the project's folder (pulumi/pulumi pkg/engine ProjectInfoContext → projinfo.GetPwdMain), so the checkout's
 * absolute path, which differs between a laptop and a CI runner, is never an input.
 */
export const VERIFY_COMMAND = [
    `[ -f ${VERIFY_DOCTOR} ] || { echo "entra-wif: the issuer check runs from the project folder, and ${VERIFY_DOCTOR} is not in $(pwd); ` +
        `run pulumi from the entra-wif checkout" >&2; exit 1; }`,
    `node -r ts-node/register/transpile-only ${VERIFY_DOCTOR} --issuer "$ENTRA_WIF_ISSUER" --public-keys-env ENTRA_WIF_PUBLIC_KEYS ` +
        `--endpoints-only --wait "\${ENTRA_WIF_VERIFY_WAIT:-${VERIFY_WAIT_SECONDS}}" ` +
        // With issuer.customUrl: the documents are checked where they are stored; the custom URL not serving them
        // yet is a warning, so the first `pulumi up` can create the storage the CDN's origin then points at.
        `\${ENTRA_WIF_SERVED_FROM:+--served-from "$ENTRA_WIF_SERVED_FROM"}`,
].join("\n");

/**
 * The same check as a resource of the project's own plugin (provider/main.ts), for the package's component: a program
 * in another language runs in a folder that has no doctor, and a Command's `dir` naming the package's folder would put
 * a path of this machine (Pulumi's plugin cache, under the home folder) into the inputs. The plugin runs the doctor's
 * code in its own process instead, so the inputs are the values checked and nothing else.
 */
export const ISSUER_CHECK_TYPE = "entra-wif:index:IssuerCheck";

export interface IssuerCheckInputs {
    /** The issuer URL Entra reads (the custom URL with issuer.customUrl). */
    issuer: string;
    /** Every public key the cluster signs or may sign with, PEM: the served JWKS must hold each one's kid. */
    publicKeys: string[];
    /** With issuer.customUrl: the storage URL behind it, checked first. */
    servedFrom?: string;
    /** What Entra reads: a change of either checks again (as the Command's triggers do). */
    discoveryDocument: string;
    jwks: string;
}

/** A change of any input checks again, in place (an update); nothing ever needs replacing. */
export function diffIssuerCheck(
    olds: Partial<IssuerCheckInputs>,
    news: Partial<IssuerCheckInputs>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])] as Array<keyof IssuerCheckInputs>;
    const changes = keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes, replaces: [], deleteBeforeReplace: false };
}

/** How long the check waits for freshly published documents: ENTRA_WIF_VERIFY_WAIT seconds, as for the Command. */
export function verifyWaitSeconds(env: NodeJS.ProcessEnv): number {
    const given = env.ENTRA_WIF_VERIFY_WAIT;
    return given !== undefined && /^\d+$/.test(given) ? Math.min(Number(given), 900) : VERIFY_WAIT_SECONDS;
}
