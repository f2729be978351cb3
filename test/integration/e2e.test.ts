/**
 * `npm run e2e`, the live lifecycle test, run offline: stand-in pulumi, kubectl, kind, docker and az on the PATH
 * (test/support/shell.ts), a local HTTPS stand-in of Entra that also serves the issuer's documents, and the real
 * doctor. The whole cycle passes; a failure at each step stops the run, destroys what it made, and names the step.
 */
import { latencyTableProblems } from "../../tools/bench/latencies";
import { PROVIDER_RULES } from "../../lib/plans/providerRules";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildJwks, serializeJwks } from "../../lib/trust/keys";
import { buildDiscoveryDocument, ENTRA_TOKEN_EXCHANGE_AUDIENCE, serializeDiscoveryDocument } from "../../lib/trust/oidc";
import { verifyCommands } from "../../lib/cluster/workloads";
import { E2E_STEPS, E2eStep, parseE2eArgs, renewAzureSignIn, ROTATION_KEY, runE2e } from "../../tools/live/e2e";
import { serviceAccountToken, tokenSigner } from "../support/jwt";
import { sandbox, Sandbox } from "../support/shell";
import { entraError, startTokenEndpoint, TokenEndpoint } from "../support/tokenEndpoint";

const STACK = "e2e";
const SUBJECT = "system:serviceaccount:demo:workload-sa";
const CLIENT_ID = "11111111-2222-4333-8444-555555555555";
const TENANT = "72f988bf-0000-4000-8000-00000000a11e";

const signer = (name: "a" | "b") => {
    const { privatePem, publicPem } = tokenSigner(name);
    return { priv: privatePem, pub: publicPem };
};
const oldKey = signer("a");
const newKey = signer("b");

let entra: TokenEndpoint;
let box: Sandbox;
let issuer: string;
const saved = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS };

beforeAll(async () => {
    entra = await startTokenEndpoint();
    issuer = `${entra.authority}oidc/`;
    const jwks = buildJwks([oldKey.pub, newKey.pub]);
    entra.documents["/oidc/.well-known/openid-configuration"] = serializeDiscoveryDocument(buildDiscoveryDocument(issuer, jwks));
    entra.documents["/oidc/openid/v1/jwks"] = serializeJwks(jwks);
}, 30000);

afterAll(async () => {
    await entra?.stop();
});

/** The stand-ins: FAIL_AT names the step whose tool fails. */
function tools(failAt?: E2eStep): void {
    const state = box.root;
    const outputs = {
        issuerUrl: issuer,
        signingPublicKeys: [oldKey.pub, newKey.pub],
        federatedCredentials: [{ name: "id-entra-wif-e2e/demo_workload-sa", issuer, subject: SUBJECT, audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE] }],
        tenantId: TENANT,
        azureEnvironment: "AzurePublicCloud",
        workloadIdentities: [{ namespace: "demo", serviceAccount: "workload-sa", subject: SUBJECT, identity: "id-entra-wif-e2e", clientId: CLIENT_ID }],
        identities: { "id-entra-wif-e2e": { type: "managedIdentity", clientId: CLIENT_ID } },
        resourceGroupName: "rg-entra-wif-e2e",
        keyVaultName: "kv-entrawif-0a1b2c3d4e5f",
        kubeContext: "kind-entra-wif-e2e",
        sampleSubject: SUBJECT,
        sampleCommands: verifyCommands({ context: "kind-entra-wif-e2e", namespace: "demo", serviceAccount: "workload-sa", podName: "entra-wif-sample" }),
    };
    fs.writeFileSync(path.join(state, "outputs.json"), JSON.stringify(outputs));
    fs.writeFileSync(path.join(state, "old.jwt"), serviceAccountToken(oldKey.priv, { issuer }));
    fs.writeFileSync(path.join(state, "new.jwt"), serviceAccountToken(newKey.priv, { issuer }));
    const fail = failAt ?? "";
    const counter = (name: string) => `n=$(cat '${state}/${name}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${state}/${name}'`;
    // As the engine logs a first up's storage account (--event-log): its first event, then its outputs 31 s later.
    const account = "urn:pulumi:e2e::entra-wif::entra-wif:index:OidcIssuer$azure-native:storage:StorageAccount::issuer-account";
    const event = (sequence: number, timestamp: number, kind: string) =>
        JSON.stringify({ sequence, timestamp, [kind]: { metadata: { op: "create", urn: account, type: "azure-native:storage:StorageAccount" } } });
    fs.writeFileSync(path.join(state, "up.events.jsonl"), `${event(1, 1000, "resourcePreEvent")}\n${event(2, 1031, "resOutputsEvent")}\n`);
    box.fake(
        "pulumi",
        `
log=""; prev=""; for a in "$@"; do [ "$prev" = --event-log ] && log="$a"; prev="$a"; done
[ "$1 $2" = "up --yes" ] && [ -n "$log" ] && [ ! -e '${state}/rotated' ] && cat '${state}/up.events.jsonl' > "$log"
case "$1 $2" in
  "stack select") exit 0 ;;
  "stack output") cat '${state}/outputs.json' ;;
  "config get") exit 1 ;;
  "config set") [ '${fail}' = rotate ] && { echo "error: could not save the config" >&2; exit 1; }; : > '${state}/rotated' ;;
  "up --yes") ${counter("ups")}; case "${fail}:$n" in up:1|up-again:3) echo "error: update failed: the deployment failed" >&2; exit 255 ;; esac ;;
  "destroy --yes") ${counter("destroys")}; case "${fail}:$n" in destroy:1|final-destroy:2) echo "error: destroy failed: 409 Conflict" >&2; exit 255 ;; esac ;;
  *) echo "unexpected pulumi $*" >&2; exit 2 ;;
esac`,
    );
    box.fake(
        "kubectl",
        `
case "$3" in
  create) if [ -e '${state}/rotated' ]; then cat '${state}/new.jwt'; else cat '${state}/old.jwt'; fi ;;
  logs) if [ '${fail}' = sample ]; then echo 'E1201 "failed to get secret from keyvault" err="403"'; else echo 'I1201 "successfully got secret"'; fi ;;
esac`,
    );
    // The sample's wait: done at once, or (its step failing) timed out as timeout does.
    box.fake("timeout", fail === "sample" ? "exit 124" : `shift; exec "$@"`);
    box.fake("docker", fail === "preflight" ? `echo "Cannot connect to the Docker daemon" >&2; exit 1` : "exit 0");
    box.fake("kind", "exit 0");
    box.fake(
        "az",
        `
case "$1 $2" in
  "account show") exit 0 ;;
  "group exists") if [ '${fail}' = nothing-left ]; then echo true; else echo false; fi ;;
  "keyvault show-deleted") echo "ERROR: (DeletedVaultNotFound)" >&2; exit 3 ;;
  "ad app") echo "[]" ;;
esac`,
    );
    entra.answer = () =>
        fail === "exchange"
            ? entraError(700213, "No matching federated identity record found for presented assertion subject.")
            : {
                  status: 200,
                  body: JSON.stringify({
                      token_type: "Bearer",
                      expires_in: 3599,
                      access_token: "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln",
                  }),
              };
}

beforeEach(() => {
    box = sandbox();
    process.env.PATH = box.bin;
    fs.writeFileSync(path.join(box.root, "ca.pem"), entra.ca);
    process.env.NODE_EXTRA_CA_CERTS = path.join(box.root, "ca.pem");
});
afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.NODE_EXTRA_CA_CERTS === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved.NODE_EXTRA_CA_CERTS;
    box.cleanup();
});

const e2e = (extra: string[] = []) =>
    runE2e(parseE2eArgs(["--stack", STACK, "--report", path.join(box.root, "report.json"), "--authority", entra.authority, ...extra]));

test("the whole cycle passes, each step timed, and the report is written as JSON", async () => {
    tools();
    const { ok, steps } = await e2e();
    expect(steps.filter((s) => !s.ok)).toEqual([]);
    expect(ok).toBe(true);
    expect(steps.map((s) => s.step)).toEqual([...E2E_STEPS]);
    for (const s of steps) expect(s.seconds).toBeGreaterThanOrEqual(0);
    expect(steps.find((s) => s.step === "exchange")!.detail).toMatch(/^Entra issued an access token for https:\/\/management\.azure\.com/);
    expect(steps.find((s) => s.step === "rotate")!.detail).toMatch(/^old key: Entra issued .*; new key: Entra issued /);
    expect(steps.find((s) => s.step === "nothing-left")!.detail).toBe("resource group rg-entra-wif-e2e gone; no soft-deleted vault kv-entrawif-0a1b2c3d4e5f");
    const report = JSON.parse(fs.readFileSync(path.join(box.root, "report.json"), "utf8"));
    expect(report).toEqual({ stack: STACK, ok: true, steps });
    // Beside it, the times this tenant took, as a latency table the bench takes (the stand-in's account: 31 s).
    const latencies = JSON.parse(fs.readFileSync(path.join(box.root, "report.latencies.json"), "utf8"));
    expect(latencies["azure-native:storage:StorageAccount"]).toMatchObject({ create: 31, source: expect.stringMatching(/^measured by npm run e2e/) });
    expect(latencyTableProblems(latencies, Object.keys(PROVIDER_RULES))).toEqual([]);
    // The first up, the rotation and the destroy were logged.
    expect(
        box
            .calls()
            .filter((c) => c.includes("--event-log"))
            .map((c) => c.split(" ")[1]),
    ).toEqual(["up", "up", "destroy"]);
    const calls = box.calls();
    // The rotation adds a key after the current ones, then updates; the exchanges post the old and the new key's token.
    expect(calls).toContain(`pulumi config set --path signingKey.keys[0] initial --stack ${STACK}`);
    expect(calls).toContain(`pulumi config set --path signingKey.keys[1] ${ROTATION_KEY} --stack ${STACK}`);
    expect(calls.filter((c) => c.startsWith("pulumi up"))).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith("pulumi destroy"))).toHaveLength(2);
    const assertions = entra.requests.map((r) => r.form.client_assertion);
    expect(assertions).toEqual([
        fs.readFileSync(path.join(box.root, "old.jwt"), "utf8"),
        fs.readFileSync(path.join(box.root, "old.jwt"), "utf8"),
        fs.readFileSync(path.join(box.root, "new.jwt"), "utf8"),
    ]);
}, 60000);

test("in a GitHub Actions job signed in by federation, az is signed in again with a fresh GitHub token before every later step", async () => {
    tools();
    const idTokenPath = "/_apis/pipelines/idtoken?api-version=2.0";
    const withAudience = `${idTokenPath}&audience=${encodeURIComponent(ENTRA_TOKEN_EXCHANGE_AUDIENCE)}`;
    entra.documents[withAudience] = JSON.stringify({ value: "github-oidc-token" });
    const job = {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${entra.authority.replace(/\/$/, "")}${idTokenPath}`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runtime-bearer",
        ARM_CLIENT_ID: CLIENT_ID,
        ARM_TENANT_ID: TENANT,
        ARM_SUBSCRIPTION_ID: "00000000-1111-4222-8333-444444444444",
    };
    Object.assign(process.env, job);
    try {
        const { ok } = await e2e();
        expect(ok).toBe(true);
    } finally {
        for (const k of Object.keys(job)) delete process.env[k];
        delete entra.documents[withAudience];
    }
    const calls = box.calls();
    const login =
        `az login --service-principal --username ${CLIENT_ID} --tenant ${TENANT} ` + "--federated-token github-oidc-token --allow-no-subscriptions -o none";
    // Once before each step after the preflight: the late ones (destroy, nothing-left, up-again) come an hour in.
    expect(calls.filter((c) => c === login)).toHaveLength(E2E_STEPS.length - 1);
    expect(calls.indexOf(login)).toBeLessThan(calls.findIndex((c) => c.startsWith("pulumi destroy")));
    expect(calls).toContain("az account set --subscription 00000000-1111-4222-8333-444444444444");
    const asked = entra.gets.filter((g) => g.path === withAudience);
    expect(asked.length).toBe(E2E_STEPS.length - 1);
    expect(asked.every((g) => g.authorization === "bearer runtime-bearer")).toBe(true);
}, 60000);

test("outside such a job nothing is signed in again", async () => {
    tools();
    expect(await renewAzureSignIn({})).toBeUndefined();
    expect(box.calls()).toEqual([]);
});

test("--keep stops before the final destroy", async () => {
    tools();
    const { ok, steps } = await e2e(["--keep"]);
    expect(ok).toBe(true);
    expect(steps.at(-1)).toMatchObject({ step: "final-destroy", ok: true, detail: "kept (--keep)" });
    expect(box.calls().filter((c) => c.startsWith("pulumi destroy"))).toHaveLength(1);
}, 60000);

const failures: Array<[E2eStep, RegExp, boolean]> = [
    ["preflight", /docker info \(the Docker daemon\) failed.*Cannot connect to the Docker daemon/s, false],
    ["up", /pulumi up failed \(exit 255\):\s*error: update failed/s, true],
    ["sample", /the sample reading the secret failed.*the sample has not read the secret in 15 minutes/s, true],
    ["exchange", /entra-exchange: Entra refused the exchange: AADSTS700213/, true],
    ["rotate", /pulumi config set failed.*could not save the config/s, true],
    ["destroy", /pulumi destroy failed \(exit 255\):\s*error: destroy failed: 409 Conflict/s, true],
    ["nothing-left", /left in the subscription after pulumi destroy: the resource group rg-entra-wif-e2e/, false],
    ["up-again", /pulumi up \(again\) failed/, true],
    ["final-destroy", /pulumi destroy failed \(exit 255\)/, true],
];

test.each(failures)(
    "a failure at %s stops the run there, with the step's diagnosis, and destroys what it made",
    async (step, diagnosis, cleans) => {
        tools(step);
        const { ok, steps } = await e2e();
        expect(ok).toBe(false);
        const failed = steps.filter((s) => !s.ok);
        expect(failed.map((s) => s.step)).toEqual([step]);
        expect(failed[0].detail).toMatch(diagnosis);
        // Nothing after the failing step ran.
        const ran = steps.map((s) => s.step).filter((s) => s !== "cleanup");
        expect(ran).toEqual(E2E_STEPS.slice(0, E2E_STEPS.indexOf(step) + 1));
        if (cleans) expect(steps.at(-1)).toMatchObject({ step: "cleanup", ok: true, detail: "destroyed what the run made" });
        else expect(steps.some((s) => s.step === "cleanup")).toBe(false);
    },
    60000,
);

test("arguments: a stack is required, and its stack file must exist", async () => {
    expect(() => parseE2eArgs([])).toThrow(/give --stack <name>/);
    expect(() => parseE2eArgs(["--stack", "a b"])).toThrow(/--stack is a stack name/);
    tools();
    const { steps } = await runE2e(parseE2eArgs(["--stack", "no-such-stack", "--report", path.join(box.root, "r.json")]));
    expect(steps).toEqual([
        expect.objectContaining({ step: "preflight", ok: false, detail: expect.stringMatching(/no Pulumi\.no-such-stack\.yaml: copy a stack file/) }),
    ]);
});
