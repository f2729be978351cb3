/**
 * azure-native:location against Azure's region names (lib/config/regions.ts): a typo is refused before any resource is
 * registered, with the nearest names and the command that sets one; a name far from every known region (a region newer
 * than the list) passes with a warning; a newer region of a series (westus4 beside westus3) is never taken for a typo.
 */
import { configWarnings, ConfigProblems, parseStackConfig } from "../../lib/config";
import { AZURE_REGIONS, locationProblem, nearestRegions, unlistedLocationWarning } from "../../lib/config/regions";

const parse = (location: string) => () => parseStackConfig({ "azure-native:location": location }, { stack: "dev" });

test("a typo of a region is refused with the nearest names and the command, in the program's one message", () => {
    expect(locationProblem("westeurop")).toBe(
        "no Azure region has that name; the nearest: westeurope. Set it with `pulumi config set azure-native:location westeurope` " +
            "(`az account list-locations -o table` lists every region your subscription can use)",
    );
    expect(nearestRegions("uksouht")).toEqual(["uksouth"]);
    expect(nearestRegions("eastuss")).toEqual(["eastus", "eastus2"]);
    expect(parse("westeurop")).toThrow(/^azure-native:location: "westeurop" is not valid; no Azure region has that name; the nearest: westeurope\./);
    expect(() => parseStackConfig({ "azure-native:location": "northeurop", "entra-wif:signingKey": { rsaBits: 3 } } as never, { stack: "dev" })).toThrow(
        ConfigProblems,
    );
});

test("every listed region, and a region newer than the list, pass; the newer one with a warning that says how to check", () => {
    for (const r of AZURE_REGIONS) expect([r, locationProblem(r), unlistedLocationWarning(r)]).toEqual([r, undefined, undefined]);
    // A new region of a series is not a typo of its sibling.
    expect(locationProblem("westus4")).toBeUndefined();
    expect(locationProblem("eastus3")).toBeUndefined();
    expect(unlistedLocationWarning("eastus3")).toMatch(/is not in entra-wif's list of Azure regions/);
    // Far from every name: allowed, and said.
    expect(locationProblem("denmarkeast")).toBeUndefined();
    const config = parse("denmarkeast")();
    expect(configWarnings(config, { kubeconfigIsSecret: false })).toEqual([
        'azure-native:location "denmarkeast" is not in entra-wif\'s list of Azure regions (Microsoft Learn, 2026-12): ' +
            "if `az account list-locations -o table` does not list it either, ARM will refuse it",
    ]);
    expect(configWarnings(parse("westeurope")(), { kubeconfigIsSecret: false })).toEqual([]);
});
