/** After the last test file: stops the run's Azurite (test/support/globalSetup.ts), by its PID, bounded. */
export default async function globalTeardown(): Promise<void> {
    await (globalThis as { entraWifAzurite?: { stop(): Promise<void> } }).entraWifAzurite?.stop();
}
