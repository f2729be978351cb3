// A relying party reading the issuer the way Entra ID does, in its own process so that it trusts the test
// certificate through NODE_EXTRA_CA_CERTS (read only at process start) and imports the ESM-only clients
// natively. It serves a test file's whole run: one JSON job a line on stdin, one JSON result a line on stdout, in
// order, until stdin ends.
//
//   publish:  upload blobs to storage with @azure/storage-blob (account key), creating the container
//   container: create a container as azure-native's BlobContainer does (its public access level), if it is missing
//   blob:     a blob's content and properties read with the account key (for $web, which Azurite does not serve)
//   service:  the blob service's properties (static website), read with the account key; set first when given
//   replay:   blob creates and deletes in a given order, probing URLs anonymously after each
//   fetch:    anonymous GET; status, Content-Type and body
//   discover: openid-client discovery of an issuer (https only; issuer must match byte for byte)
//   verify:   jose jwtVerify of a token against a remote JWKS, with issuer and audience checks
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";

import { createInterface } from "node:readline";

const jobs = {
    async publish({ blobEndpoint, accountName, accountKey, containerName, access, blobs }) {
        const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountName, accountKey));
        const container = service.getContainerClient(containerName);
        await container.createIfNotExists(access === "blob" ? { access: "blob" } : {});
        for (const blob of blobs) {
            const body = Buffer.from(blob.text, "utf8");
            await container.getBlockBlobClient(blob.blobName).upload(body, body.length, {
                blobHTTPHeaders: { blobContentType: blob.contentType },
            });
        }
        return { ok: true };
    },

    async container({ blobEndpoint, accountName, accountKey, containerName, access }) {
        const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountName, accountKey));
        await service.getContainerClient(containerName).createIfNotExists(access === "blob" ? { access: "blob" } : {});
        return { ok: true };
    },

    async blob({ blobEndpoint, accountName, accountKey, containerName, blobName }) {
        const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountName, accountKey));
        const blob = service.getContainerClient(containerName).getBlockBlobClient(blobName);
        if (!(await blob.exists())) return { ok: true, exists: false };
        const properties = await blob.getProperties();
        const body = (await blob.downloadToBuffer()).toString("utf8");
        return { ok: true, exists: true, contentType: properties.contentType ?? null, cacheControl: properties.cacheControl ?? null, body };
    },

    async service({ blobEndpoint, accountName, accountKey, staticWebsite }) {
        const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountName, accountKey));
        if (staticWebsite) await service.setProperties({ staticWebsite });
        const properties = await service.getProperties();
        return { ok: true, staticWebsite: properties.staticWebsite ?? null };
    },

    // Each step as azure-native's Blob does it (custom_storage_azidentity.go): create uploads the name, overwriting;
    // delete deletes the name. After every step, anonymous GETs of the probe URLs, as Entra would make them then.
    async replay({ blobEndpoint, accountName, accountKey, containerName, steps, probes }) {
        const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(accountName, accountKey));
        const container = service.getContainerClient(containerName);
        const observed = [];
        for (const step of steps) {
            const blob = container.getBlockBlobClient(step.blobName);
            if (step.op === "create") {
                const body = Buffer.from(step.text, "utf8");
                await blob.upload(body, body.length, { blobHTTPHeaders: { blobContentType: step.contentType } });
            } else {
                await blob.deleteIfExists({ deleteSnapshots: "include" });
            }
            const statuses = {};
            for (const url of probes) {
                const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10000) });
                statuses[url] = { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
            }
            observed.push({ step: `${step.op} ${step.blobName}`, statuses });
        }
        return { ok: true, observed };
    },

    async fetch({ url }) {
        const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10000) });
        return {
            status: response.status,
            contentType: response.headers.get("content-type"),
            cacheControl: response.headers.get("cache-control"),
            body: await response.text(),
        };
    },

    async discover({ issuer }) {
        try {
            const config = await client.discovery(new URL(issuer), "api://AzureADTokenExchange", undefined, undefined, { timeout: 10 });
            const metadata = config.serverMetadata();
            return { ok: true, issuer: metadata.issuer, jwks_uri: metadata.jwks_uri, algs: metadata.id_token_signing_alg_values_supported };
        } catch (err) {
            return { ok: false, code: err.code ?? err.name, message: err.message };
        }
    },

    async verify({ jwksUri, token, issuer, audience }) {
        try {
            const jwks = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10000 });
            const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ["RS256", "ES256", "ES384", "ES512"] });
            return { ok: true, payload, protectedHeader };
        } catch (err) {
            return { ok: false, code: err.code ?? err.name, message: err.message };
        }
    },
};

// Jobs run one at a time, in the order they come, so each answer's line is its job's.
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const job = JSON.parse(line);
    const run = jobs[job.action];
    let result;
    try {
        result = run ? await run(job) : { ok: false, message: `unknown action ${job.action}` };
    } catch (err) {
        result = { ok: false, failed: true, message: err.stack ?? String(err) };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
}
