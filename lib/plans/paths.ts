/**
 * Where two sets of inputs differ, as paths (`spec.containers[0].env`), and whether a changed path falls under a
 * provider rule's path: what a provider's Diff compares (lib/plans/providerRules.ts names which paths replace).
 * Pure.
 */
type Json = unknown;

/** The paths at which two values differ (`a.b[2].c`); an added or removed subtree is one path. */
export function changedPaths(a: Json, b: Json, prefix = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const isObject = (v: Json) => v !== null && typeof v === "object";
    if (Array.isArray(a) && Array.isArray(b)) {
        const out: string[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
            if (i >= a.length || i >= b.length) out.push(`${prefix}[${i}]`);
            else out.push(...changedPaths(a[i], b[i], `${prefix}[${i}]`));
        }
        return out;
    }
    if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
        const ao = a as Record<string, Json>;
        const bo = b as Record<string, Json>;
        const out: string[] = [];
        for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
            out.push(...changedPaths(ao[k], bo[k], prefix ? `${prefix}.${k}` : k));
        }
        return out;
    }
    return [prefix];
}

/** Whether a changed path falls under a rule's path (`spec.containers[*].env` matches `spec.containers[0].env[1].value`). */
export function pathMatches(changed: string, rulePath: string): boolean {
    const c = changed.replace(/\[\d+\]/g, "[*]");
    const under = (x: string, y: string) => x === y || x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
    // A whole object added or removed above the rule's path changes it too.
    return under(c, rulePath) || under(rulePath, c);
}
