/**
 * Azure Storage's public endpoints in front of Azurite, where the emulator answers differently from Azure:
 *
 * - The blob endpoint: every request is passed to Azurite as it is (shared-key signatures sign the path, not the
 *   host), except that an anonymous read Azurite refuses with 403 AuthorizationFailure (its answer for a container
 *   that does not exist or is not public) is answered as Azure answers it, 404 ResourceNotFound ("The specified
 *   resource does not exist."): Azure does not tell anonymous callers whether a private container exists.
 * - The static website endpoint, which Azurite does not have: an anonymous GET of /<account>/<path> answers the blob
 *   $web/<path> with its content type and cache control while the account's static website is enabled, and 404
 *   otherwise, whatever $web's access level (Microsoft Learn, "Static website hosting in Azure Storage").
 *
 * - Azure RBAC for bearer tokens, as Azure answers a caller without an effective data role: 403
 *   AuthorizationPermissionMismatch ("This request is not authorized to perform this operation using this
 *   permission."). With ENTRA_WIF_FRONT_GRANTS (a folder where the stand-in azure-native records each role assignment
 *   on a storage scope, with the moment it becomes effective), a request on a container passes only for the token's
 *   principal (its oid) holding Storage Blob Data Contributor on that container or its account, once effective;
 *   requests on the blob service itself (Set Blob Service Properties) pass, as for a Contributor on the account.
 *   Without it, bearer tokens pass. Shared-key and anonymous requests pass either way.
 *
 * - The two Azure Resource Manager calls the deployer's preflight makes (lib/entra/preflight.ts), answered from the
 *   JSON file named by ENTRA_WIF_FRONT_ARM_ANSWERS when it exists ({permissions, policy, groups}), else as for an
 *   Owner in a tenant without Deny policies: Permissions - List ({value: [{actions: ["*"], notActions: []}]}) and
 *   Policy Restrictions - Check ({fieldRestrictions: [], contentEvaluationResult: {policyEvaluations: []}}); a
 *   resource group is 404 unless `groups` lists it; `permissionsStatus` 403 answers Permissions - List as ARM refuses
 *   a caller without read rights. A request without a bearer token is 401, as ARM answers it. Each
 *   call is appended to arm-calls.jsonl beside the answers file.
 *
 *   node azureFront.js <azurite origin> <account key> <cert.pem> <key.pem>
 *   (prints "<blob port> <web port> <arm port>")
 */
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");

const path = require("node:path");
const [origin, accountKey, cert, key] = process.argv.slice(2);
const tlsOptions = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
const upstream = new URL(origin);

/** Storage Blob Data Contributor (Azure built-in roles). */
const BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/**
 * Whether the token's principal holds an effective data role on the container of the request: granted on the
 * container, its account, or the account's resource group (Azure RBAC inherits down the scopes). The stand-in
 * azure-native records the grants and which group each account is in (tools/engine/standins/providers.ts).
 */
function granted(grantsDir, authorization, account, container) {
    let oid;
    try {
        oid = JSON.parse(Buffer.from(authorization.replace(/^Bearer /i, "").split(".")[1], "base64url").toString()).oid;
    } catch {
        return false;
    }
    const groupFile = path.join(grantsDir, "accounts", account);
    const group = fs.existsSync(groupFile) ? fs.readFileSync(groupFile, "utf8") : undefined;
    const files = fs.existsSync(grantsDir) ? fs.readdirSync(grantsDir).filter((f) => f.endsWith(".json")) : [];
    return files.some((f) => {
        const g = JSON.parse(fs.readFileSync(path.join(grantsDir, f), "utf8"));
        const scope = String(g.scope).toLowerCase();
        const covers =
            (group !== undefined && scope.endsWith(`/resourcegroups/${group}`.toLowerCase())) ||
            scope.endsWith(`/storageaccounts/${account}`.toLowerCase()) ||
            scope.endsWith(`/storageaccounts/${account}/blobservices/default/containers/${container}`.toLowerCase());
        return covers && g.principalId === oid && String(g.roleDefinitionId).toLowerCase().endsWith(BLOB_DATA_CONTRIBUTOR) && Date.now() >= g.effectiveAt;
    });
}

const blob = https.createServer(tlsOptions, (req, res) => {
    const bearer = /^Bearer /i.test(req.headers.authorization ?? "");
    const [, account, container] = new URL(req.url, "https://127.0.0.1").pathname.split("/");
    const grants = process.env.ENTRA_WIF_FRONT_GRANTS;
    if (bearer && grants && container && !granted(grants, req.headers.authorization, account, decodeURIComponent(container))) {
        req.resume();
        res.writeHead(403, { "content-type": "application/xml", "x-ms-error-code": "AuthorizationPermissionMismatch" });
        return res.end(
            '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code>' +
                "<Message>This request is not authorized to perform this operation using this permission.</Message></Error>",
        );
    }
    const forward = https.request(
        {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
            ca: tlsOptions.cert,
        },
        (answer) => {
            const anonymous = !req.headers.authorization && !/[?&]sig=/.test(req.url);
            if (anonymous && answer.statusCode === 403 && answer.headers["x-ms-error-code"] === "AuthorizationFailure") {
                answer.resume();
                res.writeHead(404, { "content-type": "application/xml", "x-ms-error-code": "ResourceNotFound" });
                return res.end(
                    '<?xml version="1.0" encoding="utf-8"?><Error><Code>ResourceNotFound</Code>' +
                        "<Message>The specified resource does not exist.</Message></Error>",
                );
            }
            res.writeHead(answer.statusCode, answer.headers);
            answer.pipe(res);
        },
    );
    forward.on("error", (err) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(err));
    });
    req.pipe(forward);
});

const notFound = (res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("The requested content does not exist.");
};
const web = https.createServer(tlsOptions, async (req, res) => {
    try {
        const m = /^\/([a-z0-9]+)\/(.+)$/.exec(new URL(req.url, "https://127.0.0.1").pathname);
        if (!m || req.method !== "GET") return notFound(res);
        const service = new BlobServiceClient(`${origin}${m[1]}`, new StorageSharedKeyCredential(m[1], accountKey));
        const properties = await service.getProperties();
        if (!properties.staticWebsite?.enabled) return notFound(res);
        const client = service.getContainerClient("$web").getBlobClient(decodeURIComponent(m[2]));
        if (!(await client.exists())) return notFound(res);
        const props = await client.getProperties();
        const body = await client.downloadToBuffer();
        res.writeHead(200, {
            "content-type": props.contentType ?? "application/octet-stream",
            ...(props.cacheControl ? { "cache-control": props.cacheControl } : {}),
        });
        res.end(body);
    } catch (err) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(err));
    }
});

const armAnswers = () => {
    const file = process.env.ENTRA_WIF_FRONT_ARM_ANSWERS;
    const given = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    return {
        permissions: given.permissions ?? { value: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }] },
        policy: given.policy ?? { fieldRestrictions: [], contentEvaluationResult: { policyEvaluations: [] } },
        groups: given.groups ?? [],
        // A caller without even read rights there: ARM's 403 with its error body.
        permissionsStatus: given.permissionsStatus ?? 200,
    };
};
const arm = https.createServer(tlsOptions, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
        const url = new URL(req.url, "https://127.0.0.1");
        const file = process.env.ENTRA_WIF_FRONT_ARM_ANSWERS;
        if (file) {
            const call = {
                method: req.method,
                path: url.pathname,
                bearer: /^Bearer \S+/.test(req.headers.authorization ?? ""),
                body: Buffer.concat(chunks).toString(),
            };
            fs.appendFileSync(path.join(path.dirname(file), "arm-calls.jsonl"), JSON.stringify(call) + "\n");
        }
        const json = (status, body) => {
            res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
            res.end(JSON.stringify(body));
        };
        if (!/^Bearer \S+/.test(req.headers.authorization ?? "")) {
            return json(401, { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
        }
        const answers = armAnswers();
        const lower = url.pathname.toLowerCase();
        if (req.method === "GET" && lower.endsWith("/providers/microsoft.authorization/permissions")) {
            return answers.permissionsStatus === 200
                ? json(200, answers.permissions)
                : json(answers.permissionsStatus, {
                      error: {
                          code: "AuthorizationFailed",
                          message: "The client does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.",
                      },
                  });
        }
        if (req.method === "POST" && lower.endsWith("/providers/microsoft.policyinsights/checkpolicyrestrictions")) return json(200, answers.policy);
        const group = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)$/.exec(lower);
        if (req.method === "GET" && group) {
            return answers.groups.map((g) => g.toLowerCase()).includes(group[1])
                ? json(200, { id: url.pathname, name: group[1], location: "westeurope", properties: { provisioningState: "Succeeded" } })
                : json(404, { error: { code: "ResourceGroupNotFound", message: `Resource group '${group[1]}' could not be found.` } });
        }
        json(404, { error: { code: "NoStandIn", message: `the ARM stand-in does not answer ${req.method} ${url.pathname}` } });
    });
});

blob.listen(0, "127.0.0.1", () =>
    web.listen(0, "127.0.0.1", () =>
        arm.listen(0, "127.0.0.1", () => process.stdout.write(`${blob.address().port} ${web.address().port} ${arm.address().port}\n`)),
    ),
);
