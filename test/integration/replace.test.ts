/**
 * What Entra sees while `pulumi up` replaces the issuer documents (a key rotation changes the JWKS and so the Blob's
 * source, which replaces the Blob: source is WillReplaceOnChanges in azure-native, pulumi-azure-native#3530).
 *
 * The engine's order for a replacement (pulumi/pulumi pkg/resource/deploy/step_generator.go): with
 * deleteBeforeReplace, delete the old resource and then create the new one; otherwise create the new one first and
 * delete the old one at the end of the update — unless the old one is retainOnDelete, which is dropped from the state
 * without a provider call. Each provider call is replayed against real blob storage (Azurite) as azure-native makes
 * it, and after each one both document URLs are read anonymously, as Entra would read them then.
 */
import { Plan, PlannedResource } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { Azurite, azuriteFor } from "../support/azurite";
import { assetText, byName, runProgram } from "../support/program";
import { publishPlan } from "../support/publish";
import { sharedRelyingParty } from "../support/native";
import type { RelyingParty, ReplaceStep } from "../support/relyingParty";

type Options = PlannedResource["options"];

/**
 * The provider calls that replace every Blob whose source changed between two plans, in the engine's order:
 * deleteBeforeReplace deletes then creates in place; otherwise the create comes in place and the delete of the old
 * resource at the end of the update, unless it is retainOnDelete.
 */
function rotationSteps(before: Plan, after: Plan, override?: (o: Options) => Options): ReplaceStep[] {
    const call = (op: ReplaceStep["op"], r: PlannedResource): ReplaceStep => ({
        op,
        blobName: r.inputs.blobName as string,
        contentType: r.inputs.contentType as string,
        text: assetText(r),
    });
    const inPlace: ReplaceStep[] = [];
    const atTheEnd: ReplaceStep[] = [];
    for (const r of after.resources.filter((x) => x.type === "azure-native:storage:Blob")) {
        const old = before.resources.find((b) => b.urn === r.urn)!;
        if (assetText(old) === assetText(r)) continue;
        const options = override ? override(r.options) : r.options;
        if (options.deleteBeforeReplace) inPlace.push(call("delete", old), call("create", r));
        else {
            inPlace.push(call("create", r));
            if (!options.retainOnDelete) atTheEnd.push(call("delete", old));
        }
    }
    return [...inPlace, ...atTheEnd];
}

let azurite: Azurite;
let rp: RelyingParty;
const mocks = new AzureMocks({ blobEndpoint: () => azurite.blobEndpoint });
let before: Plan;
let after: Plan;
let probes: string[];

const container = (plan: Plan) => byName(plan, "issuer-container").inputs.containerName as string;
const replay = (steps: ReplaceStep[]) =>
    rp.replay({
        blobEndpoint: azurite.blobEndpoint,
        accountName: azurite.accountName,
        accountKey: azurite.accountKey,
        containerName: container(after),
        steps,
        probes,
    });

beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    rp = sharedRelyingParty(azurite.caFile);
    before = await runProgram({ "azure-native:location": "westeurope", "entra-wif:signingKey": { keys: ["2026-11"] } }, { mocks });
    after = await runProgram({ "azure-native:location": "westeurope", "entra-wif:signingKey": { keys: ["2026-11", "2027-02"] } }, { mocks });
    probes = [before.outputs.discoveryUrl as string, before.outputs.jwksUrl as string];
}, 120000);

afterAll(async () => {
    await azurite?.stop();
});

beforeEach(async () => {
    await publishPlan(rp, azurite, before, container(before), "blob");
});

test("the program asks for the documents to be kept on replacement and to go with their container on a destroy", () => {
    for (const name of ["issuer-discovery", "issuer-jwks"]) {
        const blob = byName(after, name);
        expect(blob.options).toEqual({ retainOnDelete: true });
        expect(blob.deletedWith).toBe(byName(after, "issuer-container").urn);
    }
});

test("a rotation replaces the JWKS: with the program's options both URLs answer 200 with a valid document at every step", async () => {
    const steps = rotationSteps(before, after);
    expect(steps.map((s) => `${s.op} ${s.blobName}`)).toEqual(["create openid/v1/jwks"]);
    const { observed } = await replay(steps);
    for (const { statuses } of observed) {
        for (const url of probes) {
            expect(statuses[url].status).toBe(200);
            expect(statuses[url].contentType).toBe("application/json");
            expect(() => JSON.parse(statuses[url].body)).not.toThrow();
        }
    }
    expect(observed.at(-1)!.statuses[after.outputs.jwksUrl as string].body).toBe(after.outputs.jwks);
});

test("without retainOnDelete, Pulumi's default replacement deletes the document it has just uploaded: 404 at the end", async () => {
    const { retainOnDelete: _dropped, ...rest } = byName(after, "issuer-jwks").options;
    const steps = rotationSteps(before, after, () => rest);
    expect(steps.map((s) => `${s.op} ${s.blobName}`)).toEqual(["create openid/v1/jwks", "delete openid/v1/jwks"]);
    const { observed } = await replay(steps);
    expect(observed.at(-1)!.statuses[after.outputs.jwksUrl as string].status).toBe(404);
});

test("with deleteBeforeReplace instead, the JWKS answers 404 between the delete and the upload", async () => {
    const steps = rotationSteps(before, after, () => ({ deleteBeforeReplace: true }));
    const { observed } = await replay(steps);
    expect(observed.map((o) => o.statuses[after.outputs.jwksUrl as string].status)).toEqual([404, 200]);
});
