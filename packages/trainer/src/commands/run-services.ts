/**
 * The services a training or test run gets besides the defaults: the factory that turns a `*_dataloader`
 * config into a `DataLoader` of @detlab/datasets (the engine cannot import datasets; see ARCHITECTURE.md).
 */
import { rootContainer, type DependencyContainer } from '@detlab/core';
import { DataLoader } from '@detlab/datasets';
import { DATALOADER_FACTORY, type DataloaderFactory } from '@detlab/engine';

/** A child of the root container with the dataloader factory registered; `imports` are the config's custom_imports. */
export function runServices(imports: readonly string[]): DependencyContainer {
  const services = rootContainer.createChildContainer();
  const factory: DataloaderFactory = (cfg, { path, seed }) =>
    // Workers rebuild the dataset from its config, so they import the same plugins first.
    new DataLoader({ seed, worker_imports: [...imports], ...cfg } as ConstructorParameters<typeof DataLoader>[0], path);
  services.register(DATALOADER_FACTORY, { useValue: factory });
  return services;
}
