/**
 * Imports every detlab package, so that each registers its classes before a config is validated or built.
 * The trainer is the only package allowed to import them all (see ARCHITECTURE.md).
 */
import '@detlab/tensor';
import '@detlab/models';
import '@detlab/datasets';
import '@detlab/engine';
import '@detlab/distill';
import '@detlab/wandb';
