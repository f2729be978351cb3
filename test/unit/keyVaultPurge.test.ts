/**
 * The sample vault's purge around a destroy, run for real against a stand-in `az`: before create (a soft-deleted vault
 * of the stack's own derived name), after delete (bounded wait, then purge), and without the Azure CLI.
 */
import { PURGE_ENV, PURGE_WAIT, purgeAfterDeleteScript, purgeBeforeCreateScript } from "../../lib/entra/keyVaultPurge";
import { sandbox, Sandbox } from "../support/shell";

const env = (derived = true) => ({
    [PURGE_ENV.vaultName]: "kv-entrawif-0123456789ab",
    [PURGE_ENV.location]: "westeurope",
    [PURGE_ENV.subscription]: "00000000-0000-0000-0000-000000000001",
    [PURGE_ENV.derivedName]: derived ? "true" : "false",
});
const target = "--name kv-entrawif-0123456789ab --subscription 00000000-0000-0000-0000-000000000001 --only-show-errors";

let box: Sandbox;
beforeEach(() => {
    box = sandbox();
    box.fake("sleep", "exit 0");
});
afterEach(() => box.cleanup());

/** A stand-in az: `show-deleted` succeeds from its `listedFrom`-th call on (never when 0); `purge` exits `purgeCode`. */
function fakeAz(listedFrom: number, purgeCode = 0) {
    box.fake(
        "az",
        `
count='${box.root}/show-deleted.count'
case "$2" in
  show-deleted) n=$(cat "$count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$count"; [ ${listedFrom} -gt 0 ] && [ $n -ge ${listedFrom} ] ;;
  purge) echo "purging..." >&2; exit ${purgeCode} ;;
  *) echo "unexpected az $*" >&2; exit 2 ;;
esac`,
    );
}

describe("before the vault is created", () => {
    test("a soft-deleted vault of the stack's derived name is purged, so the name can be used again", () => {
        fakeAz(1);
        const r = box.run(purgeBeforeCreateScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("entra-wif: purging the soft-deleted Key Vault kv-entrawif-0123456789ab an earlier destroy left");
        expect(box.calls()).toEqual([`az keyvault show-deleted ${target}`, `az keyvault purge ${target} --location westeurope`]);
    });

    test("nothing soft-deleted: nothing purged", () => {
        fakeAz(0);
        expect(box.run(purgeBeforeCreateScript(), env()).code).toBe(0);
        expect(box.calls()).toEqual([`az keyvault show-deleted ${target}`]);
    });

    test("a name the user chose is never purged: it may be someone's vault to recover", () => {
        fakeAz(1);
        expect(box.run(purgeBeforeCreateScript(), env(false)).code).toBe(0);
        expect(box.calls()).toEqual([]);
    });

    test("a purge that fails stops the update with what it needs", () => {
        fakeAz(1, 1);
        const r = box.run(purgeBeforeCreateScript(), env());
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
            /purging the soft-deleted Key Vault kv-entrawif-0123456789ab failed; purging needs Microsoft\.KeyVault\/locations\/deletedVaults\/purge\/action/,
        );
    });

    test("without the Azure CLI it says what to do if the create then fails, and lets the update go on", () => {
        const r = box.run(purgeBeforeCreateScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/az \(the Azure CLI\) is not on the PATH.*az keyvault purge --name kv-entrawif-0123456789ab --location westeurope/);
    });
});

describe("after the vault is deleted", () => {
    test("waits, bounded, until ARM lists it as soft-deleted, then purges it", () => {
        fakeAz(3);
        const r = box.run(purgeAfterDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(box.calls()).toEqual([
            `az keyvault show-deleted ${target}`,
            `sleep ${PURGE_WAIT.sleepSeconds}`,
            `az keyvault show-deleted ${target}`,
            `sleep ${PURGE_WAIT.sleepSeconds}`,
            `az keyvault show-deleted ${target}`,
            `az keyvault purge ${target} --location westeurope`,
        ]);
    });

    test("a vault that never shows as deleted ends the wait after a bounded number of tries, without failing the destroy", () => {
        fakeAz(0);
        const r = box.run(purgeAfterDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(box.calls().filter((c) => c.startsWith("az keyvault show-deleted"))).toHaveLength(PURGE_WAIT.attempts);
        expect(r.stderr).toContain("is not listed as soft-deleted; nothing to purge");
    });

    test("a purge that fails does not fail the destroy; it says how to finish", () => {
        fakeAz(1, 1);
        const r = box.run(purgeAfterDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/purging the Key Vault kv-entrawif-0123456789ab failed; it stays soft-deleted for 7 days; purge it: az keyvault purge/);
    });

    test("without the Azure CLI (a destroy from a machine without it) it says what is left and how to remove it", () => {
        const r = box.run(purgeAfterDeleteScript(), env());
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/the Key Vault kv-entrawif-0123456789ab stays soft-deleted, keeping its name, for 7 days; purge it: az keyvault purge/);
    });
});
