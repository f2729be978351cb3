/**
 * What every command-line tool of the project shares: --help and --version, and one way to print a flag table, so
 * `--help`, the documentation's tables and the parsers list the same flags (test/unit/cli-help.test.ts holds them together).
 */
import { versionText } from "./version";

/** A flag as --help prints it and the documentation's table lists it: `--name <value>` and what it does. */
export type Flag = readonly [flag: string, meaning: string];

/** The two flags every tool takes. */
export const INFO_FLAGS: readonly Flag[] = [
    ["--help, -h", "Print this help and exit 0."],
    ["--version", "Print entra-wif's version and exit 0."],
];

/** The help text: what the tool does, its usage line, every flag with its meaning, then anything else to say. */
export function formatHelp(intro: readonly string[], usage: string, flags: readonly Flag[], after: readonly string[] = []): string {
    const width = Math.max(...flags.map(([f]) => f.length));
    return [...intro, "", usage, "", ...flags.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`), ...(after.length ? ["", ...after] : [])].join(
        "\n",
    );
}

/** The documentation's table rows for the flags: `| \`--flag <v>\` | meaning |`. */
export const flagTableRows = (flags: readonly Flag[]): string => flags.map(([flag, meaning]) => `| \`${flag}\` | ${meaning} |`).join("\n");

/** What to print when the arguments ask for help or the version, or undefined to run the tool. */
export function infoRequested(argv: readonly string[], help: () => string): string | undefined {
    if (argv.includes("--help") || argv.includes("-h")) return `${help()}\n`;
    if (argv.includes("--version")) return `${versionText()}\n`;
    return undefined;
}

/**
 * A document (the README, docs/) with each `<!-- flags: name -->` table filled from `tables`: how the tables are written, and how the
 * test checks they are current (ENTRA_WIF_RECORD_README=1 npx jest test/unit/cli-help.test.ts rewrites them).
 */
export function withFlagTables(readme: string, tables: Record<string, readonly Flag[]>): string {
    return readme.replace(
        /<!-- flags: ([\w-]+) -->\n[\s\S]*?<!-- end flags: \1 -->/g,
        (_all, name: string) => `<!-- flags: ${name} -->\n| flag | what it does |\n| --- | --- |\n${flagTableRows(tables[name])}\n<!-- end flags: ${name} -->`,
    );
}

/**
 * The entry of a tool that takes no arguments besides --help and --version: prints what those ask for and exits 0,
 * refuses anything else with the usage line and exit 2, and otherwise runs the tool.
 */
export function runWithoutArguments(argv: readonly string[], help: () => string, usage: string, run: () => void): void {
    const info = infoRequested(argv, help);
    if (info !== undefined) process.stdout.write(info, () => process.exit(0));
    else if (argv.length > 0) {
        process.stderr.write(`unknown argument: ${argv[0]}\n${usage}\n`);
        process.exit(2);
    } else run();
}
