/**
 * The stack's configuration: read once, validated in one place, before any resource is registered.
 * Every rejection names the key, the value and what is allowed, because the alternative is an AADSTS code an
 * hour later that names none of them.
 *
 * Pure: the input is the raw key → value map Pulumi hands the program (`pulumi.runtime.allConfig()`), values as
 * the strings Pulumi stores (structured values as JSON text).
 */
import { locationProblem } from "./regions";
import { defaultIdentityName } from "../entra/naming";
import { parseCluster } from "./cluster";
import { asObject, checkName, closest, ConfigError, distance, fold, optionalString, parseBoolean, parseRaw, Problems } from "./fields";
import { parseIdentities, parseIdentity } from "./identities";
import { parseIssuer } from "./issuer";
import { resourceGroupNameProblem } from "./names";
import { parseSample, sampleWorkload } from "./sample";
import { parseSigningKey } from "./signingKey";
import { authConfigOutsideEnvironment } from "../trust/deployerCredential";
import { DEFAULTS, IdentityConfig, KNOWN_KEYS, KNOWN_NAMESPACES, OFFLINE_SECRET, PROJECT, StackConfig } from "./types";
import { parseWebhook } from "./webhook";
import { parseWorkloads } from "./workloads";

export { ConfigError, ConfigProblems } from "./fields";
export { configWarnings, EC_KEY_WARNING } from "./warnings";
export {
    aksClusterNameProblem,
    chartVersionProblem,
    containerNameProblem,
    identityNameProblem,
    imageReferenceProblem,
    keyNameProblem,
    keyVaultNameProblem,
    kindClusterNameProblem,
    namespaceProblem,
    resourceGroupNameProblem,
    secretNameProblem,
    serviceAccountProblem,
    storageAccountNameProblem,
} from "./names";
export {
    AKS_DEFAULTS,
    BUILTIN_NAMESPACES,
    DEFAULT_SAMPLE_IMAGE,
    DEFAULT_SAMPLE_SECRET_NAME,
    DEFAULTS,
    INITIAL_KEY_NAME,
    KNOWN_KEYS,
    MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
    OFFLINE_SECRET,
    PROJECT,
    TOKEN_EXPIRATION_RANGE,
} from "./types";
export type {
    AksConfig,
    AzureEnvironment,
    ClusterConfig,
    ClusterMode,
    IdentityConfig,
    IdentityType,
    IssuerConfig,
    IssuerHosting,
    RoleGrantConfig,
    SampleConfig,
    SigningKeyConfig,
    StackConfig,
    WebhookConfig,
    WorkloadConfig,
    WorkloadRef,
} from "./types";

/**
 * Validates the whole stack configuration. `raw` is Pulumi's flat config map ("namespace:key" → string);
 * the stack name derives the default identity name.
 * Throws the ConfigError when one value is bad, and ConfigProblems (one line per problem, in key order) when several are.
 */
export function parseStackConfig(raw: Record<string, string>, context: { stack: string; env?: NodeJS.ProcessEnv }): StackConfig {
    const p = new Problems();
    const ours = (k: string) => parseRaw(raw[`${PROJECT}:${k}`]);
    /** Top-level keys a misspelt key was meant to be: what follows from their absence is not reported again. */
    const meantKeys = new Set<string>();
    let misspeltLocation = false;

    for (const fullKey of Object.keys(raw)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) {
            // A namespace that is a near miss of a known one (entra_wif:, entrawif:, azure_native:) is a typo whose key
            // the program would never read.
            const [namespace, ...rest] = fullKey.split(":");
            // The project's own within two edits; a provider's only by case, separators or one edit, since a stack may
            // carry other providers' settings (random:, github:) that are not typos.
            const meant = (KNOWN_NAMESPACES as readonly string[]).includes(namespace)
                ? undefined
                : (KNOWN_NAMESPACES.find((n) => fold(n) === fold(namespace)) ??
                  (distance(fold(namespace), fold(PROJECT)) <= 2 ? PROJECT : KNOWN_NAMESPACES.find((n) => distance(n, namespace) <= 1)));
            if (meant !== undefined && rest.length > 0) {
                const fix = `${meant}:${rest.join(":")}`;
                if (fix === "azure-native:location") misspeltLocation = true;
                if (meant === PROJECT) meantKeys.add(rest.join(":").split(".")[0]);
                p.attempt(() => {
                    throw new ConfigError(fullKey, parseRaw(raw[fullKey]), `"${namespace}" is not a namespace this program reads; did you mean "${fix}"?`);
                }, undefined);
            }
            continue;
        }
        // A secret of the project's read offline: present, unreadable; only the kubeconfig is meant to be one.
        if (raw[fullKey] === OFFLINE_SECRET && fullKey !== `${PROJECT}:kubeconfig`) {
            p.attempt(() => {
                throw new ConfigError(
                    fullKey,
                    "[encrypted]",
                    `encrypted with --secret, which the offline plan cannot read; of this project's settings only ${PROJECT}:kubeconfig holds a secret: ` +
                        `pulumi config set --path '${fullKey.slice(PROJECT.length + 1)}' <value> (without --secret)`,
                );
            }, undefined);
            continue;
        }
        const k = fullKey.slice(PROJECT.length + 1);
        // `pulumi config set cluster.mode existing` without --path stores a key named "cluster.mode", not mode under cluster.
        const [section, ...field] = k.split(".");
        const fields = KNOWN_KEYS[section];
        if (!(k in KNOWN_KEYS) && field.length > 0 && fields && fields.includes(field.join(".").split("[")[0])) {
            meantKeys.add(section);
            p.attempt(() => {
                throw new ConfigError(
                    fullKey,
                    parseRaw(raw[fullKey]),
                    `a flat key: \`pulumi config set\` without --path stored "${k}" as one name; set ${field.join(".")} inside ${section} instead: ` +
                        `pulumi config rm '${k}' && pulumi config set --path '${k}' ${JSON.stringify(String(parseRaw(raw[fullKey])))} ` +
                        `(or nest it under ${PROJECT}:${section} in the stack file)`,
                );
            }, undefined);
            continue;
        }
        if (!(k in KNOWN_KEYS)) {
            const guess = closest(k, Object.keys(KNOWN_KEYS));
            if (guess !== undefined) meantKeys.add(guess);
            p.attempt(() => {
                throw new ConfigError(
                    fullKey,
                    parseRaw(raw[fullKey]),
                    `"${k}" is not a known setting${guess ? `; did you mean "${PROJECT}:${guess}"?` : ""} (known: ${Object.keys(KNOWN_KEYS).join(", ")})`,
                );
            }, undefined);
        }
    }

    const location = raw["azure-native:location"];
    p.attempt(() => {
        if ((location === undefined || location === "") && !misspeltLocation) {
            throw new ConfigError("azure-native:location", location, "set the Azure region, e.g. `pulumi config set azure-native:location westeurope`");
        }
        if (location !== undefined && location !== "" && !/^[a-z0-9]+$/.test(location)) {
            throw new ConfigError(
                "azure-native:location",
                location,
                "expected an Azure region name such as westeurope (see `az account list-locations -o table`)",
            );
        }
        const problem = location ? locationProblem(location) : undefined;
        if (problem) throw new ConfigError("azure-native:location", location, problem);
    }, undefined);

    // A top-level value is always text (the Pulumi CLI stores it as given): "123" stays "123", not a number.
    const resourceGroupName = p.attempt(() => optionalString(`${PROJECT}:resourceGroupName`, raw[`${PROJECT}:resourceGroupName`]), undefined);
    p.attempt(() => checkName(`${PROJECT}:resourceGroupName`, resourceGroupName, resourceGroupNameProblem), undefined);

    const issuer = parseIssuer(p, `${PROJECT}:issuer`, ours("issuer"));
    const signingKey = parseSigningKey(p, `${PROJECT}:signingKey`, ours("signingKey"));
    const cluster = parseCluster(p, `${PROJECT}:cluster`, ours("cluster"), raw[`${PROJECT}:kubeconfig`], context.stack, signingKey.publicKeys.length > 0, ours);
    const webhook = parseWebhook(p, `${PROJECT}:webhook`, ours("webhook"));
    // The documents' writer (the project's provider plugin) signs in as azure-native does, but from the environment
    // alone: an `azure-native:` auth setting it cannot see would have it write as someone else, or as no one.
    if (context.env !== undefined && cluster.aks === undefined && !issuer.sharedKeyAccess) {
        for (const [key, variable] of authConfigOutsideEnvironment(raw, context.env)) {
            p.attempt(() => {
                throw new ConfigError(
                    key,
                    key.endsWith("Secret") || key.endsWith("Password") || key.endsWith("Token") ? "[secret]" : raw[key],
                    `the issuer documents are written with the deployer's Entra token by entra-wif's provider, which reads the credential from the ` +
                        `environment as azure-native does without config: export ${variable} with the same value (or, for a setting you did not mean, ` +
                        `pulumi config rm ${key})`,
                );
            }, undefined);
        }
    }

    const sampleKey = `${PROJECT}:sample`;
    const sample = parseSample(p, sampleKey, ours("sample"));

    const identityKey = `${PROJECT}:identity`;
    const identitiesKey = `${PROJECT}:identities`;
    const listedIdentities = parseIdentities(p, identitiesKey, ours("identities"), sample.enabled);
    let identities: IdentityConfig[];
    if (listedIdentities.length > 0) {
        // Pulumi.yaml's default {type: managedIdentity} always arrives; anything beyond it is a second definition.
        const single = p.attempt(() => asObject(identityKey, ours("identity"), "{type: managedIdentity}"), undefined) ?? {};
        const fields = Object.keys(single).filter((f) => !(f === "type" && single.type === DEFAULTS.identity.type));
        if (fields.length > 0) {
            p.attempt(() => {
                throw new ConfigError(
                    identityKey,
                    single,
                    `${identitiesKey} already lists the identities; move ${fields.join(", ")} into that list and remove ${identityKey}`,
                );
            }, undefined);
        }
        identities = listedIdentities;
    } else {
        identities = [parseIdentity(p, identityKey, ours("identity"), defaultIdentityName(PROJECT, context.stack), sample.enabled)];
    }

    const workloadsKey = `${PROJECT}:workloads`;
    const workloadsRaw = ours("workloads");
    const workloads = parseWorkloads(p, workloadsKey, workloadsRaw, identities, listedIdentities.length > 0, sample.enabled);
    // A workloads value that is not a list is one problem already; "list at least one" would only repeat it.
    const workloadsListed = (workloadsRaw === undefined || workloadsRaw === null || Array.isArray(workloadsRaw)) && !meantKeys.has("workloads");
    const sampleRunsAs = sample.enabled && workloadsListed ? p.attempt(() => sampleWorkload(sampleKey, sample.workloadRef, workloads), undefined) : undefined;

    const demoKey = `${PROJECT}:demo`;
    const demo = p.attempt(() => parseDemo(demoKey, raw[demoKey]), false);

    p.throwIfAny();
    return {
        demo,
        location,
        resourceGroupName,
        issuer,
        signingKey,
        cluster,
        webhook,
        identities,
        workloads,
        sample: {
            enabled: sample.enabled,
            workload: sampleRunsAs,
            secretName: sample.secretName,
            vaultName: sample.vaultName,
            image: sample.image,
        },
    };
}

/** entra-wif:demo: true or false as the CLI stores it; anything else says the command that sets it. */
function parseDemo(key: string, raw: string | undefined): boolean {
    try {
        return parseBoolean(key, parseRaw(raw), DEFAULTS.demo);
    } catch {
        throw new ConfigError(key, parseRaw(raw), `use true or false: pulumi config set ${key} true (a demo stack the nightly destroy may tear down) or false`);
    }
}
