// The demo world's names, apart from its generator so the CLI's help can name them without loading it.

/** The collection the demo embeddings go to. */
export const DEMO_COLLECTION = 'demo-clip';
export const DEMO_DIMENSION = 64;
