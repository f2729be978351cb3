/**
 * What `pulumi config set` and `pulumi config rm` write into a stack's config, for the commands the README documents,
 * by the Pulumi CLI's own rules (pulumi/pulumi sdk/go/common/resource/config):
 *
 * - a top-level value is always a string (pkg/cmd/pulumi/config/config.go, `config set` help);
 * - with --path, "true" and "false" become booleans, and base-10 digits that do not start with 0 (after an optional
 *   sign) become integers (object.go `coerce`: ParseInt/ParseUint); anything else stays a string;
 * - `--type string|int|bool|float` stores the value as that type instead (config.go, since v3.148.0);
 * - `config set --path 'a.b[1]'` creates the maps and lists on the way; `config rm --path 'a.b[0]'` removes the item and
 *   the list closes up (object.go Delete: `append(v[:index], v[index+1:]...)`).
 *
 * The result is the flat map Pulumi hands a program (`namespace:key` → string, structured values as JSON text).
 */
export type StackConfigMap = Record<string, string>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** object.go coerce. */
export function coerce(value: string): Json {
    if (value === "false") return false;
    if (value === "true") return true;
    if (value.length > 1 && value[0] === "0") return value;
    if (/^[+-]?\d+$/.test(value)) {
        const n = BigInt(value);
        if (n >= -(2n ** 63n) && n < 2n ** 64n) return Number(n);
    }
    return value;
}

/** `a.b[1].c` → ["a", "b", 1, "c"]. */
function parsePath(path: string): Array<string | number> {
    const parts: Array<string | number> = [];
    for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    return parts;
}

const typed = (value: string, type?: string): Json =>
    type === "string"
        ? value
        : type === "int"
          ? Number.parseInt(value, 10)
          : type === "bool"
            ? value === "true"
            : type === "float"
              ? Number(value)
              : coerce(value);

/** Applies one `pulumi config set|rm [--path] [--type T] <key> [value]` (the project's namespace implied). */
export function applyConfigCommand(config: StackConfigMap, argv: string[], project = "entra-wif"): StackConfigMap {
    const [verb, ...rest] = argv;
    const path = rest.includes("--path");
    const typeAt = rest.indexOf("--type");
    const type = typeAt >= 0 ? rest[typeAt + 1] : undefined;
    const positional = rest.filter((a, i) => !a.startsWith("--") && !(typeAt >= 0 && i === typeAt + 1));
    const [key, value] = positional;
    const parts = path ? parsePath(key) : [key];
    const fullKey = String(parts[0]).includes(":") ? String(parts[0]) : `${project}:${parts[0]}`;
    const out = { ...config };
    if (parts.length === 1) {
        if (verb === "rm") delete out[fullKey];
        else out[fullKey] = value;
        return out;
    }
    const current = out[fullKey];
    let root: Json = current === undefined ? null : (JSON.parse(current) as Json);
    const setIn = (node: Json, i: number): Json => {
        const part = parts[i];
        const container: Json = node ?? (typeof part === "number" ? [] : {});
        if (i === parts.length - 1) {
            if (Array.isArray(container) && typeof part === "number") {
                if (verb === "rm") return [...container.slice(0, part), ...container.slice(part + 1)];
                const copy = [...container];
                copy[part] = typed(value, type);
                return copy;
            }
            const obj = { ...(container as Record<string, Json>) };
            if (verb === "rm") delete obj[String(part)];
            else obj[String(part)] = typed(value, type);
            return obj;
        }
        if (Array.isArray(container) && typeof part === "number") {
            const copy = [...container];
            copy[part] = setIn(container[part] ?? null, i + 1);
            return copy;
        }
        const obj = { ...(container as Record<string, Json>) };
        obj[String(part)] = setIn(obj[String(part)] ?? null, i + 1);
        return obj;
    };
    root = setIn(root, 1);
    out[fullKey] = JSON.stringify(root);
    return out;
}

/** The `pulumi config set|rm ...` commands in a text, as argument lists (quotes removed). */
export function configCommandsIn(text: string): string[][] {
    const commands: string[][] = [];
    for (const m of text.matchAll(/pulumi config (set|rm) ((?:--path |--type \w+ )*)('[^']+'|\S+)(?: ('[^']*'|[^\s`)&]+))?/g)) {
        const flags = m[2].trim().split(/\s+/).filter(Boolean);
        const unquote = (s: string) => s.replace(/^'(.*)'$/, "$1");
        commands.push([m[1], ...flags, unquote(m[3]), ...(m[4] !== undefined ? [unquote(m[4])] : [])]);
    }
    return commands;
}
