/**
 * The README is the front door: what the project does, the two commands, the five scenarios, and links to the
 * reference under docs/; every relative link in it and in docs/ leads to a file that exists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { DOC_FILES, docPath, readDoc } from "../support/docs";

test("the README stays short: at most 250 lines", () => {
    expect(readDoc(DOC_FILES.readme).split("\n").length).toBeLessThanOrEqual(250);
});

test("it has the two commands, the five scenarios, and a link to every reference document", () => {
    const readme = readDoc(DOC_FILES.readme);
    expect(readme).toContain("npm ci && pulumi stack select --create dev && pulumi up");
    expect(readme).toContain("npm ci && npm test");
    expect(
        readme
            .split("## The five scenarios")[1]
            .split("\n## ")[0]
            .split("\n")
            .filter((l) => /^\| [^-]/.test(l)).length - 1,
    ).toBe(5);
    const docs = [...Object.values(DOC_FILES).filter((f) => f !== DOC_FILES.readme), "docs/ARCHITECTURE.md", "docs/benchmarks.md"];
    for (const file of docs) expect([file, readme.includes(`](${file})`)]).toEqual([file, true]);
});

test("every relative link in the README and docs/ leads to a file that exists", () => {
    const files = [DOC_FILES.readme, ...fs.readdirSync(docPath("docs")).map((f) => `docs/${f}`)];
    for (const file of files) {
        for (const [, target] of readDoc(file).matchAll(/\]\(([^)\s]+)\)/g)) {
            if (/^(https?:|mailto:|#)/.test(target)) continue;
            const resolved = path.resolve(path.dirname(docPath(file)), target.split("#")[0]);
            expect([file, target, fs.existsSync(resolved)]).toEqual([file, target, true]);
        }
    }
});

test("the package's install line names the release tag of package.json's version, and the folder PulumiPlugin.yaml is in", () => {
    const version = JSON.parse(readDoc("package.json")).version as string;
    const readme = readDoc(DOC_FILES.readme);
    const installs = [...readme.matchAll(/pulumi package add (https:\/\/\S+)@(v\S+)/g)];
    expect(installs.length).toBeGreaterThan(0);
    for (const [, url, tag] of installs) {
        expect([url, tag]).toEqual([expect.stringMatching(/\/entra-wif\/provider$/), `v${version}`]);
        expect(fs.existsSync(docPath("provider/PulumiPlugin.yaml"))).toBe(true);
    }
    for (const [, tag] of readme.matchAll(/git clone --branch (v\S+)/g)) expect(tag).toBe(`v${version}`);
});

describe("the README's package examples are the tested ones", () => {
    const block = (language: string): string => {
        const m = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(readDoc(DOC_FILES.readme).split("## From other languages")[1]);
        expect([language, m !== null]).toEqual([language, true]);
        return m![1].replace(/^ {2}/gm, "");
    };
    const linesOf = (text: string) =>
        text
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "");

    test.each([
        ["python", "examples/python/__main__.py"],
        ["go", "examples/go/main.go"],
    ])("every line of the %s snippet is in %s (which test:engine type-checks or compiles)", (language, file) => {
        const example = new Set(linesOf(readDoc(file)));
        for (const line of linesOf(block(language))) expect([line, example.has(line)]).toEqual([line, true]);
    });

    test("the YAML snippet is examples/yaml's component with its config's defaults filled in", () => {
        const snippet = parseYaml(block("yaml"));
        const example = parseYaml(readDoc("examples/yaml/Pulumi.yaml"));
        const { storageAccountName: _derived, ...issuer } = example.resources.wif.properties.issuer;
        expect(snippet.resources.wif).toEqual({
            type: example.resources.wif.type,
            properties: { ...example.resources.wif.properties, location: example.config.location.default, issuer },
        });
        expect(snippet.outputs.issuerUrl).toBe(example.outputs.issuerUrl);
    });

    test("the C# snippet names the schema's types as the .NET generator does (Pulumi.<Package>.Inputs.<Type>Args)", () => {
        const schema = JSON.parse(readDoc("schema.json")) as { types: Record<string, unknown> };
        for (const [, type] of block("csharp").matchAll(/Pulumi\.EntraWif\.Inputs\.(\w+)Args/g)) {
            expect([type, `entra-wif:index:${type}` in schema.types]).toEqual([type, true]);
        }
    });
});
