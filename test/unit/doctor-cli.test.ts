/** The doctor explains itself: --help, every flag documented where users look, and honest exit codes. */
import { DOC_FILES, readDoc } from "../support/docs";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, FLAGS, helpText, parseArgs, runDoctorCli } from "../../tools/doctor";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { withEnv } from "../support/env";

/** The doctor CLI in this process, with environment variables set for the run. */
const run = (argv: string[], env: Record<string, string | undefined> = {}) => withEnv(env, () => runDoctorCli(argv));

const flagNames = FLAGS.flatMap(([flag]) => flag.split(", ").map((f) => f.split(" ")[0]));

test.each(["--help", "-h"])("%s prints usage with every flag explained and exits 0", async (flag) => {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${helpText()}\n`);
    for (const [flagText, meaning] of FLAGS) {
        expect(r.stdout).toContain(flagText);
        expect(r.stdout).toContain(meaning);
    }
    expect(r.stdout).toMatch(/exit: 0 .*, 1 .*, 2 bad arguments, 3 /);
});

test("the help names every flag the parser accepts, and nothing it does not", () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, "tools", "doctor.ts"), "utf8");
    const parsed = [...source.matchAll(/case "(-{1,2}[\w-]+)":/g)].map((m) => m[1]).sort();
    expect([...flagNames].sort()).toEqual(parsed);
});

test("the documentation documents every flag", () => {
    const readme = readDoc(DOC_FILES.tools);
    for (const [flag] of FLAGS) expect(readme).toContain(`| \`${flag}\` |`);
    expect(readme).toMatch(/3 when it cannot run/);
});

test("each documented flag is accepted", () => {
    const withValue: Record<string, string[]> = {
        "--issuer": ["https://x.example/"],
        "--stack": ["dev"],
        "--public-key": ["sa.pub"],
        "--public-keys-env": ["VAR"],
        "--token-file": ["token"],
        "--subject": ["system:serviceaccount:demo:sa"],
        "--served-from": ["https://acct.blob.core.windows.net/oidc/"],
        "--wait": ["10"],
        "--context": ["kind-entra-wif-dev"],
        "--client-id": ["11111111-2222-4333-8444-555555555555"],
        "--tenant-id": ["72f988bf-0000-4000-8000-00000000a11e"],
        "--cloud": ["AzureChinaCloud"],
        "--authority": ["https://login.chinacloudapi.cn/"],
        "--scope": ["https://vault.azure.net/.default"],
    };
    const exchangeFlags = ["--exchange", "--client-id", "--tenant-id", "--cloud", "--authority", "--scope"];
    for (const flag of flagNames) {
        // --subject is checked against a token; --mint brings its own.
        const token = flag === "--mint" || flag === "--context" ? [] : ["--token-file", "token"];
        const subject = flag === "--endpoints-only" ? [] : ["--subject", "system:serviceaccount:demo:sa", ...token];
        const argv = ["--issuer", "https://x.example/", ...subject, flag, ...(withValue[flag] ?? [])];
        if (flag === "--context") argv.push("--mint");
        if (exchangeFlags.includes(flag)) argv.push("--exchange", "--client-id", "c", "--tenant-id", "t");
        expect(() => parseArgs(argv)).not.toThrow();
    }
});

test("bad arguments exit 2 with the usage line", async () => {
    const r = await run(["--issuer"]);
    expect(r.code).toBe(EXIT.badArguments);
    expect(r.stderr).toMatch(/^--issuer needs a value\nusage: npm run --silent doctor -- /);
});

test("--stack without the Pulumi CLI says so in one line, names --issuer, and is not a bad-arguments exit", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-nopulumi-"));
    try {
        const r = await run(["--stack", "dev"], { PATH: empty });
        expect(r.code).toBe(EXIT.cannotRun);
        expect(r.code).not.toBe(EXIT.badArguments);
        expect(r.stdout).toBe("");
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toMatch(/^doctor: --stack reads the stack's outputs with the Pulumi CLI, and pulumi is not on the PATH; .*--issuer <url>/);
    } finally {
        fs.rmSync(empty, { recursive: true, force: true });
    }
});

test("--stack with a Pulumi CLI that fails reports its first line of stderr, exit 3", async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-pulumi-"));
    try {
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho 'error: no stack named dev found' >&2\nexit 255\n", { mode: 0o755 });
        const r = await run(["--stack", "dev"], { PATH: bin });
        expect(r.code).toBe(EXIT.cannotRun);
        expect(r.stderr).toBe("doctor: pulumi stack output --stack dev failed: error: no stack named dev found\n");
    } finally {
        fs.rmSync(bin, { recursive: true, force: true });
    }
});

test.each<[string, string[], RegExp]>([
    [
        "--exchange without a token",
        ["--issuer", "https://x.example/", "--exchange", "--client-id", "c", "--tenant-id", "t"],
        /^--exchange needs a token: --token-file <file> or --mint$/,
    ],
    [
        "--exchange without a client id",
        ["--issuer", "https://x.example/", "--exchange", "--token-file", "f", "--tenant-id", "t"],
        /^--exchange needs --client-id <id>, or --stack <name> with --subject/,
    ],
    [
        "--exchange without a tenant",
        ["--issuer", "https://x.example/", "--exchange", "--token-file", "f", "--client-id", "c"],
        /^--exchange needs --tenant-id <tenant>/,
    ],
    ["--client-id without --exchange", ["--issuer", "https://x.example/", "--client-id", "c"], /^--client-id is for --exchange$/],
    [
        "an http authority",
        ["--issuer", "https://x.example/", "--exchange", "--token-file", "f", "--client-id", "c", "--tenant-id", "t", "--authority", "http://login.example/"],
        /^--authority is an https URL/,
    ],
    [
        "an unknown cloud",
        ["--issuer", "https://x.example/", "--exchange", "--token-file", "f", "--client-id", "c", "--tenant-id", "t", "--cloud", "AzureCloud"],
        /^--cloud is one of AzurePublicCloud, AzureUSGovernmentCloud, AzureChinaCloud$/,
    ],
    [
        "--exchange with --endpoints-only",
        ["--issuer", "https://x.example/", "--exchange", "--endpoints-only", "--token-file", "f", "--client-id", "c", "--tenant-id", "t"],
        /^--exchange needs a token; --endpoints-only checks none$/,
    ],
])("bad --exchange arguments are refused before anything is sent: %s", (_what, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
});

test("--version prints the project's version and exits 0", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`entra-wif ${pkg.version} (Node.js ${process.version})\n`);
});

test.each<[string, string[], RegExp]>([
    [
        "--subject without a token",
        ["--issuer", "https://x.example/", "--subject", "system:serviceaccount:demo:sa"],
        /^--subject is checked against a token: give --token-file <file>, or --mint to have kubectl create one$/,
    ],
    [
        "--subject with --endpoints-only",
        ["--issuer", "https://x.example/", "--subject", "system:serviceaccount:demo:sa", "--token-file", "t", "--endpoints-only"],
        /^--subject checks a token; --endpoints-only checks none$/,
    ],
    ["--served-from that is not https", ["--issuer", "https://x.example/", "--served-from", "http://acct/oidc/"], /^--served-from is the https URL/],
])("refused before anything is fetched: %s", (_what, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
});

describe("--public-key files that hold no public key are named, with what was expected (exit 2)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-pubkey-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    // A self-signed certificate, as people pass apiserver.crt instead of sa.pub (fixture: test/fixtures/keys).
    const certFile = path.join(REPO_ROOT, "test", "fixtures", "keys", "certificate.TESTONLY.pem");

    test.each<[string, () => string, RegExp]>([
        ["garbage", () => write("garbage.pub", "not a key at all\n"), /--public-key .*garbage\.pub: no PEM block found; expected a PEM public key/],
        [
            "a certificate",
            () => certFile,
            /--public-key .*certificate\.TESTONLY\.pem: holds a certificate; expected a PEM public key .*openssl x509 -in .* -pubkey -noout/,
        ],
        [
            "a private key",
            () => write("sa.key", pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
            /--public-key .*sa\.key: holds a private key, which the doctor does not read; expected a PEM public key/,
        ],
        [
            "a broken PEM block",
            () => write("broken.pub", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
            /--public-key .*broken\.pub: the PUBLIC KEY block does not parse \(.*\); expected a PEM public key/,
        ],
    ])("%s", async (_what, file, message) => {
        const r = await run(["--issuer", "https://127.0.0.1:1/oidc/", "--public-key", file()]);
        expect(r.code).toBe(EXIT.badArguments);
        expect(r.stdout).toBe("");
        expect(r.stderr.split("\n")[0]).toMatch(message);
        expect(r.stderr).not.toMatch(/PRIVATE KEY-----|MII/);
        expect(new X509Certificate(fs.readFileSync(certFile)).publicKey.asymmetricKeyType).toBe("rsa");
    });
});
