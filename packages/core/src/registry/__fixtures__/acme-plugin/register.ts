// A module of another package (see the package.json beside it) that registers into a registry it is given.
import type { Registry } from '../../registry.js';

export class AcmeNeck {}

export function registerAcme(registry: Registry, name = 'FPN'): void {
  registry.register(AcmeNeck, { name });
}
