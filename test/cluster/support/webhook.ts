/**
 * The azure-workload-identity webhook on this machine: the handler built at the chart's version
 * (tools/cluster/go/webhook), serving TLS on 127.0.0.1 with a certificate made for the run, and registered
 * with the apiserver by URL through the chart's own MutatingWebhookConfiguration, read from the chart in the Go
 * module cache at the same version (charts/workload-identity-webhook/templates/), only its clientConfig changed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { parse } from "yaml";
import { freePort, selfSignedCertificate } from "../../../tools/engine/azurite";
import { ApiServer, binary, expectStatus, start, Started, waitFor } from "./controlPlane";

const WRAPPER = path.resolve(__dirname, "../../../tools/cluster/go/webhook");

/** The module's folder in Go's module cache (the build downloaded it). */
export function webhookModuleDir(): string {
    const r = spawnSync("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/Azure/azure-workload-identity"], {
        cwd: WRAPPER,
        encoding: "utf8",
        env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
    });
    if (r.status !== 0 || !r.stdout.trim()) throw new Error(`go list -m github.com/Azure/azure-workload-identity failed: ${r.stderr}`);
    return r.stdout.trim();
}

/**
 * The chart's MutatingWebhookConfiguration with its Helm expressions filled in as `helm install` fills them for this
 * release (the chart's defaults: no annotations, an empty namespace selector), and the service reference replaced by
 * the URL of the webhook on this machine. Anything else still templated is an error: the test must see it.
 */
export function chartMutatingWebhookConfiguration(release: { name: string; namespace: string }, url: string, caBundle: string): MutatingWebhookConfiguration {
    const file = path.join(
        webhookModuleDir(),
        "charts",
        "workload-identity-webhook",
        "templates",
        "azure-wi-webhook-mutating-webhook-configuration-mutatingwebhookconfiguration.yaml",
    );
    const text = fs
        .readFileSync(file, "utf8")
        .replace(/\{\{- toYaml \.Values\.mutatingWebhookAnnotations \| nindent 4 \}\}/, " {}")
        .replace(/\{\{- toYaml \.Values\.mutatingWebhookNamespaceSelector \| nindent 4 \}\}/, " {}")
        .replace(/\{\{ template "workload-identity-webhook\.name" \. \}\}/g, "workload-identity-webhook")
        .replace(/\{\{ \.Release\.Name \}\}/g, release.name)
        .replace(/\{\{ \.Release\.Namespace \}\}/g, release.namespace);
    if (text.includes("{{")) throw new Error(`${file} has Helm expressions this test does not fill:\n${text}`);
    const config = parse(text) as MutatingWebhookConfiguration;
    for (const hook of config.webhooks) {
        const hookPath = hook.clientConfig.service!.path;
        hook.clientConfig = { url: `${url}${hookPath}`, caBundle: Buffer.from(caBundle).toString("base64") };
    }
    return config;
}

/** The parts of the chart's MutatingWebhookConfiguration the test changes. */
interface MutatingWebhookConfiguration {
    webhooks: Array<{ clientConfig: { service?: { path: string }; url?: string; caBundle?: string } } & Record<string, unknown>>;
}

/**
 * The webhook's serving certificate for 127.0.0.1, self-signed (as the tests' Azurite's is), in the file names the
 * webhook reads from its certificate directory; the certificate is also the CA bundle the apiserver verifies it with.
 */
export function servingCertificate(dir: string): { ca: string; certDir: string } {
    const certDir = path.join(dir, "webhook-certs");
    fs.mkdirSync(certDir, { recursive: true, mode: 0o700 });
    const { cert, key } = selfSignedCertificate(certDir);
    fs.renameSync(cert, path.join(certDir, "tls.crt"));
    fs.renameSync(key, path.join(certDir, "tls.key"));
    return { ca: fs.readFileSync(path.join(certDir, "tls.crt"), "utf8"), certDir };
}

export interface Webhook {
    url: string;
    process: Started;
    stop(): Promise<void>;
}

/**
 * Starts the webhook with the environment the chart's ConfigMap gives it (AZURE_TENANT_ID, AZURE_ENVIRONMENT from the
 * release's values) and registers it; resolves once the apiserver's configuration is in place and the server answers
 * TLS with the certificate (at most 60 s).
 */
export async function startWebhook(opts: {
    dir: string;
    api: ApiServer;
    release: { name: string; namespace: string; values: Record<string, string> };
}): Promise<Webhook> {
    const { ca, certDir } = servingCertificate(opts.dir);
    const kubeconfig = path.join(opts.dir, "webhook.kubeconfig");
    opts.api.writeKubeconfig(kubeconfig);
    const port = await freePort();
    const proc = start("webhook", binary("webhook"), [`--port=${port}`, `--webhook-cert-dir=${certDir}`], {
        KUBECONFIG: kubeconfig,
        AZURE_TENANT_ID: opts.release.values.azureTenantID,
        AZURE_ENVIRONMENT: opts.release.values.azureEnvironment,
        POD_NAMESPACE: opts.release.namespace,
    });
    const url = `https://127.0.0.1:${port}`;
    await waitFor(
        `the webhook's TLS server at ${url}`,
        () =>
            new Promise<boolean>((resolve) => {
                // An empty review: any HTTP answer means the server is up with a certificate the CA verifies.
                const req = https.request(`${url}/mutate-v1-pod`, { method: "POST", ca, timeout: 2000 }, (res) => {
                    res.resume();
                    resolve(true);
                });
                req.on("error", () => resolve(false));
                req.on("timeout", () => req.destroy());
                req.end();
            }),
        60000,
        proc,
    );
    const configuration = chartMutatingWebhookConfiguration(opts.release, url, ca);
    expectStatus(
        await opts.api.request("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", configuration),
        "registering the chart's MutatingWebhookConfiguration",
        201,
    );
    return { url, process: proc, stop: () => proc.stop() };
}
