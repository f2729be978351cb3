/**
 * Azure's region names, to catch a misspelt `azure-native:location` before ARM answers LocationNotAvailableForResourceGroup
 * or NoRegisteredProviderFound. The programmatic names of the public cloud's regions, from Microsoft Learn's "Azure
 * regions list" (learn.microsoft.com/azure/reliability/regions-list) and `az account list-locations`, as of 2026-12.
 * A name near one of them (a typo) is refused with the nearest; a name far from all of them is let through with a
 * warning, so a region newer than this list is never blocked. Pure.
 */
import { distance } from "./fields";

export const AZURE_REGIONS: readonly string[] = [
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/** Within this many edits of a known name, an unknown name is a typo of it. */
const TYPO_DISTANCE = 2;

/** The same name but its trailing number (westus4 beside westus3): a newer region of a series, not a typo. */
const sameSeries = (a: string, b: string) => a.replace(/\d+$/, "") === b.replace(/\d+$/, "") && a !== b;

/** The known regions nearest a name, nearest first (at most three), when it is within a typo of one. */
export function nearestRegions(location: string): string[] {
    // A newer region of a known series (eastus3) may be real: no typo to point out.
    if (AZURE_REGIONS.some((r) => sameSeries(location, r))) return [];
    const scored = AZURE_REGIONS.map((r) => ({ r, d: distance(location, r) }))
        .filter((x) => x.d <= TYPO_DISTANCE)
        .sort((a, b) => a.d - b.d || a.r.localeCompare(b.r));
    return scored.slice(0, 3).map((x) => x.r);
}

/** What is wrong with a location: a typo of a known region (with the nearest), or nothing. */
export function locationProblem(location: string): string | undefined {
    if (AZURE_REGIONS.includes(location)) return undefined;
    const near = nearestRegions(location);
    if (near.length === 0) return undefined;
    return (
        `no Azure region has that name; the nearest: ${near.join(", ")}. Set it with \`pulumi config set azure-native:location ${near[0]}\` ` +
        "(`az account list-locations -o table` lists every region your subscription can use)"
    );
}

/** A location not in the list and far from every name in it: allowed (it may be newer than the list), but said. */
export function unlistedLocationWarning(location: string): string | undefined {
    if (AZURE_REGIONS.includes(location) || nearestRegions(location).length > 0) return undefined;
    return (
        `azure-native:location ${JSON.stringify(location)} is not in entra-wif's list of Azure regions (Microsoft Learn, 2026-12): ` +
        "if `az account list-locations -o table` does not list it either, ARM will refuse it"
    );
}
