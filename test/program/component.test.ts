/**
 * The package's component (components/entraWorkloadIdentity.ts) under the mocks, as a program in another language
 * uses it: the same resources as the TypeScript program, but its issuer check is the plugin's IssuerCheck, since that
 * program's folder holds no doctor, and no input holds a folder of this machine (a preview elsewhere shows no change).
 */
import * as os from "node:os";
import * as path from "node:path";
import { ISSUER_CHECK_TYPE } from "../../lib/doctor/gate";
import { runProgram } from "../support/program";

const COMPONENT_PROGRAM = path.join(__dirname, "..", "support", "componentProgram");
const REPO_ROOT = path.resolve(__dirname, "..", "..");

test("the issuer check is the plugin's, after the documents, with the values it checks and no folder", async () => {
    const plan = await runProgram({}, { program: COMPONENT_PROGRAM, stack: "dev" });
    const checks = plan.resources.filter((r) => r.type === ISSUER_CHECK_TYPE);
    expect(checks.map((r) => r.name)).toEqual(["issuer-verify"]);
    const [check] = checks;
    expect(Object.keys(check.inputs).sort()).toEqual(["discoveryDocument", "issuer", "jwks", "publicKeys"]);
    expect(JSON.parse(String(check.inputs.discoveryDocument)).issuer).toBe(check.inputs.issuer);
    expect((check.inputs.publicKeys as string[]).every((k) => k.startsWith("-----BEGIN PUBLIC KEY-----"))).toBe(true);
    expect(check.dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/entra-wif:index:IssuerDocuments::issuer-documents$/)]));
    // The Command the TypeScript program runs from its checkout is not there.
    expect(plan.resources.filter((r) => r.type === "command:local:Command" && r.name.endsWith("verify"))).toEqual([]);
});

test("no input of any resource names a folder of this machine: the checkout, the home folder, the temporary folder", async () => {
    const plan = await runProgram({}, { program: COMPONENT_PROGRAM, stack: "dev" });
    const inputs = JSON.stringify(plan.resources.map((r) => r.inputs));
    for (const folder of [REPO_ROOT, os.homedir(), os.tmpdir()]) expect([folder, inputs.includes(folder)]).toEqual([folder, false]);
});
