/**
 * `npm run e2e -- --stack <name>`: the live lifecycle test, for a sandbox subscription. It runs the cycle users run
 * and reports each step's result and duration, as JSON (--report, by default in the system's temporary folder) and
 * as a summary:
 *
 *   preflight      the tools the cycle needs are on the PATH (pulumi, az, kubectl; docker and kind for a kind stack)
 *   up             pulumi up of the throwaway stack (its Pulumi.<name>.yaml, e.g. a copy of Pulumi.dev.yaml)
 *   sample         the sample pod has read the secret (sampleCommands.waitForSecret, bounded)
 *   exchange       doctor --stack --subject <the sample's> --mint --exchange: Entra itself exchanges the token
 *   rotate         a new signing key is added, pulumi up; during the overlap a token of the old key and one of the
 *                  new key are both exchanged
 *   destroy        pulumi destroy
 *   nothing-left   the resource group is gone, no soft-deleted vault keeps the vault's name, no app registration is left
 *   up-again       pulumi up at once, as the next morning's demo does
 *   final-destroy  pulumi destroy (not with --keep)
 *
 * Beside the report, `<report>.latencies.json`: the time each resource type took in this tenant (from the engine's event
 * logs of the first up, the rotation and the destroy), a latency table for `npm run bench -- --engine`
 * (BENCH_LATENCIES).
 *
 * Any failure stops the run, destroys what it made, and exits 1 with the failing step's diagnosis. Exit 2: bad
 * arguments. Every command is bounded in time. Tested offline with stand-in pulumi, kubectl, kind, docker and az.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as https from "node:https";
import { parseStackConfig } from "../../lib/config";
import { trustedCertificates } from "../../lib/doctor/https";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from "../../lib/trust/oidc";
import { Flag, formatHelp, INFO_FLAGS, infoRequested } from "../cli";
import { runDoctorCli } from "../doctor";
import { loadStackFile } from "../offline/stackFile";
import { measuredLatencies } from "../bench/latencies";
import { readEvents } from "../engine/project";

const ROOT = path.resolve(__dirname, "../..");

export const E2E_STEPS = ["preflight", "up", "sample", "exchange", "rotate", "destroy", "nothing-left", "up-again", "final-destroy"] as const;
export type E2eStep = (typeof E2E_STEPS)[number];

/** The key the rotation adds, after the stack's current ones. */
export const ROTATION_KEY = "e2e-rotated";

/** Bounds, in seconds: a pulumi up of a kind cluster and AKS-sized waits included. */
const LIMITS = { pulumi: 3600, sample: 1200, doctor: 300, az: 120, quick: 60 } as const;

export interface StepResult {
    step: E2eStep | "cleanup";
    ok: boolean;
    seconds: number;
    /** What was shown or, on failure, the diagnosis. */
    detail: string;
}

export interface E2eOptions {
    stack: string;
    keep: boolean;
    report: string;
    /** Entra's host for the exchanges (the cloud's by default); also how the tests reach a local stand-in. */
    authority?: string;
}

class StepFailure extends Error {}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function run(command: string, args: string[], timeoutSeconds: number, input?: string): Run {
    const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: process.env, timeout: timeoutSeconds * 1000, input, maxBuffer: 64 * 1024 * 1024 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT")
        return { code: null, stdout: r.stdout ?? "", stderr: `${command} ${args[0] ?? ""} did not finish in ${timeoutSeconds} s` };
    if (r.error) return { code: null, stdout: "", stderr: r.error.message };
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The last lines of what a failed command said: the diagnosis a user reads first. */
const tail = (text: string, lines = 15) => text.trim().split("\n").slice(-lines).join("\n");

function must(what: string, r: Run): string {
    if (r.code !== 0) throw new StepFailure(`${what} failed${r.code === null ? "" : ` (exit ${r.code})`}:\n${tail(`${r.stdout}\n${r.stderr}`)}`);
    return r.stdout;
}

const pulumi = (stack: string, args: string[], timeout: number = LIMITS.pulumi) => run("pulumi", [...args, "--stack", stack], timeout);

function outputs(stack: string): Record<string, unknown> {
    return JSON.parse(must("pulumi stack output", pulumi(stack, ["stack", "output", "--json"], LIMITS.quick))) as Record<string, unknown>;
}

/** The doctor as a user runs it (its CLI, in this process); its JSON report decides, its text is the diagnosis. */
async function doctor(opts: E2eOptions, args: string[]): Promise<string> {
    const { code, stdout, stderr } = await runDoctorCli([
        "--stack",
        opts.stack,
        ...args,
        "--exchange",
        ...(opts.authority ? ["--authority", opts.authority] : []),
        "--json",
    ]);
    let report: { checks: Array<{ id: string; ok: boolean; message: string; fix?: string; aadsts?: string }> } | undefined;
    try {
        report = JSON.parse(stdout);
    } catch {
        report = undefined;
    }
    if (!report) throw new StepFailure(`the doctor did not report (exit ${code}): ${tail(stderr)}`);
    const failed = report.checks.filter((c) => !c.ok);
    if (code !== 0 || failed.length > 0) {
        throw new StepFailure(
            failed.map((c) => `${c.id}: ${c.message}${c.fix ? ` — fix: ${c.fix}` : ""}${c.aadsts ? ` (${c.aadsts})` : ""}`).join("\n") || tail(stderr),
        );
    }
    return report.checks.find((c) => c.id === "entra-exchange")?.message ?? "exchanged";
}

/** What the stack made, read before it is destroyed, so nothing-left knows what to look for. */
interface Made {
    resourceGroup?: string;
    vault?: string;
    applications: string[];
    subscription?: string;
}

function whatWasMade(out: Record<string, unknown>): Made {
    const identities = (out.identities ?? {}) as Record<string, { type?: string }>;
    return {
        resourceGroup: typeof out.resourceGroupName === "string" ? out.resourceGroupName : undefined,
        vault: typeof out.keyVaultName === "string" ? out.keyVaultName : undefined,
        applications: Object.entries(identities)
            .filter(([, v]) => v.type === "application")
            .map(([name]) => name),
    };
}

function nothingLeft(made: Made): string {
    const left: string[] = [];
    if (made.resourceGroup) {
        const exists = must("az group exists", run("az", ["group", "exists", "--name", made.resourceGroup, "--only-show-errors"], LIMITS.az)).trim();
        if (exists !== "false") left.push(`the resource group ${made.resourceGroup}`);
    }
    if (made.vault) {
        const deleted = run("az", ["keyvault", "show-deleted", "--name", made.vault, "--only-show-errors"], LIMITS.az);
        if (deleted.code === 0) left.push(`the soft-deleted Key Vault ${made.vault} (keeps its name)`);
    }
    for (const app of made.applications) {
        const listed = JSON.parse(
            must("az ad app list", run("az", ["ad", "app", "list", "--display-name", app, "--only-show-errors", "-o", "json"], LIMITS.az)) || "[]",
        ) as unknown[];
        if (listed.length > 0) left.push(`the app registration ${app}`);
    }
    if (left.length > 0) throw new StepFailure(`left in the subscription after pulumi destroy: ${left.join(", ")}`);
    return (
        [
            made.resourceGroup && `resource group ${made.resourceGroup} gone`,
            made.vault && `no soft-deleted vault ${made.vault}`,
            ...made.applications.map((a) => `no app registration ${a}`),
        ]
            .filter(Boolean)
            .join("; ") || "nothing to look for"
    );
}

/** The stack's key names as configured (Pulumi.yaml's default: one key, "initial"). */
function currentKeys(stack: string): string[] {
    const r = pulumi(stack, ["config", "get", "--path", "signingKey.keys", "--json"], LIMITS.quick);
    if (r.code !== 0) return ["initial"];
    try {
        const parsed = JSON.parse(r.stdout) as { value?: string } | string[];
        const value = Array.isArray(parsed) ? parsed : JSON.parse(parsed.value ?? "[]");
        return Array.isArray(value) && value.length > 0 ? value : ["initial"];
    } catch {
        return ["initial"];
    }
}

function mintToFile(out: Record<string, unknown>, subject: string, file: string): void {
    const [, , namespace, name] = subject.split(":");
    const context = typeof out.kubeContext === "string" ? ["--context", out.kubeContext] : [];
    const token = must(
        "kubectl create token",
        run("kubectl", [...context, "create", "token", name, "-n", namespace, "--audience", "api://AzureADTokenExchange"], LIMITS.quick),
    ).trim();
    fs.writeFileSync(file, token, { mode: 0o600 });
}

/** Reads GitHub's OIDC token for Entra: GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=…, bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
function githubIdToken(url: string, bearer: string): Promise<string> {
    const target = new URL(url);
    target.searchParams.set("audience", ENTRA_TOKEN_EXCHANGE_AUDIENCE);
    return new Promise((resolve, reject) => {
        const req = https.get(
            target,
            { ca: trustedCertificates(), timeout: LIMITS.quick * 1000, headers: { authorization: `bearer ${bearer}`, accept: "application/json" } },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const body = Buffer.concat(chunks).toString("utf8");
                    const value = res.statusCode === 200 ? (JSON.parse(body) as { value?: unknown }).value : undefined;
                    if (typeof value === "string" && value !== "") resolve(value);
                    else reject(new StepFailure(`GitHub's OIDC token endpoint answered HTTP ${res.statusCode}; the job needs permissions: id-token: write`));
                });
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`GitHub's OIDC token endpoint did not answer in ${LIMITS.quick} s`)));
        req.on("error", reject);
    });
}

/**
 * In a GitHub Actions job signed in to Azure by federation (azure/login with a client id and ARM_USE_OIDC), signs the
 * Azure CLI in again with a fresh GitHub token. az cannot refresh its session once the federated assertion it was
 * given has expired, about an hour into the job (Azure/azure-cli#28708, Azure/login#180), and the late steps of a run
 * (destroy, nothing-left, up again) come later than that. Pulumi's providers ask GitHub for tokens themselves. Outside
 * such a job it does nothing.
 */
export async function renewAzureSignIn(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const client = env.ARM_CLIENT_ID ?? env.AZURE_CLIENT_ID;
    const tenant = env.ARM_TENANT_ID ?? env.AZURE_TENANT_ID;
    const subscription = env.ARM_SUBSCRIPTION_ID ?? env.AZURE_SUBSCRIPTION_ID;
    if (!url || !bearer || !client || !tenant) return undefined;
    const token = await githubIdToken(url, bearer);
    must(
        "az login (a fresh federated token)",
        run(
            "az",
            ["login", "--service-principal", "--username", client, "--tenant", tenant, "--federated-token", token, "--allow-no-subscriptions", "-o", "none"],
            LIMITS.az,
        ),
    );
    if (subscription) must("az account set", run("az", ["account", "set", "--subscription", subscription], LIMITS.az));
    return client;
}

export async function runE2e(opts: E2eOptions, log: (line: string) => void = () => undefined): Promise<{ ok: boolean; steps: StepResult[] }> {
    const steps: StepResult[] = [];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-e2e-"));
    fs.chmodSync(work, 0o700);
    let made = false;
    let out: Record<string, unknown> = {};
    let subject = "";
    let created: Made = { applications: [] };
    // The engine's event logs of the first up (creates), the rotation (updates) and the destroy (deletes): what each
    // resource took in this tenant, for the bench's latency table (measuredLatencies).
    const eventLogs: Partial<Record<"create" | "update" | "delete", string>> = {};
    const logged = (phase: "create" | "update" | "delete", args: string[]) => {
        eventLogs[phase] = path.join(work, `${phase}.events.jsonl`);
        return [...args, "--event-log", eventLogs[phase]!];
    };

    const step = async (name: E2eStep, body: () => string | Promise<string>): Promise<boolean> => {
        const started = Date.now();
        try {
            // Every step after the first starts with a fresh az sign-in where the job's can expire (renewAzureSignIn).
            if (name !== "preflight") await renewAzureSignIn();
            const detail = await body();
            steps.push({ step: name, ok: true, seconds: (Date.now() - started) / 1000, detail });
            log(`ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${detail}`);
            return true;
        } catch (err) {
            const detail = err instanceof StepFailure ? err.message : `${(err as Error).message}`;
            steps.push({ step: name, ok: false, seconds: (Date.now() - started) / 1000, detail });
            log(`FAIL  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${detail}`);
            return false;
        }
    };

    const sequence: Array<[E2eStep, () => string | Promise<string>]> = [
        [
            "preflight",
            () => {
                const stackFile = path.join(ROOT, `Pulumi.${opts.stack}.yaml`);
                if (!fs.existsSync(stackFile))
                    throw new StepFailure(
                        `no Pulumi.${opts.stack}.yaml: copy a stack file for the throwaway stack, e.g. cp Pulumi.dev.yaml Pulumi.${opts.stack}.yaml`,
                    );
                // The mode as the program reads it (Pulumi.yaml's default applies when the stack file sets none).
                const stack = loadStackFile(stackFile);
                const kindStack = parseStackConfig(stack.config, { stack: stack.stack }).cluster.mode === "kind";
                const tools = ["pulumi", "az", "kubectl", ...(kindStack ? ["docker", "kind"] : [])];
                const missing = tools.filter((t) => run("sh", ["-c", `command -v ${t}`], LIMITS.quick).code !== 0);
                if (missing.length > 0) throw new StepFailure(`not on the PATH: ${missing.join(", ")}`);
                if (kindStack) must("docker info (the Docker daemon)", run("docker", ["info"], LIMITS.quick));
                must("az account show (signed in?)", run("az", ["account", "show", "--only-show-errors", "-o", "none"], LIMITS.az));
                return `${tools.join(", ")} found`;
            },
        ],
        [
            "up",
            () => {
                must("pulumi stack select", run("pulumi", ["stack", "select", "--create", opts.stack], LIMITS.quick));
                made = true;
                must("pulumi up", pulumi(opts.stack, logged("create", ["up", "--yes", "--skip-preview"])));
                out = outputs(opts.stack);
                created = whatWasMade(out);
                if (typeof out.sampleSubject !== "string")
                    throw new StepFailure("the stack has no sample (sampleSubject output): the e2e needs entra-wif:sample.enabled true and a workload");
                subject = out.sampleSubject;
                return `issuer ${out.issuerUrl}`;
            },
        ],
        [
            "sample",
            () => {
                const wait = (out.sampleCommands as { waitForSecret?: string } | undefined)?.waitForSecret;
                if (!wait) throw new StepFailure("the stack has no sampleCommands.waitForSecret output");
                return must("the sample reading the secret", run("sh", ["-c", wait], LIMITS.sample)).trim();
            },
        ],
        ["exchange", () => doctor(opts, ["--subject", subject, "--mint", ...(typeof out.kubeContext === "string" ? ["--context", out.kubeContext] : [])])],
        [
            "rotate",
            async () => {
                const oldToken = path.join(work, "old-key.token");
                mintToFile(out, subject, oldToken);
                const keys = currentKeys(opts.stack);
                if (keys.includes(ROTATION_KEY)) throw new StepFailure(`the stack already lists the key ${ROTATION_KEY}: use a fresh throwaway stack`);
                keys.forEach((k, i) => must("pulumi config set", pulumi(opts.stack, ["config", "set", "--path", `signingKey.keys[${i}]`, k], LIMITS.quick)));
                must("pulumi config set", pulumi(opts.stack, ["config", "set", "--path", `signingKey.keys[${keys.length}]`, ROTATION_KEY], LIMITS.quick));
                must("pulumi up (rotation)", pulumi(opts.stack, logged("update", ["up", "--yes", "--skip-preview"])));
                out = outputs(opts.stack);
                const newToken = path.join(work, "new-key.token");
                mintToFile(out, subject, newToken);
                const old = await doctor(opts, ["--subject", subject, "--token-file", oldToken]);
                const fresh = await doctor(opts, ["--subject", subject, "--token-file", newToken]);
                return `old key: ${old}; new key: ${fresh}`;
            },
        ],
        [
            "destroy",
            () => {
                must("pulumi destroy", pulumi(opts.stack, logged("delete", ["destroy", "--yes", "--skip-preview"])));
                made = false;
                return "destroyed";
            },
        ],
        ["nothing-left", () => nothingLeft(created)],
        [
            "up-again",
            () => {
                made = true;
                must("pulumi up (again)", pulumi(opts.stack, ["up", "--yes", "--skip-preview"]));
                return "up again at once";
            },
        ],
        [
            "final-destroy",
            () => {
                if (opts.keep) return "kept (--keep)";
                must("pulumi destroy", pulumi(opts.stack, ["destroy", "--yes", "--skip-preview"]));
                made = false;
                return "destroyed";
            },
        ],
    ];

    let ok = true;
    for (const [name, body] of sequence) {
        if (!(await step(name, body))) {
            ok = false;
            break;
        }
    }
    if (!ok && made) {
        // Whatever failed, the throwaway stack does not outlive the run.
        const started = Date.now();
        await renewAzureSignIn().catch(() => undefined);
        const r = pulumi(opts.stack, ["destroy", "--yes", "--skip-preview"]);
        steps.push({
            step: "cleanup",
            ok: r.code === 0,
            seconds: (Date.now() - started) / 1000,
            detail:
                r.code === 0
                    ? "destroyed what the run made"
                    : `pulumi destroy failed; destroy the stack by hand: pulumi destroy --stack ${opts.stack}\n${tail(r.stderr)}`,
        });
        log(`${r.code === 0 ? "ok   " : "FAIL "} cleanup: ${steps.at(-1)!.detail}`);
    }
    const phases = Object.fromEntries(Object.entries(eventLogs).map(([phase, file]) => [phase, readEvents(file)]));
    const latencies = Object.values(phases).some((events) => events.length > 0) ? measuredLatencies(phases) : undefined;
    fs.rmSync(work, { recursive: true, force: true });
    fs.writeFileSync(opts.report, `${JSON.stringify({ stack: opts.stack, ok, steps }, null, 2)}\n`);
    if (latencies) {
        const file = latencyFileOf(opts.report);
        fs.writeFileSync(file, `${JSON.stringify(latencies, null, 2)}\n`);
        const measured = Object.values(latencies).filter((row) => row.source.startsWith("measured")).length;
        log(`the times ${measured} resource types took here: ${file} (npm run bench -- --engine with BENCH_LATENCIES=${file})`);
    }
    return { ok, steps };
}

/** Where the measured latency table goes: beside the report (`<report>.latencies.json`). */
export function latencyFileOf(report: string): string {
    return `${report.replace(/\.json$/, "")}.latencies.json`;
}

const E2E_USAGE = "usage: npm run e2e -- --stack <name> [--keep] [--report <file>] [--authority <url>]   (--help explains every flag)";

/** Where the report goes unless --report says: outside the checkout, so a run leaves nothing for git to see. */
export const defaultReportPath = (stack: string): string => path.join(os.tmpdir(), `entra-wif-e2e-${stack}.json`);

/** Every flag, as --help prints it and the README's table lists it. */
export const E2E_FLAGS: readonly Flag[] = [
    ["--stack <name>", "The throwaway stack to run the cycle on: its Pulumi.<name>.yaml must exist (e.g. a copy of Pulumi.dev.yaml)."],
    ["--keep", "Stop after up-again and keep the stack, for a look around; destroy it yourself afterwards."],
    ["--report <file>", "Where to write the JSON report of every step (default: entra-wif-e2e-<stack>.json in the system's temporary folder)."],
    ["--authority <url>", "Entra's sign-in host for the exchanges (default: the stack's cloud's, e.g. https://login.microsoftonline.com/)."],
    ...INFO_FLAGS,
];

export function e2eHelpText(): string {
    return formatHelp(
        [
            "The live lifecycle test, for a sandbox subscription: up, the sample reads its secret, Entra exchanges the token, a",
            "rotation with both keys exchanged, destroy, nothing left, up again, destroy. Needs pulumi, az (signed in), kubectl,",
            "and docker and kind for a kind stack.",
        ],
        E2E_USAGE,
        E2E_FLAGS,
        [
            "In GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL set) az is signed in again by federation before every step after preflight.",
            "exit: 0 every step passed, 1 a step failed (what it made is destroyed), 2 bad arguments",
        ],
    );
}

export function parseE2eArgs(argv: string[]): E2eOptions {
    const opts: Partial<E2eOptions> = { keep: false };
    for (let i = 0; i < argv.length; i++) {
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i - 1]} needs a value`);
            return v;
        };
        switch (argv[i]) {
            case "--stack":
                opts.stack = value();
                break;
            case "--keep":
                opts.keep = true;
                break;
            case "--report":
                opts.report = value();
                break;
            case "--authority":
                opts.authority = value();
                break;
            default:
                throw new Error(`unknown argument: ${argv[i]}`);
        }
    }
    if (!opts.stack) throw new Error("give --stack <name>: a throwaway stack (its Pulumi.<name>.yaml must exist)");
    if (!/^[\w.-]+$/.test(opts.stack)) throw new Error("--stack is a stack name: letters, digits, _ . -");
    opts.report ??= defaultReportPath(opts.stack);
    return opts as E2eOptions;
}

if (require.main === module) {
    const info = infoRequested(process.argv.slice(2), e2eHelpText);
    if (info !== undefined) process.stdout.write(info, () => process.exit(0));
    else runE2eCli();
}

function runE2eCli(): void {
    let opts: E2eOptions;
    try {
        opts = parseE2eArgs(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${E2E_USAGE}\n`);
        process.exit(2);
    }
    runE2e(opts, (line) => process.stdout.write(`${line}\n`)).then(
        ({ ok, steps }) => {
            const total = steps.reduce((s, x) => s + x.seconds, 0);
            process.stdout.write(
                `${ok ? "passed" : "failed"}: ${steps.filter((s) => s.ok).length} of ${steps.length} steps in ${total.toFixed(0)} s; report: ${opts.report}\n`,
            );
            process.exit(ok ? 0 : 1);
        },
        (err: unknown) => {
            process.stderr.write(`e2e failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        },
    );
}
