/**
 * A stand-in `az` for the one command the deployer's credential runs when nobody set ARM_* variables:
 * `az account get-access-token --output json --resource <resource> [--tenant <id>]` (@azure/identity
 * AzureCliCredential, as azure-native's AzureCLICredential). It answers as the Azure CLI does (accessToken, expiresOn,
 * expires_on, subscription, tenant, tokenType) with an access token shaped as Entra issues them for the signed-in
 * deployer: iss https://sts.windows.net/<tenant>/, aud the resource, oid the deployer's object id (the one
 * getClientConfig reports, tools/offline/mocks.ts), nbf/exp around now. Azurite's `--oauth basic` checks exactly those
 * claims and not the signature (azurite dist/src/blob/authentication/BlobTokenAuthenticator.js), so the documents'
 * writer talks OAuth to a real blob service.
 *
 * Every call is appended to calls.jsonl beside it (the resource and tenant asked for), so tests see that the writer
 * asked for a storage token as the deployer and never for a key. Anything else exits 1 with the CLI's own wording
 * for an unknown command.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MOCK_AZURE } from "../offline/mocks";

/**
 * Writes `az` (or `name`, for a wider stand-in to hand `account get-access-token` to) into `dir`, to be put first on
 * PATH; returns the path of its call log.
 */
export function writeAzureCli(dir: string, name = "az"): string {
    const calls = path.join(dir, "az-calls.jsonl");
    const script = `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
const opt = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
if (args[0] !== "account" || args[1] !== "get-access-token") {
  process.stderr.write("ERROR: '" + args.join(" ") + "' is misspelled or not recognized by the system.\\n");
  process.exit(1);
}
const resource = opt("--resource");
const tenant = opt("--tenant") || ${JSON.stringify(MOCK_AZURE.tenantId)};
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify({ resource, tenant }) + "\\n");
const now = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const claims = { aud: resource, iss: "https://sts.windows.net/" + tenant + "/", iat: now, nbf: now - 60, exp: now + 3600,
  oid: ${JSON.stringify(MOCK_AZURE.objectId)}, tid: tenant, sub: "deployer" };
const accessToken = b64({ typ: "JWT", alg: "RS256", kid: "stand-in" }) + "." + b64(claims) + ".c3RhbmQtaW4";
const expires = new Date((now + 3600) * 1000);
process.stdout.write(JSON.stringify({
  accessToken,
  expiresOn: expires.toISOString().replace("T", " ").replace(/\\..*$/, ".000000"),
  expires_on: now + 3600,
  subscription: ${JSON.stringify(MOCK_AZURE.subscriptionId)},
  tenant,
  tokenType: "Bearer",
}, null, 2) + "\\n");
`;
    fs.writeFileSync(path.join(dir, name), script, { mode: 0o755 });
    return calls;
}

/** The calls the stand-in `az` answered, in order. */
export function azureCliCalls(callLog: string): Array<{ resource: string; tenant: string }> {
    return fs.existsSync(callLog)
        ? fs
              .readFileSync(callLog, "utf8")
              .split("\n")
              .filter((l) => l !== "")
              .map((l) => JSON.parse(l) as { resource: string; tenant: string })
        : [];
}
