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
