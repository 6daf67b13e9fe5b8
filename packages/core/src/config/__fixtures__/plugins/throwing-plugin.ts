// A plugin whose top level throws, as one with a bug would.
throw new Error('plugin exploded while registering');

export {};
