/**
 * The sample Key Vault's name after a destroy. Azure keeps a deleted vault soft-deleted for its retention period
 * (7 days at the least), and a soft-deleted vault keeps its name: creating a vault of that name again answers 409
 * ("A vault with the same name already exists in deleted state"; Microsoft Learn, "Azure Key Vault soft-delete
 * overview": the name stays reserved until the vault is purged). The stack's vault name is derived from
 * subscription, group and stack, so `pulumi up` of a destroyed stack would fail for a week. So the stack purges its
 * own vault right after deleting it, and purges a soft-deleted vault of its derived name before creating it (one an
 * older version of this program, or an interrupted destroy, left behind).
 *
 * Purging is an ARM action (Microsoft.KeyVault/locations/deletedVaults/purge/action), which Contributor and Owner
 * include: no data-plane role is needed. The scripts use the Azure CLI the README already requires; without it they
 * say what is left and how to remove it, and never fail a destroy. Pure text builders, run by tests with a stand-in
 * `az`.
 */

/** Environment variables the scripts read: values never appear in the command text. */
export const PURGE_ENV = {
    vaultName: "ENTRA_WIF_VAULT_NAME",
    location: "ENTRA_WIF_VAULT_LOCATION",
    subscription: "ENTRA_WIF_SUBSCRIPTION",
    /** "true" when the name is derived by the stack (then a soft-deleted vault of that name is the stack's own). */
    derivedName: "ENTRA_WIF_VAULT_NAME_DERIVED",
} as const;

/** How long the delete script waits for the deleted vault to show as soft-deleted (ARM reports it shortly after). */
export const PURGE_WAIT = { attempts: 30, sleepSeconds: 2 } as const;

const e = PURGE_ENV;
const az = `az keyvault`;
const target = `--name "$${e.vaultName}" --subscription "$${e.subscription}" --only-show-errors`;
const purgeCommand = `az keyvault purge --name $${e.vaultName} --location $${e.location} --subscription $${e.subscription}`;

/**
 * Before the vault is created: if a soft-deleted vault holds the stack's derived name, purge it. A name the user
 * chose is left alone (a soft-deleted vault of that name may be someone's to recover); Azure's 409 then names it.
 */
export function purgeBeforeCreateScript(): string {
    return [
        "set -uo pipefail",
        `[ "$${e.derivedName}" = true ] || exit 0`,
        `command -v az >/dev/null 2>&1 || { echo "entra-wif: az (the Azure CLI) is not on the PATH, ` +
            `so a soft-deleted Key Vault $${e.vaultName} left by an earlier destroy cannot be purged; ` +
            `if creating the vault fails with 'already exists in deleted state', run: ${purgeCommand}" >&2; exit 0; }`,
        `if ${az} show-deleted ${target} >/dev/null 2>&1; then`,
        `  echo "entra-wif: purging the soft-deleted Key Vault $${e.vaultName} an earlier destroy left, so its name can be used again" >&2`,
        `  ${az} purge ${target} --location "$${e.location}" 1>&2 || { echo "entra-wif: purging the soft-deleted Key Vault $${e.vaultName} failed; ` +
            "purging needs Microsoft.KeyVault/locations/deletedVaults/purge/action (Contributor or Owner), " +
            'and a vault with purge protection cannot be purged" >&2; exit 1; }',
        "fi",
    ].join("\n");
}

/**
 * After the vault is deleted (the vault depends on this command, so a destroy deletes it first): purge it, waiting,
 * bounded, for ARM to list it as deleted. Never fails the destroy: what it could not do, it says.
 */
export function purgeAfterDeleteScript(): string {
    return [
        "set -uo pipefail",
        `command -v az >/dev/null 2>&1 || { echo "entra-wif: az (the Azure CLI) is not on the PATH; ` +
            `the Key Vault $${e.vaultName} stays soft-deleted, keeping its name, for 7 days; purge it: ${purgeCommand}" >&2; exit 0; }`,
        `i=0; until ${az} show-deleted ${target} >/dev/null 2>&1; do i=$((i+1)); ` +
            `if [ $i -ge ${PURGE_WAIT.attempts} ]; then ` +
            `echo "entra-wif: the Key Vault $${e.vaultName} is not listed as soft-deleted; nothing to purge" >&2; exit 0; fi; ` +
            `sleep ${PURGE_WAIT.sleepSeconds}; done`,
        `${az} purge ${target} --location "$${e.location}" 1>&2 || ` +
            `echo "entra-wif: purging the Key Vault $${e.vaultName} failed; it stays soft-deleted for 7 days; purge it: ${purgeCommand}" >&2`,
        "exit 0",
    ].join("\n");
}
