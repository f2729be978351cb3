/**
 * The deployer's preflight as `pulumi up` runs it: the project's plugin (provider/main.ts) serving
 * entra-wif:index:checkDeployer, signing in as a deployer logged in with `az login` (the stand-in az), and asking an
 * ARM stand-in over HTTPS (tools/engine/azureFront.js) that answers with ARM's own shapes: what an Owner, a
 * Contributor without a role to assign roles, or a tenant with a Deny policy on shared keys gets. Through a proxy
 * that refuses, the call fails naming ARM and the proxy.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CHECK_DEPLOYER_TOKEN, DeployerCheckArgs } from "../../lib/entra/preflight";
import { Azurite, azuriteFor } from "../../tools/engine/azurite";
import { startAzureFront } from "../../tools/engine/world";
import { ProviderPlugin, startProviderPlugin } from "../support/providerPlugin";

const SUB = "00000000-1111-4222-8333-444444444444";
let azurite: Azurite;
let front: { pid: number; arm: string };
let dir: string;
let answers: string;
let plugin: ProviderPlugin;

const args = (extra: Partial<DeployerCheckArgs> = {}): DeployerCheckArgs => ({
    subscriptionId: SUB,
    resourceGroupName: "rg-entra-wif-dev",
    assignsRoles: true,
    account: { location: "westeurope", allowSharedKeyAccess: false, allowBlobPublicAccess: true },
    ...extra,
});
const calls = () =>
    fs.existsSync(path.join(dir, "arm-calls.jsonl"))
        ? fs
              .readFileSync(path.join(dir, "arm-calls.jsonl"), "utf8")
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l) as { method: string; path: string; bearer: boolean; body: string })
        : [];

beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-arm-"));
    answers = path.join(dir, "answers.json");
    front = await startAzureFront(azurite, azurite.blobEndpoint.replace(/[^/]+\/$/, ""), { ENTRA_WIF_FRONT_ARM_ANSWERS: answers });
    plugin = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile, ENTRA_WIF_ARM_ENDPOINT: front.arm });
}, 60000);

afterAll(async () => {
    await plugin?.stop();
    if (front) process.kill(front.pid, "SIGTERM");
    await azurite?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
    fs.rmSync(answers, { force: true });
    fs.rmSync(path.join(dir, "arm-calls.jsonl"), { force: true });
});

test("an Owner in a tenant without Deny policies: no problem; asked as the deployer, at the subscription for a group still to come", async () => {
    expect((await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...args() })).outputs).toEqual({ problems: [] });
    expect(calls().map((c) => `${c.method} ${c.path} ${c.bearer}`)).toEqual([
        `GET /subscriptions/${SUB}/resourceGroups/rg-entra-wif-dev true`,
        `GET /subscriptions/${SUB}/providers/Microsoft.Authorization/permissions true`,
        `POST /subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions true`,
    ]);
    // Azure Policy is asked about the account exactly as the stack creates it.
    expect(JSON.parse(calls()[2].body).resourceDetails.resourceContent).toMatchObject({
        type: "Microsoft.Storage/storageAccounts",
        properties: { allowSharedKeyAccess: false, allowBlobPublicAccess: true, minimumTlsVersion: "TLS1_2", supportsHttpsTrafficOnly: true },
    });
    // The token was asked for ARM, as the deployer signed in with az.
    expect(plugin.azCalls().map((c) => c.resource)).toContain("https://management.azure.com");
});

test("an existing group is asked about at its own scope", async () => {
    fs.writeFileSync(answers, JSON.stringify({ groups: ["rg-platform"] }));
    await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...args({ resourceGroupName: "rg-platform" }) });
    expect(calls()[1].path).toBe(`/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.Authorization/permissions`);
});

test("Contributor alone cannot assign roles: the problem says what to ask for, and where", async () => {
    fs.writeFileSync(
        answers,
        JSON.stringify({ permissions: { value: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"] }] } }),
    );
    const { problems } = (await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...args() })).outputs as { problems: string[] };
    expect(problems).toEqual([
        `the Azure CLI login (az login) cannot assign roles at /subscriptions/${SUB} (no Microsoft.Authorization/roleAssignments/write), and the stack does: ` +
            "Storage Blob Data Contributor to you on the issuer's storage, and each workload's roles. Ask for Role Based Access Control Administrator " +
            `(or User Access Administrator, or Owner) on /subscriptions/${SUB}`,
    ]);
    // A stack that assigns no role does not ask.
    fs.rmSync(path.join(dir, "arm-calls.jsonl"));
    expect((await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...args({ assignsRoles: false }) })).outputs).toEqual({ problems: [] });
    expect(calls().map((c) => c.path)).not.toContain(`/subscriptions/${SUB}/providers/Microsoft.Authorization/permissions`);
});

test("a Deny policy on shared keys refuses an account that allows them: the problem names the assignment and the setting", async () => {
    fs.writeFileSync(
        answers,
        JSON.stringify({
            policy: {
                fieldRestrictions: [
                    { field: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess", restrictions: [{ result: "Required", values: [false] }] },
                ],
                contentEvaluationResult: {
                    policyEvaluations: [
                        {
                            policyInfo: {
                                policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",
                                policyAssignmentId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/no-shared-key`,
                            },
                            evaluationResult: "NonCompliant",
                            evaluationDetails: {
                                evaluatedExpressions: [{ expression: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess", targetValue: false }],
                            },
                        },
                    ],
                },
            },
        }),
    );
    const shared = args({ account: { location: "westeurope", allowSharedKeyAccess: true, allowBlobPublicAccess: true } });
    const { problems } = (await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...shared })).outputs as { problems: string[] };
    expect(problems).toEqual([
        "Azure Policy would deny the storage account: assignment no-shared-key (definition 8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54) judges " +
            "Microsoft.Storage/storageAccounts/allowSharedKeyAccess must be false: pulumi config set --path entra-wif:issuer.sharedKeyAccess false " +
            "(the default: the documents are written with your Entra token)",
    ]);
    expect(JSON.parse(calls().at(-1)!.body).resourceDetails.resourceContent.properties.allowSharedKeyAccess).toBe(true);
});

test("ARM's own refusal is a problem with its code; a proxy that refuses fails the preflight, naming ARM and the proxy", async () => {
    // A reader's preview in a pull request: ARM answers 403 AuthorizationFailed with its error body.
    fs.writeFileSync(answers, JSON.stringify({ permissionsStatus: 403 }));
    expect(((await plugin.invoke(CHECK_DEPLOYER_TOKEN, { ...args() })).outputs as { problems: string[] }).problems[0]).toBe(
        `the Azure CLI login (az login) could not read its own permissions at /subscriptions/${SUB} (HTTP 403 AuthorizationFailed); ` +
            "the stack assigns roles there",
    );
    const asked: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket) => {
        asked.push(req.url!);
        socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const behind = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile, ENTRA_WIF_ARM_ENDPOINT: front.arm, HTTPS_PROXY: proxyUrl, NO_PROXY: "" });
    try {
        await expect(behind.invoke(CHECK_DEPLOYER_TOKEN, { ...args() })).rejects.toThrow(
            new RegExp(
                `entra-wif: checking the deployer's rights at ${front.arm.replace(/\./g, "\\.")}\\S* answered HTTP 403 without ARM's error, ` +
                    `through the proxy ${proxyUrl.replace(/\./g, "\\.")}`,
            ),
        );
        expect(asked.length).toBeGreaterThan(0);
    } finally {
        await behind.stop();
        proxy.close();
    }
});
