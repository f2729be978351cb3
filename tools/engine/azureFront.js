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
 * - A data-role grant that takes time to reach storage, when a delay is given: for that long after an account's first
 *   request with a bearer token, such requests are answered as Azure answers a grant not yet effective, 403
 *   AuthorizationPermissionMismatch ("This request is not authorized to perform this operation using this
 *   permission."); shared-key and anonymous requests pass.
 *
 *   node azureFront.js <azurite origin> <account key> <cert.pem> <key.pem> [grant delay ms]   (prints "<blob port> <web port>")
 */
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");

const [origin, accountKey, cert, key, grantDelay] = process.argv.slice(2);
const grantDelayMs = Number(grantDelay ?? 0);
/** When each account first saw a bearer token. */
const firstBearer = new Map();
const tlsOptions = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
const upstream = new URL(origin);

const blob = https.createServer(tlsOptions, (req, res) => {
    if (grantDelayMs > 0 && /^Bearer /i.test(req.headers.authorization ?? "")) {
        const account = new URL(req.url, "https://127.0.0.1").pathname.split("/")[1];
        if (!firstBearer.has(account)) firstBearer.set(account, Date.now());
        if (Date.now() - firstBearer.get(account) < grantDelayMs) {
            req.resume();
            res.writeHead(403, { "content-type": "application/xml", "x-ms-error-code": "AuthorizationPermissionMismatch" });
            return res.end(
                '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code>' +
                    "<Message>This request is not authorized to perform this operation using this permission.</Message></Error>",
            );
        }
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

blob.listen(0, "127.0.0.1", () => web.listen(0, "127.0.0.1", () => process.stdout.write(`${blob.address().port} ${web.address().port}\n`)));
