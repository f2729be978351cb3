/**
 * A refresh of the issuer documents (lib/trust/issuerDocuments.ts readIssuerDocuments) against real blob storage
 * (Azurite over HTTPS) and a real HTTPS proxy: gone is gone — a blob or a container that is not there, or an account
 * whose host name no longer resolves, reports the documents gone, so refresh drops them and the next `pulumi up`
 * writes them again; any other answer fails, naming the URL, the status and the proxy; and HTTPS_PROXY and NO_PROXY
 * are honoured as the Azure SDKs honour them. Each read runs in a process of its own, as the provider host does, with
 * the environment a user's `pulumi refresh` would have.
 */
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Azurite, azuriteFor } from "../../tools/engine/azurite";
import { startAzureFront } from "../../tools/engine/world";
import type { IssuerDocumentsState } from "../../lib/trust/issuerDocuments";
import { runProcess } from "../support/processes";

const ROOT = path.resolve(__dirname, "..", "..");

let azurite: Azurite;
let front: { pid: number; blob: string };
let state: IssuerDocumentsState;
beforeAll(async () => {
    azurite = await azuriteFor(__filename);
    // Azure's answers where Azurite's differ: a container that does not exist is 404 ResourceNotFound to anonymous
    // readers, not 403 (tools/engine/azureFront.js).
    front = await startAzureFront(azurite, azurite.blobEndpoint.replace(/[^/]+\/$/, ""));
    const blobEndpoint = `${front.blob}${azurite.accountName}/`;
    const publicBaseUrl = `${blobEndpoint}oidc-read/`;
    state = {
        accountName: azurite.accountName,
        blobEndpoint,
        hosting: "blob",
        containerName: "oidc-read",
        publicBaseUrl,
        documents: [{ path: "openid/v1/jwks", text: '{"keys":[]}' }],
        contentType: "application/json",
        cacheControl: "no-cache",
        urls: [`${publicBaseUrl}openid/v1/jwks`],
    };
}, 60000);
afterAll(async () => {
    if (front) process.kill(front.pid, "SIGTERM");
    await azurite?.stop();
});

/**
 * Runs `body` (JavaScript, with `docs` the module, `state`, `key` and `BlobServiceClient`/`StorageSharedKeyCredential`
 * in scope) in a process that trusts Azurite's certificate, with `env`; its result as JSON, or the error's message.
 */
async function inProcess(body: string, env: Record<string, string> = {}): Promise<{ ok: unknown } | { error: string }> {
    const script = [
        'const docs = require("./lib/trust/issuerDocuments");',
        'const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");',
        `const state = ${JSON.stringify(state)}; const key = ${JSON.stringify(azurite.accountKey)};`,
        "const service = () => new BlobServiceClient(state.blobEndpoint, new StorageSharedKeyCredential(state.accountName, key));",
        `(async () => { ${body} })().then((ok) => console.log(JSON.stringify({ ok: ok === undefined ? null : ok })),`,
        "  (e) => console.log(JSON.stringify({ error: e.message })));",
    ].join("\n");
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k)));
    const r = await runProcess(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: ROOT,
        env: { ...clean, NODE_EXTRA_CA_CERTS: azurite.caFile, ...env },
        timeoutMs: 60000,
    });
    if (r.code !== 0) throw new Error(`the read process exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as { ok: unknown } | { error: string };
}

const publish = () =>
    inProcess(`
        await service().getContainerClient(state.containerName).createIfNotExists({ access: "blob" });
        await docs.writeIssuerDocuments({ ...state, auth: "sharedKey", accountKey: key });
    `);
const read = (env: Record<string, string> = {}) => inProcess("return docs.readIssuerDocuments(state);", env);

/** An HTTPS proxy (CONNECT) on 127.0.0.1 that tunnels, or refuses with 403; it records every host it was asked for. */
async function startProxy(refuse = false): Promise<{ url: string; asked: string[]; stop: () => Promise<void> }> {
    const asked: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = http.createServer((_req, res) => res.writeHead(405).end());
    server.on("connect", (req: http.IncomingMessage, socket: net.Socket) => {
        asked.push(req.url!);
        sockets.add(socket);
        if (refuse) {
            socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
            return;
        }
        const [host, port] = req.url!.split(":");
        const upstream = net.connect(Number(port), host, () => {
            sockets.add(upstream);
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.pipe(socket);
            socket.pipe(upstream);
        });
        upstream.on("error", () => socket.destroy());
        socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        asked,
        stop: () =>
            new Promise((resolve) => {
                // Tunnels leave the server's bookkeeping once connected: they are ended here, by hand.
                for (const s of sockets) s.destroy();
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

test("documents served: read as Entra reads them, directly, through HTTPS_PROXY, and past it when NO_PROXY names the host", async () => {
    expect(await publish()).toEqual({ ok: null });
    expect(await read()).toEqual({ ok: { ...state } });
    const proxy = await startProxy();
    try {
        expect(await read({ HTTPS_PROXY: proxy.url })).toEqual({ ok: { ...state } });
        const host = new URL(state.blobEndpoint).host;
        expect(proxy.asked).toEqual([host]);
        // The lower-case form, and NO_PROXY listing the host: straight to the storage.
        expect(await read({ https_proxy: proxy.url, NO_PROXY: "localhost,127.0.0.1" })).toEqual({ ok: { ...state } });
        expect(proxy.asked).toEqual([host]);
    } finally {
        await proxy.stop();
    }
});

test("a proxy that refuses: the refresh fails, naming the URL and the proxy the request went through", async () => {
    const proxy = await startProxy(true);
    try {
        const r = await read({ HTTPS_PROXY: proxy.url });
        // The proxy's own answer reaches the client as the response (https-proxy-agent passes a refused CONNECT's
        // status through): no x-ms-error-code, so the message points at the proxy.
        expect(r).toEqual({
            error:
                `entra-wif: reading ${state.urls[0]} anonymously, as Entra reads it, answered HTTP 403 without Azure Storage's error code ` +
                `(the proxy may have answered), through the proxy ${proxy.url} (HTTPS_PROXY); Entra cannot read the issuer either`,
        });
        expect(proxy.asked.length).toBeGreaterThan(0);
    } finally {
        await proxy.stop();
    }
});

test("a write through a proxy that refuses: fails before anything is written, naming the endpoint and the proxy", async () => {
    const proxy = await startProxy(true);
    try {
        const r = (await inProcess('await docs.writeIssuerDocuments({ ...state, auth: "sharedKey", accountKey: key });', { HTTPS_PROXY: proxy.url })) as {
            error: string;
        };
        expect(r.error).toMatch(
            new RegExp(
                `^entra-wif: writing oidc-read/openid/v1/jwks in storage account ${state.accountName} failed \\(${state.blobEndpoint.replace(/\./g, "\\.")}, ` +
                    `through the proxy ${proxy.url.replace(/\./g, "\\.")} \\(HTTPS_PROXY\\)\\): `,
            ),
        );
        expect(proxy.asked.length).toBeGreaterThan(0);
    } finally {
        await proxy.stop();
    }
});

test("a deployer with no credential at all: the write says who it tried to sign in as and what to set", async () => {
    // No az on PATH, no ARM_* variables: azure-native's last resort, the Azure CLI, is not there.
    const r = (await inProcess("await docs.writeIssuerDocuments({ ...state });", { PATH: path.dirname(process.execPath) })) as { error: string };
    expect(r.error).toMatch(
        new RegExp(
            "^entra-wif: writing oidc-read/openid/v1/jwks in storage account \\S+: the Azure CLI login \\(az login\\) gave no token — " +
                "sign in with `az login`, or set the ARM_\\* variables",
        ),
    );
});

test("gone is gone: a deleted blob, then a deleted container, read as gone (refresh drops them; the next up writes them)", async () => {
    expect(await publish()).toEqual({ ok: null });
    expect(await inProcess('await service().getContainerClient(state.containerName).getBlobClient("openid/v1/jwks").delete();')).toEqual({ ok: null });
    expect(await read()).toEqual({ ok: null });
    expect(await inProcess("await service().getContainerClient(state.containerName).delete();")).toEqual({ ok: null });
    expect(await read()).toEqual({ ok: null });
    // The provider's read answers an empty id: the engine's sign that the resource is gone.
    expect(await inProcess('return docs.issuerDocumentsOperations.read("id", state);')).toEqual({ ok: { id: "", props: {} } });
});

test("an account whose host name no longer resolves: gone; a host that refuses the connection: fails with the cause and no proxy", async () => {
    const unresolvable = { ...state, publicBaseUrl: "https://stgone.invalid/oidc/" };
    expect(await inProcess(`return docs.readIssuerDocuments(${JSON.stringify(unresolvable)});`)).toEqual({ ok: null });
    const refused = { ...state, publicBaseUrl: "https://127.0.0.1:9/oidc/" };
    expect(await inProcess(`return docs.readIssuerDocuments(${JSON.stringify(refused)});`)).toEqual({
        error: "entra-wif: reading https://127.0.0.1:9/oidc/openid/v1/jwks anonymously, as Entra reads it, failed (no proxy): ECONNREFUSED",
    });
});
