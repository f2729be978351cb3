/**
 * The doctor CLI: checks an issuer, its documents, a token and the federated credentials the way Entra ID will,
 * and says what is wrong in words and in the AADSTS code Entra would answer.
 *
 *   npm run --silent doctor -- --help
 *
 * Exit 0 when every check passes, 1 when one fails, 2 on bad arguments, 3 when it cannot run (a tool it needs, such
 * as the Pulumi CLI for --stack, is missing or fails).
 */
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import { capturedStreams } from "../lib/doctor/capture";
import { AzureEnvironment } from "../lib/config";
import { allPassed, Check, diagnose, DoctorInput, FederatedCredential, formatChecks, HttpGet } from "../lib/doctor";
import { DEFAULT_SCOPES, exchangeCheck, exchangeForm, explainingChecks, HttpPost, LOGIN_AUTHORITIES, tokenEndpoint } from "../lib/doctor/exchange";
import { createHttpGet, createHttpPost } from "../lib/doctor/https";
import { ListedPod, podLabelCheck } from "../lib/doctor/credentials";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../lib/trust/oidc";
import { versionText } from "./version";

export const EXIT = { passed: 0, failed: 1, badArguments: 2, cannotRun: 3 } as const;

const USAGE = `usage: npm run --silent doctor -- --issuer <url> | --stack <name> [options]   (--help explains every flag)`;

/** Every flag, as --help prints it and the README's table lists it (a test keeps the two and the parser in step). */
export const FLAGS: ReadonlyArray<[flag: string, meaning: string]> = [
    ["--issuer <url>", "The issuer URL, byte for byte as the federated credentials hold it (trailing slash included)."],
    [
        "--stack <name>",
        "Read the issuer, the published public keys and the federated credentials from the stack's outputs " +
            "(runs `pulumi stack output --json`; needs the Pulumi CLI), and with issuer.customUrl where the documents are stored " +
            "(documentsOriginUrl, as --served-from). Instead of, or besides, --issuer.",
    ],
    [
        "--served-from <url>",
        "Where the documents are stored when a CDN or custom domain serves the issuer (issuer.customUrl): read them there, " +
            "then compare what the issuer's host serves; a host not serving them yet is a warning, other documents a failure.",
    ],
    ["--public-key <file>", "A PEM public key the JWKS must publish (repeatable), e.g. the cluster's sa.pub."],
    ["--public-keys-env <VAR>", "An environment variable holding PEM public keys (concatenated): how the issuer check of `pulumi up` passes them."],
    ["--token-file <file>", "A service-account token to check as Entra will: kid, signature, iss, aud, sub, exp and nbf."],
    ["--subject <sub>", "The subject the token must carry and a federated credential must match: system:serviceaccount:<namespace>:<name>."],
    ["--mint", "Mint the token with `kubectl create token` for --subject, with the audience Entra expects (needs kubectl)."],
    ["--context <ctx>", "The kubeconfig context --mint uses (the current context otherwise)."],
    [
        "--exchange",
        "Ask Entra itself: post the token as a client assertion to <authority><tenant>/oauth2/v2.0/token, " +
            "as azure-identity's workload identity credential does. " +
            "Needs a token (--token-file or --mint), --client-id and --tenant-id (or --stack with --subject). " +
            "Prints only the access token's audience and expiry.",
    ],
    [
        "--client-id <id>",
        "For --exchange: the workload identity's client id (its service account's azure.workload.identity/client-id). " +
            "From the stack with --stack and --subject.",
    ],
    ["--tenant-id <tenant>", "For --exchange: the tenant id. From the stack with --stack."],
    [
        "--cloud <name>",
        "For --exchange: AzurePublicCloud (default), AzureUSGovernmentCloud or AzureChinaCloud, as webhook.azureEnvironment names them; " +
            "decides the default --authority and --scope. From the stack with --stack.",
    ],
    ["--authority <url>", "For --exchange: Entra's sign-in host, the cloud's by default (https://login.microsoftonline.com/ for the public cloud)."],
    ["--scope <scope>", "For --exchange: the scope asked for, the cloud's Azure Resource Manager by default (https://management.azure.com/.default)."],
    ["--endpoints-only", "Check only the discovery document and the JWKS (no token, no credentials): what `pulumi up` runs after publishing."],
    [
        "--wait <seconds>",
        "Retry until every check passes or this many seconds (at most 900) have passed: for documents still propagating. " +
            "Each retry is reported on stderr.",
    ],
    ["--json", 'Print the checks as JSON ({"checks": [...]}) instead of text.'],
    ["--help, -h", "Print this help and exit 0."],
    ["--version", "Print entra-wif's version and exit 0."],
];

export function helpText(): string {
    const width = Math.max(...FLAGS.map(([f]) => f.length));
    return [
        "The doctor: checks an issuer, its documents, a token and the federated credentials the way Entra ID will,",
        "and says what is wrong, how to fix it and which AADSTS code Entra would answer.",
        "",
        USAGE,
        "",
        ...FLAGS.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`),
        "",
        "examples:",
        "  npm run --silent doctor -- --stack dev",
        "  npm run --silent doctor -- --stack dev --mint --subject system:serviceaccount:demo:workload-sa --context kind-entra-wif-dev",
        "  npm run --silent doctor -- --issuer https://<account>.blob.core.windows.net/oidc/ --public-key sa.pub --token-file token",
        "  npm run --silent doctor -- --stack dev --subject system:serviceaccount:demo:workload-sa --mint --exchange",
        "",
        `exit: ${EXIT.passed} every check passed, ${EXIT.failed} a check failed, ${EXIT.badArguments} bad arguments, ` +
            `${EXIT.cannotRun} the doctor could not run (e.g. --stack without the Pulumi CLI)`,
    ].join("\n");
}

class UsageError extends Error {}

/** The doctor cannot run here: a tool it needs is missing or failed. Not the user's arguments, so not exit 2. */
class CannotRunError extends Error {}

export interface DoctorArgs {
    issuer?: string;
    publicKeyFiles: string[];
    /** An environment variable holding public keys (concatenated PEM blocks): how `pulumi up`'s gate passes them. */
    publicKeysEnv?: string;
    /** Public keys given in the call (PEM): how the package's plugin runs the gate in its own process. */
    publicKeys?: string[];
    tokenFile?: string;
    subject?: string;
    mint: boolean;
    context?: string;
    stack?: string;
    endpointsOnly: boolean;
    waitSeconds: number;
    json: boolean;
    /** Ask Entra for an access token with the token (the last link, proven only by Entra). */
    exchange: boolean;
    clientId?: string;
    tenantId?: string;
    cloud?: AzureEnvironment;
    authority?: string;
    scope?: string;
    servedFrom?: string;
    /** Print the help and exit 0. */
    help?: boolean;
    /** Print the version and exit 0. */
    version?: boolean;
}

export function parseArgs(argv: string[]): DoctorArgs {
    const args: DoctorArgs = { publicKeyFiles: [], mint: false, endpointsOnly: false, waitSeconds: 0, json: false, exchange: false };
    const value = (i: number, flag: string) => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        switch (a) {
            case "--help":
            case "-h":
                args.help = true;
                return args;
            case "--version":
                args.version = true;
                return args;
            case "--served-from":
                args.servedFrom = value(i++, a);
                break;
            case "--issuer":
                args.issuer = value(i++, a);
                break;
            case "--public-key":
                args.publicKeyFiles.push(value(i++, a));
                break;
            case "--public-keys-env":
                args.publicKeysEnv = value(i++, a);
                break;
            case "--token-file":
                args.tokenFile = value(i++, a);
                break;
            case "--subject":
                args.subject = value(i++, a);
                break;
            case "--context":
                args.context = value(i++, a);
                break;
            case "--stack":
                args.stack = value(i++, a);
                break;
            case "--wait": {
                const v = value(i++, a);
                if (!/^\d+$/.test(v) || Number(v) > 900) throw new UsageError("--wait takes whole seconds, at most 900");
                args.waitSeconds = Number(v);
                break;
            }
            case "--mint":
                args.mint = true;
                break;
            case "--exchange":
                args.exchange = true;
                break;
            case "--client-id":
                args.clientId = value(i++, a);
                break;
            case "--tenant-id":
                args.tenantId = value(i++, a);
                break;
            case "--authority":
                args.authority = value(i++, a);
                break;
            case "--scope":
                args.scope = value(i++, a);
                break;
            case "--cloud": {
                const v = value(i++, a);
                if (!(v in LOGIN_AUTHORITIES)) throw new UsageError(`--cloud is one of ${Object.keys(LOGIN_AUTHORITIES).join(", ")}`);
                args.cloud = v as AzureEnvironment;
                break;
            }
            case "--endpoints-only":
                args.endpointsOnly = true;
                break;
            case "--json":
                args.json = true;
                break;
            default:
                throw new UsageError(`unknown argument: ${a}`);
        }
    }
    if (!args.issuer && !args.stack) throw new UsageError("give --issuer <url> or --stack <name>");
    if (args.subject !== undefined && !/^system:serviceaccount:[^:]+:[^:]+$/.test(args.subject)) {
        throw new UsageError("--subject is system:serviceaccount:<namespace>:<name>");
    }
    if (args.mint && !args.subject) throw new UsageError("--mint needs --subject (the service account to mint a token for)");
    if (args.subject !== undefined && !args.tokenFile && !args.mint)
        throw new UsageError("--subject is checked against a token: give --token-file <file>, or --mint to have kubectl create one");
    if (args.subject !== undefined && args.endpointsOnly) throw new UsageError("--subject checks a token; --endpoints-only checks none");
    if (args.servedFrom !== undefined && !/^https:\/\/[^/]/.test(args.servedFrom))
        throw new UsageError("--served-from is the https URL the documents are stored at");
    if (args.mint && args.tokenFile) throw new UsageError("give --token-file or --mint, not both");
    if (args.context && !args.mint) throw new UsageError("--context is for --mint");
    for (const [flag, set] of [
        ["--client-id", args.clientId],
        ["--tenant-id", args.tenantId],
        ["--cloud", args.cloud],
        ["--authority", args.authority],
        ["--scope", args.scope],
    ] as const) {
        if (set !== undefined && !args.exchange) throw new UsageError(`${flag} is for --exchange`);
    }
    if (args.exchange) {
        if (args.endpointsOnly) throw new UsageError("--exchange needs a token; --endpoints-only checks none");
        if (!args.tokenFile && !args.mint) throw new UsageError("--exchange needs a token: --token-file <file> or --mint");
        if (!args.clientId && !(args.stack && args.subject))
            throw new UsageError("--exchange needs --client-id <id>, or --stack <name> with --subject to read it from the stack");
        if (!args.tenantId && !args.stack) throw new UsageError("--exchange needs --tenant-id <tenant>, or --stack <name> to read it from the stack");
        if (args.authority !== undefined) {
            let url: URL | undefined;
            try {
                url = new URL(args.authority);
            } catch {
                url = undefined;
            }
            if (!url || url.protocol !== "https:") throw new UsageError("--authority is an https URL, e.g. https://login.microsoftonline.com/");
        }
    }
    return args;
}

function readFile(file: string, what: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
    }
}

/**
 * The public keys in a --public-key file, each checked: the file is named when it holds no key, a certificate, or a
 * private key (never echoed), with what was expected.
 */
export function readPublicKeyFile(file: string): string[] {
    const text = readFile(file, "public key");
    const blocks = splitPemBlocks(text.endsWith("\n") ? text : `${text}\n`);
    const expected = "expected a PEM public key (-----BEGIN PUBLIC KEY-----), as sa.pub or entra-wif's signingPublicKeys hold it";
    if (blocks.length === 0) throw new UsageError(`--public-key ${file}: no PEM block found; ${expected}`);
    return blocks.map((block) => {
        const label = /-----BEGIN ([^-]+)-----/.exec(block)![1];
        if (label === "CERTIFICATE")
            throw new UsageError(`--public-key ${file}: holds a certificate; ${expected} (openssl x509 -in ${file} -pubkey -noout > sa.pub)`);
        if (/PRIVATE KEY/.test(label))
            throw new UsageError(`--public-key ${file}: holds a private key, which the doctor does not read; ${expected} (openssl pkey -in <key> -pubout)`);
        try {
            createPublicKey(block);
        } catch (err) {
            throw new UsageError(`--public-key ${file}: the ${label} block does not parse (${(err as Error).message}); ${expected}`);
        }
        return block;
    });
}

/** The PEM blocks of a concatenation, each with its trailing newline. */
export function splitPemBlocks(text: string): string[] {
    return text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----\n?/g) ?? [];
}

/** What `pulumi stack output --json` holds for the doctor (no secrets are read). */
interface StackOutputs {
    issuer: string;
    /** The storage URL behind a custom issuer URL, when they differ. */
    servedFrom?: string;
    publicKeys: string[];
    federatedCredentials: FederatedCredential[];
    tenantId?: string;
    cloud?: AzureEnvironment;
    workloads: Array<{ subject: string; clientId: string }>;
}

function fromStack(stack: string): StackOutputs {
    let out: string;
    try {
        // The environment passed on explicitly: the PATH searched is the one this process was given.
        out = execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            env: process.env,
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 60000,
        });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            throw new CannotRunError(
                "--stack reads the stack's outputs with the Pulumi CLI, and pulumi is not on the PATH; " +
                    "install it, or pass the issuer yourself with --issuer <url> (and --public-key <file>)",
            );
        }
        const stderr = (err as { stderr?: string }).stderr?.trim();
        throw new CannotRunError(`pulumi stack output --stack ${stack} failed: ${(stderr || (err as Error).message).split("\n")[0]}`);
    }
    const outputs = JSON.parse(out) as Record<string, unknown>;
    if (typeof outputs.issuerUrl !== "string") throw new CannotRunError(`stack ${stack} has no issuerUrl output; run pulumi up first`);
    return {
        issuer: outputs.issuerUrl,
        ...(typeof outputs.documentsOriginUrl === "string" && outputs.documentsOriginUrl !== outputs.issuerUrl
            ? { servedFrom: outputs.documentsOriginUrl }
            : {}),
        publicKeys: Array.isArray(outputs.signingPublicKeys) ? (outputs.signingPublicKeys as string[]) : [],
        federatedCredentials: Array.isArray(outputs.federatedCredentials) ? (outputs.federatedCredentials as FederatedCredential[]) : [],
        tenantId: typeof outputs.tenantId === "string" ? outputs.tenantId : undefined,
        cloud:
            typeof outputs.azureEnvironment === "string" && outputs.azureEnvironment in LOGIN_AUTHORITIES
                ? (outputs.azureEnvironment as AzureEnvironment)
                : undefined,
        workloads: Array.isArray(outputs.workloadIdentities) ? (outputs.workloadIdentities as Array<{ subject: string; clientId: string }>) : [],
    };
}

/** The pods of the subject's service account and their webhook label (lib/doctor/credentials.ts podLabelCheck). */
function podLabels(subject: string, context: string | undefined): Check | undefined {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(subject);
    if (!m) return undefined;
    const args = [...(context ? ["--context", context] : []), "get", "pods", "-n", m[1], "-o", "json"];
    try {
        const listed = JSON.parse(execFileSync("kubectl", args, { encoding: "utf8", env: process.env, stdio: ["ignore", "pipe", "pipe"], timeout: 30000 })) as {
            items: ListedPod[];
        };
        return podLabelCheck(listed.items, m[1], m[2]);
    } catch {
        // Listing pods is a courtesy: the token checks are what the run is for.
        return undefined;
    }
}

/** `kubectl create token`, as the kubelet would project it for Entra. */
function mintToken(subject: string, context: string | undefined): string | Check {
    const [, , namespace, name] = subject.split(":");
    const args = [...(context ? ["--context", context] : []), "create", "token", name, "-n", namespace, "--audience", ENTRA_TOKEN_EXCHANGE_AUDIENCE];
    try {
        return execFileSync("kubectl", args, { encoding: "utf8", env: process.env, stdio: ["ignore", "pipe", "pipe"], timeout: 30000 }).trim();
    } catch (err) {
        const stderr = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        return {
            id: "token-mint",
            ok: false,
            message: `kubectl ${args.join(" ")} failed: ${stderr.split("\n")[0]}`,
            fix: "check the kubeconfig context and that the service account exists",
        };
    }
}

/** The network the doctor uses: anonymous GETs of the documents, and the POST to Entra's token endpoint. */
export interface DoctorNetwork {
    get: HttpGet;
    post: HttpPost;
}

/**
 * The line --wait prints on stderr before each retry: what still fails and how long is left, so neither a user at
 * the doctor nor `pulumi up` running the issuer check sits in silence.
 */
export function waitProgress(checks: Check[], retryMs: number, leftMs: number): string {
    const failing = checks.filter((c) => !c.ok);
    return (
        `doctor: ${failing.length} check${failing.length === 1 ? "" : "s"} failing (${failing.map((c) => c.id).join(", ")}): ` +
        `${failing[0].message}; checking again in ${Math.ceil(retryMs / 1000)} s, ${Math.ceil(leftMs / 1000)} s left`
    );
}

export async function runDoctor(
    args: DoctorArgs,
    sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
    network?: DoctorNetwork,
    progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Check[]> {
    const stack = args.stack ? fromStack(args.stack) : undefined;
    const input: DoctorInput = {
        issuer: args.issuer ?? stack!.issuer,
        publicKeys: [
            ...(stack?.publicKeys ?? []),
            ...args.publicKeyFiles.flatMap(readPublicKeyFile),
            ...(args.publicKeysEnv ? splitPemBlocks(process.env[args.publicKeysEnv] ?? "") : []),
            ...(args.publicKeys ?? []),
        ],
        subject: args.subject,
        federatedCredentials: stack?.federatedCredentials,
        ...((args.servedFrom ?? stack?.servedFrom) ? { servedFrom: args.servedFrom ?? stack?.servedFrom } : {}),
    };
    const exchange = args.exchange ? exchangeTarget(args, stack) : undefined;
    const prefix: Check[] = [];
    if (!args.endpointsOnly) {
        if (args.tokenFile) input.token = readFile(args.tokenFile, "token file").trim();
        if (args.mint) {
            const minted = mintToken(args.subject!, args.context);
            if (typeof minted === "string") input.token = minted;
            else prefix.push(minted);
            // Where the doctor sees the cluster: are the workload's pods labelled for the webhook?
            const labels = podLabels(args.subject!, args.context);
            if (labels) prefix.push(labels);
        }
    }
    const get = network?.get ?? createHttpGet();
    const deadline = Date.now() + args.waitSeconds * 1000;
    let checks: Check[];
    for (;;) {
        checks = [...prefix, ...(await diagnose(input, get))];
        // Retry only while the documents may still be propagating; a token or a config mistake will not heal.
        if (allPassed(checks) || Date.now() >= deadline) break;
        const retryMs = Math.min(5000, Math.max(0, deadline - Date.now()));
        progress(waitProgress(checks, retryMs, deadline - Date.now()));
        await sleep(retryMs);
    }
    if (!exchange || input.token === undefined) return checks;
    // Entra's own answer comes first; the offline checks after it say why, when they can.
    const endpoint = tokenEndpoint(exchange.authority, exchange.tenantId);
    const post = network?.post ?? createHttpPost();
    let response: Awaited<ReturnType<HttpPost>> | Error;
    try {
        response = await post(endpoint, exchangeForm({ token: input.token, clientId: exchange.clientId, scope: exchange.scope }));
    } catch (err) {
        response = err instanceof Error ? err : new Error(String(err));
    }
    const { check, codes } = exchangeCheck(response, endpoint);
    if (!check.ok) {
        const explainedBy = explainingChecks(codes, checks);
        check.message +=
            explainedBy.length > 0
                ? ` — explained by the failed check${explainedBy.length > 1 ? "s" : ""} below: ${explainedBy.join(", ")}`
                : codes.length > 0
                  ? " — no offline check below fails for it: the identity, the tenant or the request is wrong, not the issuer or the token"
                  : "";
    }
    return [check, ...checks];
}

/** Where and as whom to exchange: flags first, then the stack's outputs, then the cloud's defaults. */
function exchangeTarget(args: DoctorArgs, stack: StackOutputs | undefined): { authority: string; tenantId: string; clientId: string; scope: string } {
    const cloud = args.cloud ?? stack?.cloud ?? "AzurePublicCloud";
    const clientId = args.clientId ?? stack?.workloads.find((w) => w.subject === args.subject)?.clientId;
    if (!clientId) throw new CannotRunError(`stack ${args.stack} has no workload with subject ${args.subject} (workloadIdentities output); give --client-id`);
    const tenantId = args.tenantId ?? stack?.tenantId;
    if (!tenantId) throw new CannotRunError(`stack ${args.stack} has no tenantId output; give --tenant-id`);
    return { authority: args.authority ?? LOGIN_AUTHORITIES[cloud], tenantId, clientId, scope: args.scope ?? DEFAULT_SCOPES[cloud] };
}

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
    let args: DoctorArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        err.write(`${(e as Error).message}\n${USAGE}\n`);
        return EXIT.badArguments;
    }
    if (args.help || args.version) {
        await new Promise<void>((resolve) => out.write(`${args.help ? helpText() : versionText()}\n`, () => resolve()));
        return EXIT.passed;
    }
    let checks: Check[];
    try {
        checks = await runDoctor(args, undefined, undefined, (line) => err.write(`${line}\n`));
    } catch (e) {
        if (e instanceof UsageError) {
            err.write(`${e.message}\n${USAGE}\n`);
            return EXIT.badArguments;
        }
        if (e instanceof CannotRunError) {
            err.write(`doctor: ${e.message}\n`);
            return EXIT.cannotRun;
        }
        throw e;
    }
    const text = args.json ? `${JSON.stringify({ checks })}\n` : `${formatChecks(checks)}\n`;
    // A pipe is asynchronous: exit only once the report is flushed.
    await new Promise<void>((resolve) => out.write(text, () => resolve()));
    return allPassed(checks) ? EXIT.passed : EXIT.failed;
}

/** The CLI run in this process with its output captured: how the e2e test and the tests call it. */
export async function runDoctorCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { out, err, text } = capturedStreams();
    const code = await main(argv, out, err);
    return { code, ...text() };
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`doctor failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(EXIT.cannotRun);
        },
    );
}
