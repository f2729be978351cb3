/** entra-wif:webhook: the azure-workload-identity webhook chart. */
import { asObject, checkName, ConfigError, oneOf, optionalString, parseBoolean, Problems, rejectUnknownFields } from "./fields";
import { AZURE_ENVIRONMENT_HINTS } from "./hints";
import { chartVersionProblem } from "./names";
import { AZURE_ENVIRONMENTS, DEFAULTS, KNOWN_KEYS, WebhookConfig } from "./types";

export function parseWebhook(p: Problems, key: string, value: unknown): WebhookConfig {
    const obj = p.attempt(() => asObject(key, value, "{enabled: true, version: 1.6.0}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.webhook!), undefined);
    const enabled = p.attempt(() => parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.webhook.enabled), DEFAULTS.webhook.enabled);
    const version = p.attempt(() => optionalString(`${key}.version`, obj.version), undefined) ?? DEFAULTS.webhook.version;
    p.attempt(() => checkName(`${key}.version`, version, chartVersionProblem), undefined);
    const azureEnvironment = p.attempt(
        () => oneOf(`${key}.azureEnvironment`, obj.azureEnvironment, AZURE_ENVIRONMENTS, DEFAULTS.webhook.azureEnvironment, AZURE_ENVIRONMENT_HINTS),
        DEFAULTS.webhook.azureEnvironment,
    );
    if (!enabled && obj.version !== undefined) {
        p.attempt(() => {
            throw new ConfigError(`${key}.version`, obj.version, `the webhook is off (${key}.enabled false); remove version or enable it`);
        }, undefined);
    }
    return { enabled, version, azureEnvironment };
}
