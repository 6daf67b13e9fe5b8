import { detlabProject } from '../../vitest.shared.js';

export default detlabProject('plugin-example');
