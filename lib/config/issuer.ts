/** entra-wif:issuer: where the OIDC documents are served, and the issuer URL when a CDN fronts them. */
import { DISCOVERY_PATH, issuerUrlProblems, JWKS_PATH } from "../trust/oidc";
import { asObject, checkName, ConfigError, oneOf, optionalString, parseBoolean, Problems, rejectUnknownFields } from "./fields";
import { HOSTING_HINTS } from "./hints";
import { containerNameProblem, storageAccountNameProblem } from "./names";
import { DEFAULTS, ISSUER_HOSTINGS, IssuerConfig, KNOWN_KEYS } from "./types";

export function parseIssuer(p: Problems, key: string, value: unknown): IssuerConfig {
    const obj = p.attempt(() => asObject(key, value, "{hosting: blob, containerName: oidc}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.issuer!), undefined);
    const hosting = p.attempt(() => oneOf(`${key}.hosting`, obj.hosting, ISSUER_HOSTINGS, DEFAULTS.issuer.hosting, HOSTING_HINTS), undefined);
    const verify = p.attempt(() => parseBoolean(`${key}.verify`, obj.verify, DEFAULTS.issuer.verify), DEFAULTS.issuer.verify);
    const sharedKeyAccess = p.attempt(
        () => parseBoolean(`${key}.sharedKeyAccess`, obj.sharedKeyAccess, DEFAULTS.issuer.sharedKeyAccess),
        DEFAULTS.issuer.sharedKeyAccess,
    );
    const writerObjectId = p.attempt(() => {
        const id = optionalString(`${key}.writerObjectId`, obj.writerObjectId);
        if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
            throw new ConfigError(
                `${key}.writerObjectId`,
                id,
                "the object id (a GUID) of the service principal or managed identity that deploys this stack: " +
                    "az ad sp show --id <its client id> --query id -o tsv",
            );
        }
        if (id !== undefined && sharedKeyAccess === true) {
            throw new ConfigError(
                `${key}.writerObjectId`,
                id,
                "with sharedKeyAccess the account key writes the documents and no one is granted a role for it: remove one of the two",
            );
        }
        return id;
    }, undefined);
    const storageAccountName = p.attempt(() => optionalString(`${key}.storageAccountName`, obj.storageAccountName), undefined);
    p.attempt(() => checkName(`${key}.storageAccountName`, storageAccountName, storageAccountNameProblem), undefined);
    let containerName = p.attempt(() => optionalString(`${key}.containerName`, obj.containerName), undefined);
    if (hosting === "staticWebsite") {
        if (containerName !== undefined) {
            p.attempt(() => {
                throw new ConfigError(
                    `${key}.containerName`,
                    containerName,
                    "staticWebsite hosting always serves from the $web container; remove containerName or use hosting: blob",
                );
            }, undefined);
        }
        containerName = undefined;
    } else {
        containerName = containerName ?? DEFAULTS.issuer.containerName;
        p.attempt(() => checkName(`${key}.containerName`, containerName, containerNameProblem), undefined);
    }
    const customUrl = p.attempt(() => {
        const url = optionalString(`${key}.customUrl`, obj.customUrl);
        if (url !== undefined) {
            const problems = issuerUrlProblems(url);
            const urlPath = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? "";
            if (urlPath.includes("//")) problems.push(`its path ${urlPath} has an empty segment (//), which a CDN does not serve as written`);
            const document = [DISCOVERY_PATH, JWKS_PATH].find((d) => urlPath.replace(/\/$/, "").endsWith(`/${d}`));
            if (document !== undefined) {
                problems.push(
                    `it is the URL of a document, not the issuer: the issuer is the part before /${document} (${url.slice(0, url.indexOf(document))})`,
                );
            }
            if (problems.length > 0) {
                throw new ConfigError(
                    `${key}.customUrl`,
                    url,
                    `Entra needs an https issuer URL with a host and no query, fragment or credentials: ${problems.join("; ")}`,
                );
            }
        }
        return url;
    }, undefined);
    return {
        hosting: hosting ?? DEFAULTS.issuer.hosting,
        storageAccountName,
        containerName,
        verify,
        customUrl,
        sharedKeyAccess,
        ...(writerObjectId !== undefined ? { writerObjectId } : {}),
    };
}
