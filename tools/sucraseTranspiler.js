/**
 * A ts-node transpiler (tsconfig.json "ts-node".transpiler) that strips types with Sucrase instead of TypeScript's
 * transpileModule: the same JavaScript for this code base (isolatedModules, no enums or namespaces) in a fraction of
 * the time, which is most of what `pulumi up` spends before the program runs. Type checking is `npm test`'s job.
 * Plain JavaScript, because it is loaded before any TypeScript can be.
 */
"use strict";
const { transform } = require("sucrase");

exports.create = function create() {
    return {
        transpile(input, { fileName }) {
            const result = transform(input, {
                transforms: ["typescript", "imports"],
                filePath: fileName,
                sourceMapOptions: { compiledFilename: fileName },
                // Emit what tsc would for CommonJS with esModuleInterop.
                production: true,
            });
            return { outputText: result.code, sourceMapText: JSON.stringify(result.sourceMap) };
        },
    };
};
