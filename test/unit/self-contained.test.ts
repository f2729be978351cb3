/**
 * Users clone this repository alone: nothing the tests, tools or program read may live beside it.
 * Every relative path literal that climbs with "../" must still land inside the repository, counted from the file
 * that names it, and no file names a folder of the workplace the repository happens to sit in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "../../tools/offline/stackFile";

/** The repository's own files, as git knows them (tracked and not ignored), that can name paths. */
function sourceFiles(): string[] {
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
    return listed
        .split("\n")
        .filter((f) => f !== "" && fs.existsSync(path.join(REPO_ROOT, f)))
        .filter((f) => /\.(ts|js|mjs|cjs|json|ya?ml|sh)$/.test(f) || f === ".ci/run")
        .filter((f) => !f.endsWith("package-lock.json"));
}

/** String literals (quoted or template) that start with one or more "../" segments. */
export function climbingPaths(text: string): string[] {
    const found: string[] = [];
    for (const match of text.matchAll(/["'`]((?:\.\.\/)+[^"'`\s$]*)["'`]/g)) found.push(match[1]);
    return found;
}

describe("the repository stands alone", () => {
    const files = sourceFiles();

    test("the guard reads the tests, tools and program", () => {
        expect(files).toEqual(expect.arrayContaining(["index.ts", "test/support/vectors.ts", "tools/offline/plan.ts", ".ci/run", "package.json"]));
    });

    test("the guard's pattern finds a path that climbs out", () => {
        const outside = `${"../".repeat(3)}shared/vectors`;
        expect(climbingPaths(`path.resolve(__dirname, "${outside}")`)).toEqual([outside]);
        expect(climbingPaths(`import x from "../lib/config";`)).toEqual(["../lib/config"]);
    });

    test.each(sourceFiles())("%s names no path outside the repository", (file) => {
        const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
        const outside = climbingPaths(text).filter((p) => {
            const resolved = path.resolve(REPO_ROOT, path.dirname(file), p);
            return resolved !== REPO_ROOT && !resolved.startsWith(REPO_ROOT + path.sep);
        });
        expect(outside).toEqual([]);
        // The workplace's folders: a checkout elsewhere has neither.
        expect(text).not.toMatch(/\/work\/(main|shared)\b|\.\.\/shared\//);
    });

    test("the upstream vectors live in the repository, each folder with its provenance", () => {
        for (const folder of ["kubernetes", "azure-workload-identity"]) {
            const readme = fs.readFileSync(path.join(REPO_ROOT, "test/vectors", folder, "README.txt"), "utf8");
            expect(readme).toMatch(/Version: /);
            expect(readme).toMatch(/_test\.go|pkg\/cmd\/jwks/);
        }
    });
});
