/**
 * A real kube-apiserver started with exactly the service-account flags and key files the program produces, and its
 * tokens checked the way Entra checks them against what the program publishes.
 *
 *  - The dev stack (kind): the kind Command's own create script writes the key files and the kind config; the
 *    apiserver gets the config's flags with kind's mounts resolved (test/cluster/support/kindNode.ts).
 *  - A bring-your-own EC P-256 stack (an existing kubeadm cluster that keeps its keys): the cluster's own key files,
 *    and the flags of the stack's kubeApiServerFlags output.
 *
 * Each: the apiserver starts with them; its own discovery document and JWKS agree with the program's (issuer byte for
 * byte, the same keys); a TokenRequest token for the workload's service account, audience api://AzureADTokenExchange,
 * passes the doctor against the documents in Azurite, read anonymously over HTTPS as Entra reads them.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { KIND_KEY_FILES } from "../../lib/cluster/kind";
import { DISCOVERY_PATH, JWKS_PATH } from "../../lib/trust/oidc";
import { discoveryText, jwksText } from "../support/program";
import { requiredVersion } from "../../tools/cluster/build";
import { runProcess, runTool } from "../support/processes";
import { ApiServer, binary, ControlPlane, expectStatus, requestToken, reviewToken } from "./support/controlPlane";
import { AUDIENCE, decodeJwt, kubernetesObjects, stackConfig } from "./support/deploy";
import { Deployed, Deployment } from "../support/deployment";
import { kindCommand, KindNode } from "./support/kindNode";

const SUBJECT = "system:serviceaccount:demo:workload-sa";

/** The workload's namespace and service account, as the program sends them. */
const workloadObjects = (d: Deployed) => [...kubernetesObjects(d, "Namespace"), ...kubernetesObjects(d, "ServiceAccount")];

/** The apiserver's own issuer documents: what it would serve had the issuer been its own address. */
async function ownDocuments(api: ApiServer): Promise<{ discovery: string; jwks: string; discoveryType?: string; jwksType?: string }> {
    const discovery = expectStatus(await api.request("GET", `/${DISCOVERY_PATH}`), "the apiserver's discovery document", 200);
    // It serves the JWKS as application/jwk-set+json only, and answers 406 to a client that accepts JSON alone.
    const jwks = expectStatus(await api.request("GET", `/${JWKS_PATH}`, undefined, { accept: "application/jwk-set+json" }), "the apiserver's JWKS", 200);
    return {
        discovery: discovery.body,
        jwks: jwks.body,
        discoveryType: discovery.headers["content-type"] as string,
        jwksType: jwks.headers["content-type"] as string,
    };
}

/** The checks both stacks share, given a running apiserver and its deployment. */
function agreementTests(ctx: () => { api: ApiServer; deployed: Deployed; deployment: Deployment; publicKeyFile: string }): void {
    test("the apiserver's own discovery document is the published one but for jwks_uri, which names the apiserver itself", async () => {
        const { api, deployed } = ctx();
        const own = await ownDocuments(api);
        const published = JSON.parse(discoveryText(deployed.plan));
        const served = JSON.parse(own.discovery);
        // Byte for byte: the issuer string is the one every token and federated credential carries.
        expect(own.discovery).toContain(`"issuer":${JSON.stringify(deployed.plan.outputs.issuerUrl)}`);
        expect(served.issuer).toBe(published.issuer);
        // Without --service-account-jwks-uri the apiserver points at its own address; Entra follows the published one.
        expect(served.jwks_uri).toBe(`${api.url}/${JWKS_PATH}`);
        expect(published.jwks_uri).toBe(`${published.issuer}${JWKS_PATH}`);
        expect(JSON.stringify({ ...served, jwks_uri: published.jwks_uri })).toBe(discoveryText(deployed.plan));
        expect(own.discoveryType).toBe("application/json");
    });

    test("the apiserver's own JWKS is the published one, byte for byte: the same kids, n and e or crv, x and y", async () => {
        const { api, deployed } = ctx();
        const own = await ownDocuments(api);
        expect(own.jwks).toBe(jwksText(deployed.plan));
        const kids = JSON.parse(own.jwks).keys.map((k: { kid: string }) => k.kid);
        expect(kids).toEqual(deployed.plan.outputs.signingKeyIds);
        expect(own.jwksType).toBe("application/jwk-set+json");
    });

    test("a TokenRequest token for the workload, audience api://AzureADTokenExchange, passes every check of the doctor", async () => {
        const { api, deployed, deployment, publicKeyFile } = ctx();
        const token = await requestToken(api, "demo", "workload-sa", AUDIENCE);
        const { header, payload } = decodeJwt(token);
        // The key the cluster signs with: the stack's signing key, or (its own keys) the one key it published.
        expect(header.kid).toBe(deployed.plan.outputs.signingKeyId ?? (deployed.plan.outputs.signingKeyIds as string[])[0]);
        expect(payload).toMatchObject({ iss: deployed.plan.outputs.issuerUrl, aud: [AUDIENCE], sub: SUBJECT });
        expect(payload.exp - payload.iat).toBe(3600);
        expect(await reviewToken(api, token, AUDIENCE)).toMatchObject({ authenticated: true, username: SUBJECT });
        const failures = await deployment.doctorFailures({
            issuer: deployed.plan.outputs.issuerUrl as string,
            token,
            subject: SUBJECT,
            // The public keys the cluster verifies with, as its node holds them: each must be published with its kid.
            publicKeyFile,
        });
        expect(failures).toEqual(header.alg === "RS256" ? [] : ["token-algorithm"]);
    });
}

describe("the dev stack: a kind cluster with the stack's RSA key", () => {
    let deployment: Deployment;
    let deployed: Deployed;
    let api: ApiServer;
    let node: KindNode;
    const cluster = new ControlPlane("dev");

    beforeAll(async () => {
        node = new KindNode();
        deployment = await Deployment.start(__filename);
        deployed = await deployment.up(stackConfig("Pulumi.dev.yaml", deployment.azurite.accountName));
        node.run(kindCommand(deployed), "create");
        api = await cluster.start(node.apiServerFlags(kindCommand(deployed)));
        await cluster.create(workloadObjects(deployed));
    });

    afterAll(async () => {
        await cluster.stop();
        await deployment?.stop();
        node?.cleanup();
    });

    test("the apiserver is the pinned build: /version answers the wrapper's Kubernetes version", async () => {
        const goMod = fs.readFileSync(path.resolve(__dirname, "../../tools/cluster/go/kubernetes/go.mod"), "utf8");
        const version = expectStatus(await api.request("GET", "/version"), "/version", 200).json<{ gitVersion: string }>().gitVersion;
        expect(version).toBe(requiredVersion(goMod, "k8s.io/kubernetes"));
    });

    test("the apiserver runs with the program's flags, its key files the ones the create script wrote", () => {
        const command = kindCommand(deployed);
        const sa = (name: string) => node.file(command, name);
        expect(node.apiServerFlags(command)).toEqual([
            `--service-account-issuer=${deployed.plan.outputs.issuerUrl}`,
            `--service-account-key-file=${sa(KIND_KEY_FILES.publicKeys)}`,
            `--service-account-signing-key-file=${sa(KIND_KEY_FILES.signingKey)}`,
        ]);
        // The same flags the stack outputs for the cluster, paths aside.
        expect((deployed.plan.outputs.kubeApiServerFlags as string[]).map((f) => f.replace(/=\/etc\/kubernetes\/pki\//, "=<pki>/"))).toEqual(
            node.apiServerFlags(command).map((f) => f.replace(`=${path.dirname(sa(KIND_KEY_FILES.signingKey))}/`, "=<pki>/")),
        );
        expect(api.args).toEqual(expect.arrayContaining(node.apiServerFlags(command)));
        expect(fs.readFileSync(sa(KIND_KEY_FILES.publicKeys), "utf8")).toBe((deployed.plan.outputs.signingPublicKeys as string[]).join(""));
    });

    agreementTests(() => ({ api, deployed, deployment, publicKeyFile: node.file(kindCommand(deployed), KIND_KEY_FILES.publicKeys) }));

    /** kubectl and the doctor as a user runs them: the stack's context (kind-<cluster>) in a kubeconfig for this apiserver. */
    function userEnv(): Record<string, string> {
        const kubeconfig = path.join(cluster.dir, "kubeconfig");
        api.writeKubeconfig(kubeconfig, deployed.plan.outputs.kubeContext as string);
        return { PATH: `${path.dirname(binary("kubectl"))}:${process.env.PATH}`, KUBECONFIG: kubeconfig, NODE_EXTRA_CA_CERTS: deployment.azurite.caFile };
    }

    test("sampleCommands.mintToken prints a token for the workload with Entra's audience", async () => {
        const command = (deployed.plan.outputs.sampleCommands as { mintToken: string }).mintToken;
        expect(command).toMatch(/^kubectl --context kind-\S+ create token workload-sa -n demo --audience api:\/\/AzureADTokenExchange$/);
        const r = await runProcess("/bin/bash", ["-c", command], { env: { ...process.env, ...userEnv() }, timeoutMs: 30000 });
        expect(r).toMatchObject({ code: 0, stderr: "" });
        const { header, payload } = decodeJwt(r.stdout.trim());
        expect(header.kid).toBe(deployed.plan.outputs.signingKeyId);
        expect(payload).toMatchObject({ iss: deployed.plan.outputs.issuerUrl, aud: [AUDIENCE], sub: SUBJECT });
    });

    test("npm run doctor -- --mint, as the README runs it, mints with kubectl and passes every check, warning of an unlabelled pod", async () => {
        // A pod of the workload's service account without the webhook's label: it would get no token.
        await cluster.create([
            {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "unlabelled", namespace: "demo" },
                spec: { serviceAccountName: "workload-sa", containers: [{ name: "app", image: "registry.invalid/app:1" }] },
            } as never,
        ]);
        const r = await runTool(
            "tools/doctor.ts",
            [
                "--issuer",
                deployed.plan.outputs.issuerUrl as string,
                "--mint",
                "--subject",
                SUBJECT,
                "--context",
                deployed.plan.outputs.kubeContext as string,
                "--public-key",
                node.file(kindCommand(deployed), KIND_KEY_FILES.publicKeys),
            ],
            userEnv(),
        );
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^ok +token-kid/m);
        expect(r.stdout).not.toMatch(/^FAIL/m);
        expect(r.stdout).toMatch(/^warn +pod-label: 1 of 1 pods of demo\/workload-sa lack the label azure\.workload\.identity\/use: "true": unlabelled — /m);
    });
});

describe("bring your own EC P-256 key: a kubeadm cluster that keeps its own keys", () => {
    let deployment: Deployment;
    let deployed: Deployed;
    let api: ApiServer;
    const cluster = new ControlPlane("byo-ec");
    // The cluster's own key pair, as kubeadm keeps it in /etc/kubernetes/pki.
    let publicKeyFile: string;

    beforeAll(async () => {
        const pki = path.join(cluster.dir, "pki");
        publicKeyFile = path.join(pki, "sa.pub");
        fs.mkdirSync(pki, { mode: 0o700 });
        const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        fs.writeFileSync(path.join(pki, "sa.key"), privateKey.export({ type: "sec1", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(publicKeyFile, publicKey.export({ type: "spki", format: "pem" }));
        deployment = await Deployment.start(`${__filename}-byo`);
        const config = stackConfig("test/fixtures/Pulumi.byo-ec.yaml", deployment.azurite.accountName);
        config["entra-wif:signingKey"] = { publicKeys: [fs.readFileSync(publicKeyFile, "utf8")] };
        deployed = await deployment.up(config);
        api = await cluster.start([
            // What kubeadm sets for its own keys, then the stack's flags, which name no key file.
            `--service-account-key-file=${publicKeyFile}`,
            `--service-account-signing-key-file=${path.join(pki, "sa.key")}`,
            ...(deployed.plan.outputs.kubeApiServerFlags as string[]),
        ]);
        await cluster.create(workloadObjects(deployed));
    });

    afterAll(async () => {
        await cluster.stop();
        await deployment?.stop();
    });

    test("the stack's flags set the issuer only (kubeadm's previous one still accepted): the cluster signs with its own key", () => {
        expect(deployed.plan.outputs.kubeApiServerFlags).toEqual([
            `--service-account-issuer=${deployed.plan.outputs.issuerUrl}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        ]);
        expect(JSON.parse(jwksText(deployed.plan)).keys.map((k: { kty: string; crv: string; alg: string }) => [k.kty, k.crv, k.alg])).toEqual([
            ["EC", "P-256", "ES256"],
        ]);
    });

    agreementTests(() => ({ api, deployed, deployment, publicKeyFile }));

    test("the doctor fails the EC token on its algorithm alone, predicting AADSTS5002738", async () => {
        const token = await requestToken(api, "demo", "workload-sa", AUDIENCE);
        expect(decodeJwt(token).header.alg).toBe("ES256");
        expect(await deployment.doctorFailures({ issuer: deployed.plan.outputs.issuerUrl as string, token, subject: SUBJECT })).toEqual(["token-algorithm"]);
    });
});
