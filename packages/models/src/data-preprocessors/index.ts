/** Data preprocessors: the step from a dataset's batch to the tensor a model reads. */
export { DetDataPreprocessor, detDataPreprocessorSchema, type DetDataPreprocessorOptions, type DetPreprocessed } from './det-data-preprocessor.js';
