/**
 * A git host for `pulumi package add <git URL>@<tag>` in the engine tier: this checkout's files (tracked, and new ones
 * git does not ignore, so what is tested is the working tree, as the engine tier runs it) committed to a fresh
 * repository and tagged v<package.json version>, as a release of the package is tagged, served read-only over HTTPS
 * (the CLI speaks https only: sdk/go/common/workspace plugins.go parsePluginSpecFromURL) on 127.0.0.1 with a throwaway
 * self-signed certificate. Git's smart HTTP protocol is git's own `git http-backend`, run as CGI per request (git's
 * documented contract: GIT_PROJECT_ROOT, GIT_HTTP_EXPORT_ALL, PATH_INFO, QUERY_STRING, REQUEST_METHOD, CONTENT_TYPE);
 * it serves fetches only (receive-pack needs an authenticated user). Stopped with the returned function.
 *
 * The repository has a host name, as github.com is, not 127.0.0.1:PORT: `pulumi package add` (v3.276.0) names the
 * package's plugin after the URL and records it in Pulumi.yaml by that name, which with a port holds a colon; the CLI
 * then takes it for a local path and stops on a nil file (pkg/cmd/pulumi/packagecmd package_add.go: os.Stat's error
 * ignored when the file does not exist). So clients reach GIT_HOST_NAME through an HTTPS proxy of the host's
 * (HTTPS_PROXY, which Go's net/http and so the CLI's git client honour): CONNECT to GIT_HOST_NAME:443 reaches the git
 * server, any other CONNECT (npm's, to its registry) is tunnelled where it asks.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../goBuild";
import { freePort, selfSignedCertificate } from "./azurite";

/** The git host's name, under .test (RFC 2606: never a real one); only the proxy knows it. */
export const GIT_HOST_NAME = "git.entra-wif.test";

export interface GitHost {
    /** https://git.entra-wif.test/<owner>/<repo> — the repository's URL as a user writes it (no .git). */
    repoUrl: string;
    /** http://127.0.0.1:PORT — give it to the CLI as HTTPS_PROXY. */
    proxyUrl: string;
    /** The tag the checkout's files are committed under: v<package.json version>. */
    tag: string;
    /** The commit the tag names. */
    commit: string;
    /** PEM of the certificate: give it to Go clients (the CLI) as SSL_CERT_FILE. */
    caFile: string;
    stop(): Promise<void>;
}

const git = (cwd: string, args: string[]) =>
    execFileSync("git", args, {
        cwd,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: {
            ...process.env,
            GIT_AUTHOR_NAME: "entra-wif tests",
            GIT_AUTHOR_EMAIL: "tests@entra-wif.invalid",
            GIT_COMMITTER_NAME: "entra-wif tests",
            GIT_COMMITTER_EMAIL: "tests@entra-wif.invalid",
        },
    }).trim();

/** The checkout's files at a tag, in a bare repository under `root`/<owner>/<repo>.git. */
export function tagCheckout(root: string, owner: string, repo: string): { tag: string; commit: string } {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-release-"));
    try {
        const listed = git(REPO_ROOT, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).split("\0");
        for (const file of listed.filter((f) => f !== "" && fs.existsSync(path.join(REPO_ROOT, f)))) {
            const to = path.join(work, file);
            fs.mkdirSync(path.dirname(to), { recursive: true });
            fs.copyFileSync(path.join(REPO_ROOT, file), to);
            fs.chmodSync(to, fs.statSync(path.join(REPO_ROOT, file)).mode & 0o777);
        }
        const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version as string;
        const tag = `v${version}`;
        git(work, ["init", "-q", "-b", "main"]);
        git(work, ["add", "-A"]);
        git(work, ["commit", "-q", "-m", `entra-wif ${tag}`]);
        git(work, ["tag", tag]);
        const commit = git(work, ["rev-parse", "HEAD"]);
        fs.mkdirSync(path.join(root, owner), { recursive: true });
        git(root, ["clone", "-q", "--bare", work, path.join(owner, `${repo}.git`)]);
        return { tag, commit };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Answers one request with `git http-backend` (CGI): the request body on its stdin, its headers and body back. */
function serveWithHttpBackend(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const backend = spawn("git", ["http-backend"], {
        env: {
            PATH: process.env.PATH,
            GIT_PROJECT_ROOT: root,
            GIT_HTTP_EXPORT_ALL: "1",
            REQUEST_METHOD: req.method ?? "GET",
            PATH_INFO: decodeURIComponent(url.pathname),
            QUERY_STRING: url.search.replace(/^\?/, ""),
            CONTENT_TYPE: req.headers["content-type"] ?? "",
            ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
            ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) } : {}),
            ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
            REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
        },
        stdio: ["pipe", "pipe", "pipe"],
    });
    req.pipe(backend.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    let stderr = "";
    backend.stderr.on("data", (d) => (stderr += d));
    backend.stdout.on("data", (chunk: Buffer) => {
        if (headersDone) {
            res.write(chunk);
            return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
            const colon = line.indexOf(":");
            const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
            if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
            else if (name) res.setHeader(name, value);
        }
        res.statusCode = status;
        res.write(head.subarray(end + 4));
    });
    backend.on("close", (code) => {
        if (!headersDone) {
            res.statusCode = 500;
            res.write(`git http-backend exited ${code}: ${stderr}`);
        }
        res.end();
    });
}

/** An HTTPS proxy (CONNECT only): GIT_HOST_NAME:443 goes to `gitPort` on 127.0.0.1, anything else where it asks. */
function connectProxy(gitPort: number): { proxy: http.Server; tunnels: Set<net.Socket> } {
    const tunnels = new Set<net.Socket>();
    const proxy = http.createServer((_req, res) => {
        res.statusCode = 405;
        res.end("CONNECT only\n");
    });
    proxy.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        const [host, port] = (req.url ?? "").split(":");
        const target = host === GIT_HOST_NAME ? { host: "127.0.0.1", port: gitPort } : { host, port: Number(port || 443) };
        tunnels.add(client);
        client.on("close", () => tunnels.delete(client));
        const upstream = net.connect(target.port, target.host, () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        const close = () => {
            upstream.destroy();
            client.destroy();
        };
        upstream.on("error", () => {
            if (!client.destroyed) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
            close();
        });
        client.on("error", close);
    });
    return { proxy, tunnels };
}

function listen(server: net.Server, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
    });
}

/** Tags the checkout as <owner>/<repo> and serves it, with its proxy, until stopped. */
export async function startGitHost(owner = "contoso", repo = "entra-wif"): Promise<GitHost> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-git-"));
    const { cert, key } = selfSignedCertificate(root, [GIT_HOST_NAME]);
    const { tag, commit } = tagCheckout(root, owner, repo);
    const [gitPort, proxyPort] = [await freePort(), await freePort()];
    const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => serveWithHttpBackend(root, req, res));
    const { proxy, tunnels } = connectProxy(gitPort);
    await listen(server, gitPort);
    await listen(proxy, proxyPort);
    const close = (s: http.Server) =>
        new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
        });
    return {
        repoUrl: `https://${GIT_HOST_NAME}/${owner}/${repo}`,
        proxyUrl: `http://127.0.0.1:${proxyPort}`,
        tag,
        commit,
        caFile: cert,
        stop: async () => {
            for (const socket of tunnels) socket.destroy();
            await Promise.all([close(proxy), close(server)]);
            fs.rmSync(root, { recursive: true, force: true });
        },
    };
}
