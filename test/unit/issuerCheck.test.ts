/**
 * The package's issuer check as its plugin decides it (lib/doctor/gate.ts): what the engine does with a change of
 * what Entra reads (an update that checks again, never a replacement), and how long the check waits.
 */
import { diffIssuerCheck, IssuerCheckInputs, verifyWaitSeconds, VERIFY_WAIT_SECONDS } from "../../lib/doctor/gate";
import { engineStep, PROVIDER_RULES } from "../../lib/plans/providerRules";

const inputs: IssuerCheckInputs = {
    issuer: "https://stwifdev.blob.core.windows.net/oidc/",
    publicKeys: ["-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n"],
    discoveryDocument: '{"issuer":"https://stwifdev.blob.core.windows.net/oidc/"}',
    jwks: '{"keys":[]}',
};

test("the same inputs are no change; any other value of any input checks again in place", () => {
    expect(diffIssuerCheck(inputs, { ...inputs })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    const changed: Array<Partial<IssuerCheckInputs>> = [
        { ...inputs, jwks: '{"keys":[{"kid":"new"}]}' },
        { ...inputs, discoveryDocument: "{}" },
        { ...inputs, publicKeys: [...inputs.publicKeys, "-----BEGIN PUBLIC KEY-----\nB\n-----END PUBLIC KEY-----\n"] },
        { ...inputs, issuer: "https://issuer.example.com/" },
        { ...inputs, servedFrom: "https://stwifdev.blob.core.windows.net/oidc/" },
    ];
    for (const news of changed) {
        const diff = diffIssuerCheck(inputs, news);
        expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(engineStep(diff)).toEqual({ kind: "update" });
    }
});

test("the rules table says the same of it as the plugin does", () => {
    const rule = PROVIDER_RULES["entra-wif:index:IssuerCheck"];
    expect(rule).toMatchObject({ replaceOn: [], deleteBeforeReplace: false, createRefusesExisting: false, deleteThrough: "nothing" });
    // What the plugin answers for a change of each input is what the table says of that input.
    const replaceOn: readonly string[] = rule.replaceOn === "every input" ? Object.keys(inputs) : rule.replaceOn;
    for (const key of Object.keys(inputs) as Array<keyof IssuerCheckInputs>) {
        const diff = diffIssuerCheck(inputs, { ...inputs, [key]: key === "publicKeys" ? [] : "changed" });
        expect([key, diff.replaces, diff.deleteBeforeReplace]).toEqual([key, replaceOn.filter((k) => k === key), rule.deleteBeforeReplace]);
    }
});

test("it waits as long as the Command does: ENTRA_WIF_VERIFY_WAIT seconds when given (at most 900), 180 otherwise", () => {
    expect(VERIFY_WAIT_SECONDS).toBe(180);
    expect([verifyWaitSeconds({}), verifyWaitSeconds({ ENTRA_WIF_VERIFY_WAIT: "30" }), verifyWaitSeconds({ ENTRA_WIF_VERIFY_WAIT: "5000" })]).toEqual([
        180, 30, 900,
    ]);
    expect(verifyWaitSeconds({ ENTRA_WIF_VERIFY_WAIT: "soon" })).toBe(180);
});
