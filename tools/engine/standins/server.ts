/**
 * A resource provider plugin as the Pulumi engine talks to it, for the stand-ins test:engine runs in place of providers
 * that do not build here (azure-native, azuread, tls, command, kubernetes). Written from the contract,
 * pulumi/pulumi proto/pulumi/provider.proto (service ResourceProvider) and plugin.proto: the plugin binds a port on
 * 127.0.0.1, prints it on stdout, and answers the engine's calls over gRPC. Methods it does not serve answer
 * UNIMPLEMENTED, which the engine treats as "not supported" (grpc-js's default for a missing handler).
 *
 * Values cross as google.protobuf.Struct. Because Configure answers acceptSecrets, a secret arrives as
 * {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value} (sdk/go/common/resource/plugin
 * rpc.go, the secret signature), and is handed back the same way, so it stays secret in the state; a value the
 * engine does not know yet (a preview) is the string "04da6b54-80e4-46f7-96ec-b56ff0331ba9".
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";

// The values on the wire (lib/provider/wire.ts), shared with the project's own plugin.
export { hasUnknown, isSecret, type Props, reveal, SECRET_SIG, SECRET_SIG_KEY, UNKNOWN } from "../../../lib/provider/wire";
import { type Props, reveal } from "../../../lib/provider/wire";

export interface Diff {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
    /** Top-level properties that differ, for the engine's display. */
    diffs: string[];
}

/** What one stand-in answers. Every handler receives the resource's type token and name (from its URN). */
export interface StandInProvider {
    name: string;
    version: string;
    /** The provider's configuration (its resource's inputs, or `<provider>:config:<key>` variables), before any other call. */
    configure?(config: Props): void;
    checkConfig?(news: Props): Props;
    diffConfig?(olds: Props, news: Props): Diff;
    check?(type: string, olds: Props, news: Props): Props;
    diff(type: string, name: string, oldInputs: Props, olds: Props, news: Props): Diff;
    create(type: string, name: string, inputs: Props, preview: boolean): Promise<{ id: string; outs: Props }>;
    read(type: string, name: string, id: string, state: Props, inputs: Props): Promise<{ id: string; outs: Props; inputs: Props } | undefined>;
    update(type: string, name: string, id: string, olds: Props, news: Props, preview: boolean): Promise<Props>;
    delete(type: string, name: string, id: string, state: Props): Promise<void>;
    invoke(token: string, args: Props): Promise<Props>;
}

/** The type token and the name of a resource, from its URN (urn:pulumi:stack::project::parent$type::name). */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const types = parts[2].split("$");
    return { type: types[types.length - 1], name: parts.slice(3).join("::") };
}

const toJs = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});
const toStruct = (v: Props) => structproto.Struct.fromJavaScript(v as Record<string, structproto.JavaScriptValue>);

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** A handler that answers with what `work` returns, or with its error's message (which the engine shows the user). */
function unary<Req, Res>(work: (req: Req) => Promise<Res> | Res): Unary<Req, Res> {
    return (call, callback) => {
        Promise.resolve()
            .then(() => work(call.request))
            .then(
                (res) => callback(null, res),
                (err: Error) => callback({ code: grpc.status.UNKNOWN, details: err.message }, null),
            );
    };
}

function diffResponse(d: Diff): provproto.DiffResponse {
    const resp = new provproto.DiffResponse();
    resp.setChanges(d.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    resp.setReplacesList(d.replaces);
    resp.setDeletebeforereplace(d.replaces.length > 0 && d.deleteBeforeReplace);
    resp.setDiffsList(d.diffs);
    return resp;
}

/** Serves `provider` and prints the port, as a plugin must; resolves once it listens. */
export async function serve(provider: StandInProvider): Promise<void> {
    const server = new grpc.Server();
    server.addService(provrpc.ResourceProviderService as unknown as grpc.ServiceDefinition, {
        getPluginInfo: unary(() => {
            const info = new plugproto.PluginInfo();
            info.setVersion(provider.version);
            return info;
        }),
        getSchema: unary(() => {
            const resp = new provproto.GetSchemaResponse();
            resp.setSchema(JSON.stringify({ name: provider.name, version: provider.version }));
            return resp;
        }),
        attach: unary(() => new emptyproto.Empty()),
        cancel: unary(() => new emptyproto.Empty()),
        checkConfig: unary((req: provproto.CheckRequest) => {
            const resp = new provproto.CheckResponse();
            resp.setInputs(toStruct(provider.checkConfig ? provider.checkConfig(toJs(req.getNews())) : toJs(req.getNews())));
            return resp;
        }),
        diffConfig: unary((req: provproto.DiffRequest) => {
            const olds = req.hasOldInputs() ? toJs(req.getOldInputs()) : toJs(req.getOlds());
            return diffResponse(provider.diffConfig?.(olds, toJs(req.getNews())) ?? { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });
        }),
        configure: unary((req: provproto.ConfigureRequest) => {
            const variables = Object.fromEntries(
                [...req.getVariablesMap().entries()].map(([k, v]: [string, string]) => [k.replace(/^[^:]+:config:/, ""), v] as [string, string]),
            );
            provider.configure?.(req.hasArgs() ? toJs(req.getArgs()) : variables);
            const resp = new provproto.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(false);
            resp.setSupportspreview(true);
            return resp;
        }),
        invoke: unary(async (req: provproto.InvokeRequest) => {
            const resp = new provproto.InvokeResponse();
            resp.setReturn(toStruct(await provider.invoke(req.getTok(), reveal(toJs(req.getArgs())))));
            return resp;
        }),
        check: unary((req: provproto.CheckRequest) => {
            const { type } = parseUrn(req.getUrn());
            const news = toJs(req.getNews());
            const resp = new provproto.CheckResponse();
            resp.setInputs(toStruct(provider.check ? provider.check(type, toJs(req.getOlds()), news) : news));
            return resp;
        }),
        diff: unary((req: provproto.DiffRequest) => {
            const { type, name } = parseUrn(req.getUrn());
            const olds = toJs(req.getOlds());
            return diffResponse(provider.diff(type, name, req.hasOldInputs() ? toJs(req.getOldInputs()) : olds, olds, toJs(req.getNews())));
        }),
        create: unary(async (req: provproto.CreateRequest) => {
            const { type, name } = parseUrn(req.getUrn());
            const created = await provider.create(type, name, toJs(req.getProperties()), req.getPreview());
            const resp = new provproto.CreateResponse();
            resp.setId(created.id);
            resp.setProperties(toStruct(created.outs));
            return resp;
        }),
        read: unary(async (req: provproto.ReadRequest) => {
            const { type, name } = parseUrn(req.getUrn());
            const found = await provider.read(type, name, req.getId(), toJs(req.getProperties()), toJs(req.getInputs()));
            const resp = new provproto.ReadResponse();
            // An empty id says the resource is gone: refresh drops it from the state.
            resp.setId(found?.id ?? "");
            if (found) {
                resp.setProperties(toStruct(found.outs));
                resp.setInputs(toStruct(found.inputs));
            }
            return resp;
        }),
        update: unary(async (req: provproto.UpdateRequest) => {
            const { type, name } = parseUrn(req.getUrn());
            const outs = await provider.update(type, name, req.getId(), toJs(req.getOlds()), toJs(req.getNews()), req.getPreview());
            const resp = new provproto.UpdateResponse();
            resp.setProperties(toStruct(outs));
            return resp;
        }),
        delete: unary(async (req: provproto.DeleteRequest) => {
            const { type, name } = parseUrn(req.getUrn());
            await provider.delete(type, name, req.getId(), toJs(req.getProperties()));
            return new emptyproto.Empty();
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    process.stdout.write(`${port}\n`);
}
