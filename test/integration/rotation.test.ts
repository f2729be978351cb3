/**
 * A key rotation as Entra lives through it, against real blob storage: during the overlap a token signed by the old
 * key and one signed by the new key both verify against the published JWKS; after the old key is retired the old
 * token fails and the new one passes. Verified by jose (an independent JWT library) and by the doctor.
 */
import { Plan } from "../../tools/offline/harness";
import { serviceAccountToken } from "../support/jwt";
import { Deployment } from "../support/deployment";

const AUDIENCE = "api://AzureADTokenExchange";
const config = (keys: string[]) => ({
    "azure-native:location": "westeurope",
    "entra-wif:issuer": { storageAccountName: deployment.azurite.accountName },
    "entra-wif:signingKey": { keys },
});

/** The stack: its mocks (keys by name), the documents' state between the ups, Azurite, the relying party. */
let deployment: Deployment;
const plans: Record<string, Plan> = {};
let oldToken: string;
let newToken: string;
let issuer: string;

const privateKey = (name: string) => deployment.mocks.privateKeysByName.get(`signing-key-${name}`)!.state.privateKeyPem as string;

/** `pulumi up` with this key list: the program's documents written over the previous ones by its own provider. */
async function up(step: string, keys: string[]): Promise<Plan> {
    const { plan } = await deployment.up(config(keys));
    plans[step] = plan;
    return plan;
}

const joseVerifies = async (token: string) =>
    (await deployment.rp.verify({ jwksUri: plans.before.outputs.jwksUrl as string, token, issuer, audience: AUDIENCE })).ok;

const doctorFailures = (token: string) => deployment.doctorFailures({ issuer, token, subject: "system:serviceaccount:demo:workload-sa" });

beforeAll(async () => {
    deployment = await Deployment.start(__filename);
    await up("before", ["2026-11"]);
    issuer = plans.before.outputs.issuerUrl as string;
    // A workload's token from before the rotation, signed by the key it was issued with.
    oldToken = serviceAccountToken(privateKey("2026-11"), { issuer });
}, 120000);

afterAll(async () => {
    await deployment?.stop();
});

test("before: the one key signs and verifies", async () => {
    expect(await joseVerifies(oldToken)).toBe(true);
});

describe("overlap: both keys published", () => {
    beforeAll(async () => {
        await up("overlap", ["2026-11", "2027-02"]);
        newToken = serviceAccountToken(privateKey("2027-02"), { issuer });
    });

    test("the issuer and the old key are unchanged; the new key signs", () => {
        expect(plans.overlap.outputs.issuerUrl).toBe(issuer);
        expect((plans.overlap.outputs.signingKeyIds as string[])[0]).toBe((plans.before.outputs.signingKeyIds as string[])[0]);
        expect(plans.overlap.outputs.signingKeyId).toBe((plans.overlap.outputs.signingKeyIds as string[])[1]);
    });

    test("a token signed by the old key and one signed by the new key both verify", async () => {
        expect(await joseVerifies(oldToken)).toBe(true);
        expect(await joseVerifies(newToken)).toBe(true);
        expect(await doctorFailures(oldToken)).toEqual([]);
        expect(await doctorFailures(newToken)).toEqual([]);
    });
});

describe("retired: the old key removed", () => {
    beforeAll(async () => {
        await up("retired", ["2027-02"]);
    });

    test("the old token fails, the new one passes", async () => {
        expect(await joseVerifies(oldToken)).toBe(false);
        expect(await joseVerifies(newToken)).toBe(true);
        expect(await doctorFailures(oldToken)).toEqual(["token-kid"]);
        expect(await doctorFailures(newToken)).toEqual([]);
    });
});
