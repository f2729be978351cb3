/**
 * A stand-in provider plugin's process: `main.ts <provider> [engine address]`, started by the engine through the
 * `pulumi-resource-<provider>` script tools/engine/standins/plugins.ts writes.
 */
import { STAND_INS } from "./providers";
import { serve } from "./server";

const name = process.argv[2];
const make = STAND_INS[name];
if (!make) {
    process.stderr.write(`no stand-in provider ${JSON.stringify(name)}; there are: ${Object.keys(STAND_INS).join(", ")}\n`);
    process.exit(2);
}
serve(make()).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
});
