export default { name: '_base_/default_runtime.ts' };
