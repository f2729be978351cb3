/** The upstream test vectors kept in test/vectors (Kubernetes' and azure-workload-identity's own tests; provenance in each folder's README.txt). */
import * as fs from "node:fs";
import * as path from "node:path";

export const VECTORS_DIR = path.resolve(__dirname, "../vectors");

export function vector(relative: string): string {
    return fs.readFileSync(path.join(VECTORS_DIR, relative), "utf8");
}

export const k8s = {
    rsaPublic: () => vector("kubernetes/rsa_public.pem"),
    rsaPrivate: () => vector("kubernetes/rsa_private_TESTONLY_fake.pem"),
    ecdsaPublic: () => vector("kubernetes/ecdsa_p256_public.pem"),
    otherRsaPublic: () => vector("kubernetes/other_rsa_public.pem"),
    rsaKid: "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU",
    ecdsaKid: "SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc",
    otherRsaKid: "yEooMTEt7THsoVd-yf2m_0tmtgtZWGhAPFm296R5q18",
};
