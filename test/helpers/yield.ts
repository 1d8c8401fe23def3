/**
 * Lets the test worker's event loop run (vitest's RPC to the main process times out after
 * 60 s): a long synchronous loop awaits this between chunks of its iterations.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolvePromise) => setImmediate(resolvePromise));
