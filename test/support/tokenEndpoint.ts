/**
 * A local stand-in of Entra's token endpoint (`<authority><tenant>/oauth2/v2.0/token`) over HTTPS with a throwaway
 * certificate, on 127.0.0.1 and a free port: it records each request and answers as a test says — Entra's JSON
 * success or error shape, something that is not JSON, or nothing at all (a timeout). It also serves GETs of the
 * documents a test puts in `documents`, so one local host can be both the issuer and Entra for the doctor CLI.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { selfSignedCertificate } from "../../tools/engine/azurite";

export interface RecordedRequest {
    method: string;
    path: string;
    contentType: string | undefined;
    form: Record<string, string>;
}

export type Answer = { status: number; contentType?: string; body: string } | "hang";

export interface TokenEndpoint {
    /** e.g. https://127.0.0.1:PORT/ — what --authority takes. */
    authority: string;
    /** PEM of the certificate the stand-in serves. */
    ca: string;
    requests: RecordedRequest[];
    answer: (request: RecordedRequest) => Answer;
    /** Path → document, served to anonymous GETs as application/json. */
    documents: Record<string, string>;
    /** Every GET, with its Authorization header. */
    gets: Array<{ path: string; authorization: string | undefined }>;
    stop(): Promise<void>;
}

export async function startTokenEndpoint(): Promise<TokenEndpoint> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-token-"));
    const { cert, key } = selfSignedCertificate(dir);
    const sockets = new Set<{ destroy(): void }>();
    const endpoint: TokenEndpoint = {
        authority: "",
        ca: fs.readFileSync(cert, "utf8"),
        requests: [],
        answer: () => ({ status: 500, body: "{}" }),
        documents: {},
        gets: [],
        stop: async () => {
            for (const s of sockets) s.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
    const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            if (req.method === "GET") {
                endpoint.gets.push({ path: req.url ?? "", authorization: req.headers.authorization });
                const doc = endpoint.documents[req.url ?? ""];
                res.writeHead(doc === undefined ? 404 : 200, { "content-type": "application/json" });
                res.end(doc ?? "{}");
                return;
            }
            const recorded: RecordedRequest = {
                method: req.method ?? "",
                path: req.url ?? "",
                contentType: req.headers["content-type"],
                form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))),
            };
            endpoint.requests.push(recorded);
            const answer = endpoint.answer(recorded);
            if (answer === "hang") return;
            res.writeHead(answer.status, { "content-type": answer.contentType ?? "application/json; charset=utf-8" });
            res.end(answer.body);
        });
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    endpoint.authority = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
    return endpoint;
}

/** Entra's error answer, in its JSON shape (error, error_description with trace and correlation ids, error_codes). */
export function entraError(code: number, description: string, error = "invalid_request"): Answer {
    return {
        status: code === 700016 || code === 90002 ? 400 : 401,
        body: JSON.stringify({
            error,
            error_description:
                `AADSTS${code}: ${description} Trace ID: 0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d ` +
                "Correlation ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9 Timestamp: 2026-12-01 21:00:00Z",
            error_codes: [code],
            timestamp: "2026-12-01 21:00:00Z",
            trace_id: "0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            correlation_id: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
            error_uri: `https://login.microsoftonline.com/error?code=${code}`,
        }),
    };
}
