/**
 * How a value is read and refused: ConfigError (key, value, what is allowed), the collector that finds every problem in
 * one run, and the helpers every section's parser shares.
 */

/** A bad config value: the one message a user sees, naming key, value and what is allowed. */
export class ConfigError extends Error {
    constructor(
        readonly key: string,
        readonly value: unknown,
        readonly allowed: string,
    ) {
        super(`${key}: ${describeValue(value)} is not valid; ${allowed}`);
        this.name = "ConfigError";
    }
}

/**
 * Several bad values found in one run: each its own ConfigError, reported one line each in key order, so a user fixes
 * them all at once instead of one `pulumi up` per mistake. (A single problem is thrown as that ConfigError itself.)
 */
export class ConfigProblems extends Error {
    constructor(readonly problems: ConfigError[]) {
        super(problems.map((p) => p.message).join("\n"));
        // The same name as ConfigError: every caller that treats a config error as the whole story treats these so too.
        this.name = "ConfigError";
    }
}

/** Collects ConfigErrors while parsing goes on with a stand-in value, so one run finds every problem. */
export class Problems {
    private readonly found: ConfigError[] = [];

    /** Runs `parse`; on a ConfigError records it (or each of several) and returns `fallback`. */
    attempt<T>(parse: () => T, fallback: T): T {
        try {
            return parse();
        } catch (err) {
            if (err instanceof ConfigError) this.found.push(err);
            else if (err instanceof ConfigProblems) this.found.push(...err.problems);
            else throw err;
            return fallback;
        }
    }

    /** Throws what was found: nothing, the one ConfigError, or ConfigProblems sorted by key (stable for one key). */
    throwIfAny(): void {
        const unique = this.found.filter((p, i) => this.found.findIndex((q) => q.message === p.message) === i);
        if (unique.length === 1) throw unique[0];
        if (unique.length > 1) {
            const sorted = unique.map((p, i) => ({ p, i })).sort((a, b) => (a.p.key < b.p.key ? -1 : a.p.key > b.p.key ? 1 : a.i - b.i));
            throw new ConfigProblems(sorted.map(({ p }) => p));
        }
    }
}

export function describeValue(value: unknown): string {
    if (value === undefined) return "(missing)";
    if (typeof value === "string") {
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shown);
    }
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
export function distance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return dp[a.length][b.length];
}

export function closest(needle: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = distance(needle.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(needle.length / 3)) ? best : undefined;
}

/**
 * The known fields that misspelt ones were meant to be ("serviceAcount" → serviceAccount): a check that such a field
 * is missing would only repeat the misspelling, so it is not made.
 */
export function meantFields(obj: Record<string, unknown>, known: readonly string[]): Set<string> {
    const meant = new Set<string>();
    for (const field of Object.keys(obj)) {
        if (known.includes(field)) continue;
        const guess = closest(field, known);
        if (guess !== undefined && obj[guess] === undefined) meant.add(guess);
    }
    return meant;
}

export function rejectUnknownFields(key: string, obj: Record<string, unknown>, known: readonly string[]): void {
    const problems = new Problems();
    for (const field of Object.keys(obj)) {
        if (!known.includes(field)) {
            const guess = closest(field, known);
            problems.attempt(() => {
                throw new ConfigError(
                    `${key}.${field}`,
                    obj[field],
                    `"${field}" is not a known setting of ${key}${guess ? `; did you mean "${guess}"?` : ""} (known: ${known.join(", ")})`,
                );
            }, undefined);
        }
    }
    problems.throwIfAny();
}

/** A config key as `pulumi config set --path` writes it: without the project's namespace. */
export const cliPath = (key: string) => key.replace(/^[^:]+:/, "");

/**
 * Text where a name belongs. `pulumi config set --path` stores a value of digits that does not start with 0 as a
 * number, and true/false as booleans (sdk/go/common/resource/config/object.go coerce; the same for numbers written
 * in a stack file without quotes): a number reads back as the same digits, so it is taken as that text; a boolean is
 * refused with the command that stores text.
 */
export function asText(key: string, value: unknown, what = "a string"): string {
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
    if (typeof value === "boolean" || typeof value === "number") {
        throw new ConfigError(
            key,
            value,
            `expected ${what}; the Pulumi CLI stored this as a ${typeof value} (set with --path, or unquoted in the stack file): ` +
                `pulumi config set --path '${cliPath(key)}' --type string ${String(value)}`,
        );
    }
    throw new ConfigError(key, value, `expected ${what}`);
}

/**
 * A list setting's value. `pulumi config set --path key '["a"]'` stores the text of a list, not a list: such text is
 * read as the list it spells.
 */
export function asList(value: unknown): unknown {
    if (typeof value === "string" && value.trim().startsWith("[")) {
        try {
            const parsed: unknown = JSON.parse(value);
            if (Array.isArray(parsed)) return parsed;
        } catch {
            // Not a list after all: refused as what it is.
        }
    }
    return value;
}

/** How to set a list item by item, for a message: what the Pulumi CLI turns into a list. */
export const listCommand = (key: string, example: string) => `pulumi config set --path '${cliPath(key)}[0]' ${example}`;

/**
 * A list setting: absent or null is empty, anything but a list is one problem, and each item is parsed on its own
 * so that every bad item is reported. A bad item is left out, or stands in as `placeholder(item)` when later checks
 * refer to it (a workload naming an identity whose own settings were wrong is not a second mistake).
 */
export function listOf<T>(
    p: Problems,
    key: string,
    value: unknown,
    expected: string,
    parseItem: (item: unknown, itemKey: string, index: number) => T,
    placeholder?: (item: unknown) => T | undefined,
): T[] {
    if (value === undefined || value === null) return [];
    value = asList(value);
    if (!Array.isArray(value)) {
        p.attempt(() => {
            throw new ConfigError(key, value, expected);
        }, undefined);
        return [];
    }
    const items: T[] = [];
    (value as unknown[]).forEach((item, i) => {
        const parsed = p.attempt<T | undefined>(() => parseItem(item, `${key}[${i}]`, i), placeholder?.(item));
        if (parsed !== undefined) items.push(parsed);
    });
    return items;
}

/** Parses a raw Pulumi config string: structured values arrive as JSON text. */
export function parseRaw(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

export function asObject(key: string, value: unknown, example: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new ConfigError(key, value, `expected an object, e.g. ${example}`);
    }
    return value as Record<string, unknown>;
}

/** How a near miss is compared: case, hyphens, underscores and spaces do not count. */
export const fold = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");

/**
 * One of a fixed set of words. A value that is a near miss says what was meant: a hint for a word users are known
 * to write (hints: folded word → advice), or the allowed word it differs from by case or by a letter or two.
 */
export function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T, hints: Record<string, string> = {}): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !allowed.includes(value as T)) {
        const listed = `use one of: ${allowed.join(", ")}`;
        if (typeof value !== "string") throw new ConfigError(key, value, listed);
        const hint = hints[fold(value)];
        if (hint !== undefined) throw new ConfigError(key, value, `${hint}; ${listed}`);
        const sameWord = allowed.find((a) => fold(a) === fold(value));
        const guess = sameWord ?? (value.length >= 3 ? closest(value, allowed) : undefined);
        throw new ConfigError(key, value, guess !== undefined ? `did you mean "${guess}"? ${listed}` : listed);
    }
    return value as T;
}

export function optionalString(key: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    return asText(key, value);
}

export function checkName(key: string, value: string | undefined, problem: (v: string) => string | undefined): void {
    if (value === undefined) return;
    const p = problem(value);
    if (p) throw new ConfigError(key, value, p);
}

export function parseBoolean(key: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    throw new ConfigError(key, value, "use true or false");
}

export function parseStringList(p: Problems, key: string, value: unknown, problem: (v: string) => string | undefined): string[] {
    return listOf(p, key, value, `expected a list of names: ${listCommand(key, "<name>")}`, (item, itemKey) => {
        const name = asText(itemKey, item, "a name");
        checkName(itemKey, name, problem);
        return name;
    });
}
