/**
 * npm test's static checks, all three at once: the TypeScript compiler's diagnostics (what `tsc --noEmit -p .`
 * reports), ESLint (what `eslint .` reports) and Prettier (what `prettier --check .` reports). TypeScript builds the
 * program once, and ESLint's typed rules read that program (typescript-eslint's `parserOptions.programs`) instead of
 * building a second one: most of either tool's time went to parsing the providers' declarations, @pulumi/azure-native's
 * shared types alone being over 400,000 lines. Prettier runs beside them in a process of its own. Each tool's report
 * is printed as the tool prints it; the exit code is 1 when any of them fails. `npm run lint` runs ESLint and
 * Prettier on their own.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import ts from "typescript";
import { TYPED_FILES } from "../../eslint.config.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);

/** Prettier's check in its own process, started first so that it runs while TypeScript works. */
function prettierCheck() {
    const bin = path.join(path.dirname(require.resolve("prettier/package.json")), "bin", "prettier.cjs");
    return new Promise((resolve) => {
        let output = "";
        const child = spawn(process.execPath, [bin, "--check", "--log-level", "warn", "."], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", (err) => resolve({ ok: false, output: `prettier could not start: ${err.message}\n` }));
        child.on("close", (code) => resolve({ ok: code === 0, output }));
    });
}

/** The program tsconfig.json describes, and what `tsc --noEmit -p .` would report about it. */
function typeCheck() {
    const configErrors = [];
    const parsed = ts.getParsedCommandLineOfConfigFile(
        path.join(ROOT, "tsconfig.json"),
        { noEmit: true },
        { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) },
    );
    if (!parsed) return { program: undefined, diagnostics: configErrors };
    const program = ts.createProgram({
        rootNames: parsed.fileNames,
        options: parsed.options,
        projectReferences: parsed.projectReferences,
        configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    });
    return { program, diagnostics: [...configErrors, ...ts.getPreEmitDiagnostics(program)] };
}

function formatDiagnostics(diagnostics) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" };
    const text = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
    const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
    return `${text}\nFound ${errors} error${errors === 1 ? "" : "s"}.\n`;
}

async function main() {
    const prettier = prettierCheck();
    const { program, diagnostics } = typeCheck();
    let failed = false;
    if (diagnostics.length > 0) {
        process.stdout.write(formatDiagnostics(diagnostics));
        failed ||= diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
    }
    if (program) {
        const eslint = new ESLint({
            cwd: ROOT,
            overrideConfig: [{ files: TYPED_FILES, languageOptions: { parserOptions: { projectService: false, programs: [program] } } }],
        });
        const results = await eslint.lintFiles(["."]);
        const report = await (await eslint.loadFormatter("stylish")).format(results);
        if (report) process.stdout.write(report);
        failed ||= results.some((r) => r.errorCount > 0 || r.fatalErrorCount > 0);
    } else {
        failed = true;
    }
    const formatted = await prettier;
    process.stdout.write(formatted.output);
    failed ||= !formatted.ok;
    return failed ? 1 : 0;
}

main().then(
    (code) => (process.exitCode = code),
    (err) => {
        process.stderr.write(`${err?.stack ?? err}\n`);
        process.exitCode = 1;
    },
);
