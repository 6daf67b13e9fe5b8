/** A `runModuleSync` task for tests: uses a decorator and @detlab/core, so it proves the source-mode hooks work. */
import { DetlabError, Registry } from '@detlab/core';

const THINGS = new Registry('thing');

@THINGS.register()
class Doubler {
  constructor(readonly options: { value: number }) {}
  get doubled(): number {
    return this.options.value * 2;
  }
}

export async function run(input: { value: number; fail?: boolean }): Promise<{ doubled: number; named: string }> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (input.fail) throw new DetlabError(`asked to fail with ${input.value}`);
  const built = THINGS.build<Doubler>({ type: 'Doubler', value: input.value });
  return { doubled: built.doubled, named: THINGS.list()[0].name };
}
