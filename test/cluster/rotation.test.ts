/**
 * A key rotation on a real kube-apiserver, step by step as the README tells it, each step a `pulumi up`: the program's
 * documents published to Azurite first, then the kind Command's update script rewriting the key files, then the
 * apiserver restarted on them (what the script's `docker exec` does in the node: static pods read their keys at start).
 *
 *   1. keys [initial]            (the dev stack's)
 *   2. keys [initial, 2027-02]   (examples/Pulumi.rotation.yaml): the apiserver signs with 2027-02 and still accepts
 *                                tokens of initial; both pass the doctor against the published JWKS
 *   3. keys [2027-02]            initial's tokens fail TokenReview and the doctor's token-kid check
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KIND_KEY_FILES } from "../../lib/cluster/kind";
import { ApiServer, ControlPlane, expectStatus, requestToken, reviewToken } from "./support/controlPlane";
import { AUDIENCE, decodeJwt, kubernetesObjects, stackConfig } from "./support/deploy";
import { Deployed, Deployment } from "../support/deployment";
import { keysCommand, kindCommand, KindNode } from "./support/kindNode";

const SUBJECT = "system:serviceaccount:demo:workload-sa";
const FIXTURE_KEYS = path.resolve(__dirname, "../fixtures/keys");
const fixedKey = (name: string) => fs.readFileSync(path.join(FIXTURE_KEYS, `signing-key-${name}.TESTONLY.pem`), "utf8");

let deployment: Deployment;
let api: ApiServer;
let node: KindNode;
const cluster = new ControlPlane("rotation");
const steps: Record<string, Deployed> = {};
const tokens: Record<string, string> = {};
let rotationExample: Record<string, unknown>;

/**
 * One `pulumi up` with these keys: documents first, then the cluster's own Command (a create on the first up; later
 * its update, which only reads the kubeconfig), then the keys Command's key change, then the apiserver on the files.
 */
async function up(step: string, keys: string[]): Promise<Deployed> {
    const deployed = await deployment.up({ ...rotationExample, "entra-wif:signingKey": { keys } });
    steps[step] = deployed;
    const op = api ? "update" : "create";
    node.run(kindCommand(deployed), op);
    const said = node.run(keysCommand(deployed), op);
    // On a cluster just created with them the keys are in place; on a key change they are rewritten.
    expect([step, said.includes("the cluster already signs with these keys")]).toEqual([step, op === "create"]);
    api = await cluster.start(node.apiServerFlags(kindCommand(deployed)));
    return deployed;
}

const doctor = (token: string) =>
    deployment.doctorFailures({
        issuer: steps.initial.plan.outputs.issuerUrl as string,
        token,
        subject: SUBJECT,
        publicKeyFile: node.file(kindCommand(steps.initial), KIND_KEY_FILES.publicKeys),
    });

beforeAll(async () => {
    node = new KindNode();
    // Fixed keys by name, as the state keeps a generated key for its name across ups.
    deployment = await Deployment.start(__filename, {
        fixedPrivateKeys: { "signing-key-initial": fixedKey("initial"), "signing-key-2027-02": fixedKey("2027-02") },
    });
    rotationExample = stackConfig("examples/Pulumi.rotation.yaml", deployment.azurite.accountName);
    const first = await up("initial", ["initial"]);
    await cluster.create([...kubernetesObjects(first, "Namespace"), ...kubernetesObjects(first, "ServiceAccount")]);
    tokens.initial = await requestToken(api, "demo", "workload-sa", AUDIENCE);
});

afterAll(async () => {
    await cluster.stop();
    await deployment?.stop();
    node?.cleanup();
});

test("before: the apiserver signs with initial, and its token passes the doctor", async () => {
    expect(decodeJwt(tokens.initial).header.kid).toBe(steps.initial.plan.outputs.signingKeyId);
    expect(await doctor(tokens.initial)).toEqual([]);
});

describe("2027-02 added (the rotation example)", () => {
    beforeAll(async () => {
        await up("overlap", ["initial", "2027-02"]);
        tokens.overlap = await requestToken(api, "demo", "workload-sa", AUDIENCE);
    });

    test("the example's keys are the step's: both published, 2027-02 signs", () => {
        expect(rotationExample["entra-wif:signingKey"]).toEqual({ keys: ["initial", "2027-02"] });
        const [initialKid, newKid] = steps.overlap.plan.outputs.signingKeyIds as string[];
        expect(initialKid).toBe(steps.initial.plan.outputs.signingKeyId);
        expect(steps.overlap.plan.outputs.signingKeyId).toBe(newKid);
    });

    test("the apiserver signs new tokens with 2027-02's kid", () => {
        expect(decodeJwt(tokens.overlap).header.kid).toBe(steps.overlap.plan.outputs.signingKeyId);
        expect(decodeJwt(tokens.overlap).header.kid).not.toBe(decodeJwt(tokens.initial).header.kid);
    });

    test("and still accepts initial's: TokenReview authenticates both, the doctor passes both", async () => {
        expect(await reviewToken(api, tokens.initial, AUDIENCE)).toMatchObject({ authenticated: true, username: SUBJECT });
        expect(await reviewToken(api, tokens.overlap, AUDIENCE)).toMatchObject({ authenticated: true, username: SUBJECT });
        expect(await doctor(tokens.initial)).toEqual([]);
        expect(await doctor(tokens.overlap)).toEqual([]);
    });
});

describe("initial removed", () => {
    beforeAll(async () => {
        await up("retired", ["2027-02"]);
    });

    test("initial's token fails TokenReview and the doctor's token-kid check; 2027-02's passes both", async () => {
        const review = await reviewToken(api, tokens.initial, AUDIENCE);
        expect(review.authenticated).toBe(false);
        expect(await doctor(tokens.initial)).toEqual(["token-kid"]);
        expect(await reviewToken(api, tokens.overlap, AUDIENCE)).toMatchObject({ authenticated: true, username: SUBJECT });
        expect(await doctor(tokens.overlap)).toEqual([]);
    });

    test("the apiserver's JWKS holds 2027-02 alone, as published", async () => {
        const own = expectStatus(await api.request("GET", "/openid/v1/jwks", undefined, { accept: "application/jwk-set+json" }), "JWKS", 200).body;
        expect(JSON.parse(own).keys.map((k: { kid: string }) => k.kid)).toEqual([steps.retired.plan.outputs.signingKeyId]);
    });
});
