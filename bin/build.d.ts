// Types of bin/build.js for the TypeScript that imports it (the tests' helpers).
/** The package's root folder. */
export const ROOT: string;
/** The build's output folder (dist/). */
export const DIST: string;
/** Why dist/ needs building, or undefined when it is up to date. */
export function staleReason(): string | undefined;
/** Compiles into dist/; throws with tsc's output when it fails. */
export function build(): void;
/** Builds when dist/ is missing or stale. */
export function ensureBuilt(): void;
