/**
 * The doctor's word on issuers Entra cannot reach: hosts on loopback, private, link-local or shared addresses, and
 * names only a local network resolves. Entra fetches the documents from the internet; these pass every other check
 * on the machine that runs the doctor and still fail with AADSTS90061 / AADSTS501661.
 */
import { privateHostReason } from "../../lib/doctor";

test.each([
    ["https://localhost:8443/oidc/", "localhost, this machine"],
    ["https://issuer.localhost/", "issuer.localhost, this machine"],
    ["https://127.0.0.1:10000/devstoreaccount1/oidc/", "127.0.0.1, a loopback address"],
    ["https://10.0.0.4/", "10.0.0.4, a private address"],
    ["https://172.16.0.1/", "172.16.0.1, a private address"],
    ["https://172.31.255.255/", "172.31.255.255, a private address"],
    ["https://192.168.49.2:8443/", "192.168.49.2, a private address"],
    ["https://169.254.169.254/", "169.254.169.254, a link-local address"],
    ["https://100.64.0.1/", "100.64.0.1, a shared (carrier-grade NAT) address"],
    ["https://[::1]:8443/", "[::1], a loopback address"],
    ["https://[fd00::1]/", "[fd00::1], a unique local (private) address"],
    ["https://[fe80::1]/", "[fe80::1], a link-local address"],
    ["https://minio/oidc/", "minio, a name without a domain that only a local network resolves"],
    ["https://issuer.corp.internal/", "issuer.corp.internal, a name only a local network resolves"],
    ["https://nas.local/", "nas.local, a name only a local network resolves"],
])("%s is unreachable for Entra: %s", (issuer, reason) => {
    expect(privateHostReason(issuer)).toBe(reason);
});

test.each([
    "https://entrawifdev.blob.core.windows.net/oidc/",
    "https://entrawifdev.z6.web.core.windows.net/",
    "https://oidc.example.com/",
    "https://172.32.0.1/",
    "https://100.128.0.1/",
    "https://[2001:db8::1]/",
    "https://8.8.8.8/",
])("%s is a public host", (issuer) => {
    expect(privateHostReason(issuer)).toBeUndefined();
});
