// A plugin imported by two configs at once (diff-config loads both in parallel): counts its evaluations.
const counter = globalThis as { __detlabFixtureConcurrentPlugin?: number };
counter.__detlabFixtureConcurrentPlugin = (counter.__detlabFixtureConcurrentPlugin ?? 0) + 1;

export {};
