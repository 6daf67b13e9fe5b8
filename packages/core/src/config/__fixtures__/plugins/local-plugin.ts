// A plugin module given by path: counts its evaluations, so tests can see it ran once.
const counter = globalThis as { __detlabFixtureLocalPlugin?: number };
counter.__detlabFixtureLocalPlugin = (counter.__detlabFixtureLocalPlugin ?? 0) + 1;

export const registered: string = 'LocalPlugin';
