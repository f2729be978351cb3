/**
 * Config as the Pulumi CLI writes it, not as one would type it into a YAML file: every `pulumi config` command the
 * README documents yields a config the program accepts (applied by the CLI's own rules, test/support/pulumiConfig.ts);
 * what the CLI makes of digits, true/false and a list spelled as text is accepted or refused with the command that
 * works; a secret set the documented way is planned offline; typos outside the project's namespace, and files that are
 * not stack files, are refused with the closest match.
 */
import { allDocs } from "../support/docs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configWarnings, EC_KEY_WARNING, OFFLINE_SECRET, parseStackConfig } from "../../lib/config";
import { loadStackFile, REPO_ROOT } from "../../tools/offline/stackFile";
import { applyConfigCommand, coerce, configCommandsIn, StackConfigMap } from "../support/pulumiConfig";
import { k8s } from "../support/vectors";

/** Every command the documentation shows. */
const README = allDocs();
const parse = (raw: StackConfigMap) => parseStackConfig(raw, { stack: "dev" });
const dev = () => loadStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml")).config;

describe("the CLI's coercion (sdk/go/common/resource/config/object.go coerce)", () => {
    test.each([
        ["2027", 2027],
        ["2027-02", "2027-02"],
        ["0123", "0123"],
        ["true", true],
        ["True", "True"],
        ["-5", -5],
        ["1.5", "1.5"],
    ])("%s → %j", (text, value) => expect(coerce(text)).toEqual(value));
});

describe("every config command of the README's key rotation, run in order, yields a config the program accepts", () => {
    const section = README.slice(README.indexOf("## Rotate the signing key"), README.indexOf("\n## ", README.indexOf("## Rotate the signing key") + 3));
    const commands = configCommandsIn(section);

    test("the section's commands: add a key (two items), then remove the old one", () => {
        expect(commands).toEqual([
            ["set", "--path", "signingKey.keys[0]", "initial"],
            ["set", "--path", "signingKey.keys[1]", "2027-02"],
            ["rm", "--path", "signingKey.keys[0]"],
        ]);
    });

    test("after each, the program reads the keys the README says", () => {
        let config = dev();
        const expected = [["initial"], ["initial", "2027-02"], ["2027-02"]];
        commands.forEach((cmd, i) => {
            config = applyConfigCommand(config, cmd);
            expect(parse(config).signingKey.keys).toEqual(expected[i]);
        });
    });
});

describe("what the CLI stores where a name belongs", () => {
    test("a key named with digits is stored as a number, and read back as the same name", () => {
        const config = applyConfigCommand(applyConfigCommand(dev(), ["set", "--path", "signingKey.keys[0]", "initial"]), [
            "set",
            "--path",
            "signingKey.keys[1]",
            "2027",
        ]);
        expect(JSON.parse(config["entra-wif:signingKey"]).keys).toEqual(["initial", 2027]);
        expect(parse(config).signingKey.keys).toEqual(["initial", "2027"]);
    });

    test("--type string, the command the refusal of a boolean names, stores text", () => {
        const config = applyConfigCommand(dev(), ["set", "--path", "signingKey.keys[0]", "--type", "string", "true"]);
        expect(() => parse(applyConfigCommand(dev(), ["set", "--path", "signingKey.keys[0]", "true"]))).toThrow(
            "pulumi config set --path 'signingKey.keys[0]' --type string true",
        );
        expect(JSON.parse(config["entra-wif:signingKey"]).keys).toEqual(["true"]);
    });

    test("a list set as its text (`--path signingKey.keys '[...]'`) is read as the list", () => {
        const config = applyConfigCommand(dev(), ["set", "--path", "signingKey.keys", '["initial","2027-02"]']);
        expect(JSON.parse(config["entra-wif:signingKey"]).keys).toBe('["initial","2027-02"]');
        expect(parse(config).signingKey.keys).toEqual(["initial", "2027-02"]);
    });

    test("text that is not a list is refused with the command that makes one", () => {
        const config = applyConfigCommand(dev(), ["set", "--path", "signingKey.keys", "2027-02"]);
        expect(() => parse(config)).toThrow(
            /expected a non-empty list of key names.*Set one item at a time: pulumi config set --path 'signingKey.keys\[0\]' initial/,
        );
    });

    test("a cluster name, a namespace, a service account of digits are names too", () => {
        let config = applyConfigCommand(dev(), ["set", "--path", "workloads[0].namespace", "2027"]);
        config = applyConfigCommand(config, ["set", "--path", "workloads[0].serviceAccount", "42"]);
        expect(parse(config).workloads[0]).toMatchObject({ namespace: "2027", serviceAccount: "42" });
    });

    test('a top-level value of digits stays text: resourceGroupName: "123", and as the CLI sets it', () => {
        expect(parse({ ...dev(), "entra-wif:resourceGroupName": "123" }).resourceGroupName).toBe("123");
        expect(parse(applyConfigCommand(dev(), ["set", "resourceGroupName", "1e3"])).resourceGroupName).toBe("1e3");
    });
});

describe("a secret set the documented way, planned offline", () => {
    test.each([
        ["`pulumi config set --secret kubeconfig` with a passphrase", ["encryptionsalt: v1:abc:def"]],
        // As `pulumi stack init --secrets-provider azurekeyvault://…` writes the stack file (README: one key per stack).
        [
            "a stack whose secrets are under an Azure Key Vault key",
            ["secretsprovider: azurekeyvault://kv-pulumi-stacks.vault.azure.net/keys/stack-lab", "encryptedkey: cGxhY2Vob2xkZXIta2V5LXdyYXBwZWQ="],
        ],
    ])("%s writes {secure: ...}: the plan takes it as present, secret, unreadable", (_what, header) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-secure-"));
        try {
            const file = path.join(dir, "Pulumi.lab.yaml");
            const config = ["config:", "  azure-native:location: westeurope", "  entra-wif:cluster:", "    mode: existing"];
            fs.writeFileSync(file, [...header, ...config, "  entra-wif:kubeconfig:", "    secure: v1:Zm9vYmFy:c2VjcmV0", ""].join("\n"));
            const stack = loadStackFile(file);
            expect(stack.config["entra-wif:kubeconfig"]).toBe(OFFLINE_SECRET);
            expect(stack.secretKeys).toEqual(["entra-wif:kubeconfig"]);
            expect(parseStackConfig(stack.config, { stack: stack.stack }).cluster).toMatchObject({ mode: "existing", kubeconfig: OFFLINE_SECRET });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("another of the project's settings encrypted is refused: it holds no secret, and the plan cannot read it", () => {
        expect(() => parse({ ...dev(), "entra-wif:sample": OFFLINE_SECRET })).toThrow(
            /entra-wif:sample: "\[encrypted\]" is not valid; encrypted with --secret, which the offline plan cannot read; .* \(without --secret\)/,
        );
    });
});

describe("typos outside the project's keys", () => {
    test.each([
        ["entra_wif:workloads", "entra-wif:workloads"],
        ["entrawif:sample", "entra-wif:sample"],
        ["Entra-Wif:identity", "entra-wif:identity"],
        ["entra-wfi:cluster", "entra-wif:cluster"],
        ["azure_native:location", "azure-native:location"],
        ["azure-nativ:location", "azure-native:location"],
    ])("%s: did you mean %s?", (typo, meant) => {
        const raw = { ...dev(), [typo]: '{"a":1}' };
        if (meant === "azure-native:location") delete raw["azure-native:location"];
        expect(() => parse(raw)).toThrow(`"${typo.split(":")[0]}" is not a namespace this program reads; did you mean "${meant}"?`);
        // The misspelt location is one problem, not also "set the Azure region".
        if (meant === "azure-native:location") expect(() => parse(raw)).not.toThrow(/set the Azure region/);
    });

    test("other providers' settings are left alone", () => {
        expect(() => parse({ ...dev(), "random:seed": "1", "github:owner": "me", "pulumi:tags": "{}" })).not.toThrow();
    });

    const stackFile = (name: string, text: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-stackfile-"));
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return { file, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
    };

    test.each([
        [
            "configuration: instead of config:",
            "Pulumi.dev.yaml",
            "configuration:\n  azure-native:location: westeurope\n",
            /"configuration" is not a section of a stack file; did you mean "config"\?/,
        ],
        ["a list, not a stack file", "Pulumi.dev.yaml", "- a\n- b\n", /is not a stack file: expected a YAML mapping with a config: section/],
        ["not YAML", "Pulumi.dev.yaml", "config: [unclosed\n", /is not YAML: /],
        ["config: as a list", "Pulumi.dev.yaml", "config:\n  - a\n", /config: is not a mapping of keys to values/],
    ])("%s is refused, naming the file", (_what, name, text, message) => {
        const { file, done } = stackFile(name, text);
        try {
            expect(() => loadStackFile(file)).toThrow(message);
            expect(() => loadStackFile(file)).toThrow(file);
        } finally {
            done();
        }
    });

    test("a missing file says so, and what a stack file is", () => {
        expect(() => loadStackFile(path.join(REPO_ROOT, "Pulumi.nope.yaml"))).toThrow(
            /Pulumi\.nope\.yaml: no such file; a stack file is Pulumi.<stack>.yaml in the project folder/,
        );
    });
});

describe("warnings: allowed, but likely to hurt", () => {
    const KUBECONFIG = [
        "apiVersion: v1",
        "clusters: [{name: lab, cluster: {server: https://10.0.0.1:6443}}]",
        "contexts: [{name: lab, context: {cluster: lab, user: admin}}]",
        "users:",
        "- name: admin",
        "  user:",
        "    token: eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        "",
    ].join("\n");
    const existing = { ...dev(), "entra-wif:cluster": '{"mode":"existing"}', "entra-wif:kubeconfig": KUBECONFIG };

    test("a kubeconfig with a bearer token in plain text: set it as a secret (the command given); as a secret: nothing", () => {
        const config = parse(existing);
        expect(configWarnings(config, { kubeconfigIsSecret: false, kubeconfigText: KUBECONFIG })).toEqual([
            expect.stringMatching(/^entra-wif:kubeconfig holds credentials .* in plain text .*pulumi config set --secret kubeconfig -- /),
        ]);
        expect(configWarnings(config, { kubeconfigIsSecret: true, kubeconfigText: KUBECONFIG })).toEqual([]);
    });

    test("an EC public key the cluster signs with", () => {
        const config = parse({
            ...dev(),
            "entra-wif:cluster": '{"mode":"existing","context":"k"}',
            "entra-wif:signingKey": JSON.stringify({ publicKeys: [k8s.ecdsaPublic()] }),
        });
        expect(configWarnings(config, { kubeconfigIsSecret: false })).toEqual([`entra-wif:signingKey.publicKeys[0] ${EC_KEY_WARNING}`]);
        expect(EC_KEY_WARNING).toMatch(/AADSTS5002738/);
    });
});

test("a .yml stack file is refused: pulumi up reads Pulumi.<stack>.yaml, with the project file's extension", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-yml-"));
    try {
        const file = path.join(dir, "Pulumi.mine.yml");
        fs.writeFileSync(file, "config:\n  azure-native:location: westeurope\n");
        expect(() => loadStackFile(file)).toThrow(
            `${file}: pulumi up reads Pulumi.mine.yaml (the extension of Pulumi.yaml), never a .yml stack file; ` +
                "rename it: mv 'Pulumi.mine.yml' 'Pulumi.mine.yaml'",
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
