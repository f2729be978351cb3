/**
 * entra-wif's own provider plugin, `pulumi-resource-entra-wif`: the custom resources the program owns,
 * `entra-wif:index:IssuerDocuments` (lib/trust/issuerDocuments.ts), the package's issuer check
 * `entra-wif:index:IssuerCheck` (lib/doctor/gate.ts), the placeholders for what earlier versions registered,
 * `entra-wif:index:RetiredResource` (lib/trust/retiredResources.ts), the functions (the deployer's preflight
 * `entra-wif:index:checkDeployer`, lib/entra/preflight.ts, and `entra-wif:index:blobEndpoint`) and the package's
 * component `entra-wif:index:EntraWorkloadIdentity` (Construct), served over gRPC by the Node SDK's provider server
 * (@pulumi/pulumi/provider main: it binds 127.0.0.1, prints the port, answers Configure with acceptSecrets).
 *
 * Why a plugin and not a dynamic provider: a dynamic provider's code is serialized into the state with every change
 * of the resource's inputs, and refresh and delete run that frozen copy, so a fix to the writer reached an old stack
 * only after its documents changed. The plugin runs the project's installed code on every operation. Pulumi.yaml's
 * `plugins.providers` names this folder (a path relative to the project: pulumi/pulumi sdk/go/common/resource/plugin
 * host.go resolvePluginPath), so `pulumi up`, `preview`, `refresh` and `destroy` start it from the checkout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { checkIssuerDocuments, diffIssuerDocuments, ISSUER_DOCUMENTS_TYPE, issuerDocumentsOperations } from "../lib/trust/issuerDocuments";
import { DEFAULT_GRANT_WAIT } from "../lib/trust/issuerDocuments";
import type { GrantWait, IssuerDocumentsInputs, IssuerDocumentsState } from "../lib/trust/issuerDocuments";
import { reveal } from "../lib/provider/wire";
import { RETIRED_RESOURCE_TYPE, retiredResourceOperations } from "../lib/trust/retiredResources";
import { armEndpoint, CHECK_DEPLOYER_TOKEN, checkDeployer, DeployerCheckArgs } from "../lib/entra/preflight";
import { BLOB_ENDPOINT_TOKEN, blobEndpointOf } from "../lib/entra/cloud";
import { credentialMethod, deployerCredential, describeCredential } from "../lib/trust/deployerCredential";
import { PROJECT_VERSION } from "../tools/version";
import { diffIssuerCheck, ISSUER_CHECK_TYPE, IssuerCheckInputs, verifyWaitSeconds } from "../lib/doctor/gate";
import { allPassed, formatChecks } from "../lib/doctor/report";

/** The package's component (components/entraWorkloadIdentity.ts), as other languages name it. */
export const ENTRA_WORKLOAD_IDENTITY_TYPE = "entra-wif:index:EntraWorkloadIdentity";

/** The resource type of a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::name`). */
function typeOf(urn: string): string {
    return urn.split("::")[2].split("$").pop()!;
}

/** Its three types: anything else is a program this plugin was not written for, said loudly. */
function served(urn: string): "documents" | "retired" | "check" {
    const type = typeOf(urn);
    if (type === ISSUER_DOCUMENTS_TYPE) return "documents";
    if (type === RETIRED_RESOURCE_TYPE) return "retired";
    if (type === ISSUER_CHECK_TYPE) return "check";
    throw new Error(`the entra-wif provider serves ${ISSUER_DOCUMENTS_TYPE}, ${ISSUER_CHECK_TYPE} and ${RETIRED_RESOURCE_TYPE} only, not ${type}`);
}

/**
 * `entra-wif:index:IssuerCheck` (lib/doctor/gate.ts), created or updated: the doctor's endpoint checks in this process,
 * waiting for fresh documents as the Command does, each retry said under the resource. A failure fails the step with
 * the doctor's report, before anything that trusts the issuer is created. Loaded only here: the documents' operations
 * do not load the doctor.
 */
async function runIssuerCheck(urn: string, inputs: IssuerCheckInputs): Promise<{ id: string; outs: Record<string, unknown> }> {
    type Doctor = typeof import("../tools/doctor");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDoctor } = require("../tools/doctor") as Doctor;
    const checks = await runDoctor(
        {
            issuer: inputs.issuer,
            publicKeyFiles: [],
            publicKeys: inputs.publicKeys,
            ...(inputs.servedFrom !== undefined ? { servedFrom: inputs.servedFrom } : {}),
            endpointsOnly: true,
            waitSeconds: verifyWaitSeconds(process.env),
            mint: false,
            json: false,
            exchange: false,
        },
        undefined,
        undefined,
        (line) => log(urn, line),
    );
    if (!allPassed(checks)) throw new Error(`the issuer check failed, so Entra would refuse this cluster's tokens:\n${formatChecks(checks)}`);
    return { id: `issuer-check:${urn.split("::").pop()}`, outs: { ...inputs } };
}

/**
 * A line for the person running `pulumi up`, shown under the resource: the engine's Log RPC (pulumirpc.Engine/Log,
 * severity INFO) at the address the engine started the plugin with. A resource plugin's own stderr is not shown: the
 * engine hides it unless the plugin fails (pulumi/pulumi sdk/go/common/resource/plugin/plugin.go, unstructuredOutput).
 * Without an engine that answers within 2 s, the line goes to stderr.
 */
function engineLog(engineAddress: string | undefined): (urn: string, line: string) => void {
    if (!engineAddress) return (_urn, line) => void process.stderr.write(`${line}\n`);
    // The gRPC stubs and the gRPC library the SDK itself resolves (one copy: credentials of another are refused).
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdk] })) as typeof import("@grpc/grpc-js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const services = require("@pulumi/pulumi/proto/engine_grpc_pb");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const messages = require("@pulumi/pulumi/proto/engine_pb");
    const client = new services.EngineClient(engineAddress, grpc.credentials.createInsecure());
    return (urn, line) => {
        const request = new messages.LogRequest();
        request.setSeverity(messages.LogSeverity.INFO);
        request.setMessage(line);
        request.setUrn(urn);
        client.log(request, { deadline: Date.now() + 2000 }, (err: Error | null) => {
            if (err) process.stderr.write(`${line}\n`);
        });
    };
}

let log: (urn: string, line: string) => void = engineLog(undefined);

/** The bounded wait for the deployer's grant, reported under the resource being written. */
const grantWaitFor = (urn: string): GrantWait => ({ ...DEFAULT_GRANT_WAIT, report: (line) => log(urn, line) });

export const entraWifProvider: provider.Provider = {
    version: PROJECT_VERSION,
    // The inputs go back as they came, secrets still wrapped, so the engine keeps an account key (issuer.sharedKeyAccess) encrypted.
    async check(urn, _olds, news) {
        if (served(urn) === "retired") return retiredResourceOperations.check(news);
        if (served(urn) === "check") return { inputs: news, failures: [] };
        return { inputs: news, failures: checkIssuerDocuments(reveal(news) as Partial<IssuerDocumentsInputs>) };
    },
    async diff(_id, urn, olds, news) {
        if (served(urn) === "retired") return retiredResourceOperations.diff();
        if (served(urn) === "check") return diffIssuerCheck(reveal(olds) as Partial<IssuerCheckInputs>, reveal(news) as Partial<IssuerCheckInputs>);
        return diffIssuerDocuments(reveal(olds) as Partial<IssuerDocumentsState>, reveal(news) as Partial<IssuerDocumentsInputs>);
    },
    async create(urn, inputs) {
        if (served(urn) === "retired") return retiredResourceOperations.create(urn);
        if (served(urn) === "check") return runIssuerCheck(urn, reveal(inputs) as unknown as IssuerCheckInputs);
        return issuerDocumentsOperations.create(reveal(inputs) as IssuerDocumentsInputs, grantWaitFor(urn));
    },
    async read(id, urn, props) {
        // A check reads nothing: what it checked is in its inputs, and a refresh keeps them.
        if (served(urn) === "retired" || served(urn) === "check") return retiredResourceOperations.read(id, props);
        return issuerDocumentsOperations.read(id, reveal(props) as IssuerDocumentsState);
    },
    async update(id, urn, olds, news) {
        // Never asked for a retired resource (its diff never changes); answered alike if it were.
        if (served(urn) === "retired") return { outs: olds };
        if (served(urn) === "check") return { outs: (await runIssuerCheck(urn, reveal(news) as unknown as IssuerCheckInputs)).outs };
        return issuerDocumentsOperations.update(id, reveal(olds) as IssuerDocumentsState, reveal(news) as IssuerDocumentsInputs, grantWaitFor(urn));
    },
    /**
     * `entra-wif:index:checkDeployer`: what ARM would refuse (lib/entra/preflight.ts), asked as the deployer before
     * the stack writes anything. Answers {problems: string[]}; it fails only when no token or no answer was had.
     */
    async invoke(token, inputs) {
        // `entra-wif:index:blobEndpoint`: the blob endpoint an account will have in azure-native's cloud (lib/entra/cloud.ts).
        if (token === BLOB_ENDPOINT_TOKEN) return { outputs: { endpoint: blobEndpointOf(String(inputs.accountName), process.env) } };
        if (token !== CHECK_DEPLOYER_TOKEN) throw new Error(`the entra-wif provider has no function ${token}`);
        const method = credentialMethod(process.env);
        const problems = await checkDeployer(inputs as DeployerCheckArgs, {
            credential: deployerCredential(method, process.env),
            deployer: describeCredential(method),
            arm: armEndpoint(process.env),
        });
        return { outputs: { problems } };
    },
    /** The package schema (schema.json, tools/package/schema.ts): what `pulumi package get-schema` and gen-sdk read. */
    async getSchema() {
        return fs.readFileSync(path.join(__dirname, "..", "schema.json"), "utf8");
    },
    /**
     * A component of the package, created for a program in another language (YAML, Python, Go, C#): the engine hands
     * this plugin the inputs and a connection to register the component's children, as a TypeScript program would.
     * Loaded only here, so the documents' operations do not load the program's components.
     */
    async construct(name, type, inputs, options) {
        if (type !== ENTRA_WORKLOAD_IDENTITY_TYPE) throw new Error(`the entra-wif package has no component ${type}`);
        type ComponentModule = typeof import("../components/entraWorkloadIdentity");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require("../components/entraWorkloadIdentity") as ComponentModule;
        const { EntraWorkloadIdentity, ENTRA_WORKLOAD_IDENTITY_OUTPUTS } = loaded;
        const component = new EntraWorkloadIdentity(name, inputs as unknown as ConstructorParameters<typeof EntraWorkloadIdentity>[1], options);
        const state = Object.fromEntries(ENTRA_WORKLOAD_IDENTITY_OUTPUTS.map((key) => [key, component[key]]).filter(([, value]) => value !== undefined));
        return { urn: component.urn, state };
    },
    async delete(_id, urn) {
        if (served(urn) === "retired" || served(urn) === "check") return retiredResourceOperations.delete();
        await issuerDocumentsOperations.delete();
    },
};

/**
 * Serves the plugin until the engine lets it go. `args` are the plugin's arguments, the engine's address first
 * (pulumi/pulumi's plugin protocol). Started by the launcher (pulumi-resource-entra-wif) or, for a package installed
 * from git, by a Node.js language host through plugin.js.
 */
export function serve(args: string[]): Promise<void> {
    log = engineLog(args[0]);
    return provider.main(entraWifProvider, args);
}

if (require.main === module) {
    serve(process.argv.slice(2)).catch((err: Error) => {
        process.stderr.write(`entra-wif provider: ${err.stack ?? err.message}\n`);
        process.exit(1);
    });
}
