/**
 * The entra-wif package's plugin, as a Node.js language host starts it from source. A package installed with
 * `pulumi package add <git URL>/provider@<tag>` has no binary of the name Pulumi gives it (the URL's), so Pulumi reads
 * PulumiPlugin.yaml in this folder (runtime nodejs) and the host runs @pulumi/pulumi's cmd/run-plugin on the folder:
 * it loads package.json's main, this file, and as it exports a function calls it and awaits what it returns
 * (@pulumi/pulumi cmd/run-plugin/run.js). Installing the package ran `npm install` here, whose postinstall installed the
 * repository's own dependencies at its root (npm ci), where the rest of the package loads them from.
 *
 * Node runs the TypeScript through Sucrase, as the launcher does (pulumi-resource-entra-wif). run-plugin has already
 * registered ts-node for .ts with type-checking on and, outside the repository, none of its tsconfig.json
 * (@pulumi/pulumi 3.270 cmd/run-plugin: index.js passes typeScript true whatever the runtime options say; run.js
 * registers ts-node with typeCheck true and reads tsconfig.json from the consumer's folder): that would type-check the
 * whole package under other compiler options at every start. So that registration is switched off (ts-node's
 * documented service.enabled(false), found where register() leaves it: process[Symbol.for("ts-node.register.instance")]),
 * which leaves its hooks passing files through untouched, and Sucrase's hook goes in on top.
 */
"use strict";

module.exports = function startEntraWifPlugin() {
    process[Symbol.for("ts-node.register.instance")]?.enabled(false);
    require("sucrase/register/ts");
    return require("./main.ts").serve(process.argv.slice(2));
};
