/**
 * The project's own provider plugin (provider/pulumi-resource-entra-wif, which Pulumi.yaml's plugins.providers names)
 * started as `pulumi up` starts it — the executable in its folder, with the engine's address — on 127.0.0.1, and driven
 * over gRPC as the engine drives it: Configure (acceptSecrets), then Check, Diff, Create, Update, Read and Delete.
 *
 * What the engine decides from the answers (update, replace, in which order, delete or not) is lib/plans/providerRules.ts's
 * engineStep and deleteOutcome: the same rules the change preview reports. Nothing here models the provider: its code is
 * the project's, running in its plugin against a real blob service; test:engine runs the same plugin under the engine.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are loaded with Node's require at run time, so untyped */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { DiffAnswer } from "../../lib/plans/providerRules";
import { azureCliCalls, writeAzureCli } from "../../tools/engine/azureCli";
import { nodeRequire } from "./native";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const START_TIMEOUT_MS = 30000;
const CALL_TIMEOUT_MS = 60000;

type Props = Record<string, unknown>;

export interface ProviderPlugin {
    pid: number;
    check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: Array<{ property: string; reason: string }> }>;
    diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffAnswer>;
    create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }>;
    update(urn: string, id: string, olds: Props, news: Props): Promise<{ outputs: Props }>;
    read(urn: string, id: string, state: Props): Promise<{ id: string; outputs: Props }>;
    delete(urn: string, id: string, state: Props): Promise<void>;
    /** A function the plugin serves (entra-wif:index:checkDeployer), as the engine invokes it for the program. */
    invoke(token: string, args: Props): Promise<{ outputs: Props; failures: Array<{ property: string; reason: string }> }>;
    /** What the plugin's stderr said so far (the engine shows these lines to the person running pulumi up). */
    stderr(): string;
    /** The token requests the stand-in `az` answered: the deployer's sign-in the writer used. */
    azCalls(): Array<{ resource: string; tenant: string }>;
    stop(): Promise<void>;
}

/**
 * How Pulumi starts the plugin: the launcher binary (Pulumi.yaml's plugins.providers, a path install), or a Node.js
 * language host running the folder's PulumiPlugin.yaml package (a package installed from git).
 */
export type PluginStart = "launcher" | "languageHost";

/**
 * Starts the plugin as it runs for a deployer signed in with `az login` (a stand-in `az`, tools/engine/azureCli.ts,
 * first on PATH); `env` adds to the environment (NODE_EXTRA_CA_CERTS for a test CA, ARM_* to sign in otherwise).
 * Bounded; stopped by PID.
 */
export async function startProviderPlugin(env: Record<string, string> = {}, startedBy: PluginStart = "launcher"): Promise<ProviderPlugin> {
    const req = nodeRequire(path.join(REPO_ROOT, "index.ts"));
    const providerDir = path.join(REPO_ROOT, "provider");
    const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-az-"));
    const azLog = writeAzureCli(cliDir);
    // The engine's address: the plugin needs one argument, and talks back to the engine only to log. The node it runs
    // is this one, first on PATH, as the engine's PATH has the user's.
    const pathWithNode = [cliDir, path.dirname(process.execPath), process.env.PATH].join(":");
    const [command, args, cwd] =
        startedBy === "launcher"
            ? [path.join(providerDir, "pulumi-resource-entra-wif"), ["127.0.0.1:1"], REPO_ROOT]
            : // What pulumi-language-nodejs runs for a plugin (RunPlugin, sdk/nodejs/cmd/pulumi-language-nodejs main.go):
              // @pulumi/pulumi's cmd/run-plugin found from the plugin's folder, the folder, the engine's address; in the
              // consumer's folder, which has no tsconfig.json.
              [process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [providerDir] }), providerDir, "127.0.0.1:1"], cliDir];
    const child = spawn(command, args, { cwd, env: { ...process.env, PATH: pathWithNode, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
            kill(child);
            reject(new Error(`the provider plugin did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
        }, START_TIMEOUT_MS);
        createInterface({ input: child.stdout! }).once("line", (line) => {
            clearTimeout(timer);
            resolve(line.trim());
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the provider plugin exited (${code}): ${stderr}`));
        });
    });

    // The stubs and the gRPC library the SDK itself uses.
    const grpc = req("@grpc/grpc-js");
    const services = req("@pulumi/pulumi/proto/provider_grpc_pb");
    const messages = req("@pulumi/pulumi/proto/provider_pb");
    const { Struct } = req("google-protobuf/google/protobuf/struct_pb");
    const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, request: unknown): Promise<T> =>
        new Promise((resolve, reject) => {
            // A number: a Date of jest's realm is not a Date to the library, which lives in Node's.
            const deadline = Date.now() + CALL_TIMEOUT_MS;
            client[method](request, { deadline }, (err: Error | null, response: T) =>
                err ? reject(new Error(`${method}: ${err.message}`)) : resolve(response),
            );
        });
    const struct = (p: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(p)));
    const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
    const nameOf = (urn: string) => urn.split("::").pop()!;
    // The generated request classes, untyped here: each has the setters its message declares.
    const base = (r: any, urn: string): any => {
        r.setUrn(urn);
        r.setName?.(nameOf(urn));
        r.setType?.(typeOf(urn));
        return r;
    };

    const configure = new messages.ConfigureRequest();
    configure.setArgs(Struct.fromJavaScript({}));
    configure.setAcceptsecrets(true);
    configure.setAcceptresources(true);
    try {
        await call("configure", configure);
    } catch (err) {
        client.close();
        await kill(child);
        throw err;
    }

    return {
        pid: child.pid!,
        async check(urn, olds, news) {
            const r = base(new messages.CheckRequest(), urn);
            r.setOlds(struct(olds));
            r.setNews(struct(news));
            const resp = await call<any>("check", r);
            return {
                inputs: resp.getInputs().toJavaScript(),
                failures: failuresOf(resp),
            };
        },
        async diff(urn, id, olds, news) {
            const r = base(new messages.DiffRequest(), urn);
            r.setId(id);
            r.setOlds(struct(olds));
            r.setNews(struct(news));
            const resp = await call<any>("diff", r);
            const kinds = messages.DiffResponse.DiffChanges;
            const changes = resp.getChanges();
            return {
                changes: changes === kinds.DIFF_SOME ? true : changes === kinds.DIFF_NONE ? false : "unknown",
                replaces: resp.getReplacesList(),
                deleteBeforeReplace: resp.getDeletebeforereplace(),
            };
        },
        async create(urn, inputs) {
            const r = base(new messages.CreateRequest(), urn);
            r.setProperties(struct(inputs));
            const resp = await call<any>("create", r);
            return { id: resp.getId(), outputs: resp.getProperties().toJavaScript() };
        },
        async update(urn, id, olds, news) {
            const r = base(new messages.UpdateRequest(), urn);
            r.setId(id);
            r.setOlds(struct(olds));
            r.setNews(struct(news));
            const resp = await call<any>("update", r);
            return { outputs: resp.getProperties().toJavaScript() };
        },
        async read(urn, id, state) {
            const r = base(new messages.ReadRequest(), urn);
            r.setId(id);
            r.setProperties(struct(state));
            const resp = await call<any>("read", r);
            return { id: resp.getId(), outputs: resp.getProperties().toJavaScript() };
        },
        async delete(urn, id, state) {
            const r = base(new messages.DeleteRequest(), urn);
            r.setId(id);
            r.setProperties(struct(state));
            await call("delete", r);
        },
        async invoke(token, args) {
            const r = new messages.InvokeRequest();
            r.setTok(token);
            r.setArgs(struct(args));
            const resp = await call<any>("invoke", r);
            return {
                outputs: resp.getReturn()?.toJavaScript() ?? {},
                failures: failuresOf(resp),
            };
        },
        stderr: () => stderr,
        azCalls: () => azureCliCalls(azLog),
        async stop() {
            client.close();
            await kill(child);
            fs.rmSync(cliDir, { recursive: true, force: true });
        },
    };
}

/** A Check or Invoke response's failures, as plain objects. */
function failuresOf(resp: any): Array<{ property: string; reason: string }> {
    return resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            if (child.pid) process.kill(child.pid, "SIGKILL");
            resolve();
        }, 5000);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        process.kill(child.pid!, "SIGTERM");
    });
}
