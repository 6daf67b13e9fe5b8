/** Detectors: whole models from images to losses and detections. */
export { SingleStageDetector, singleStageDetectorSchema, type SingleStageDetectorOptions, type DetHead } from './single-stage.js';
export { ATSS, type ATSSOptions } from './atss.js';
export { checkNumClasses, assertNumClasses } from './check-num-classes.js';
