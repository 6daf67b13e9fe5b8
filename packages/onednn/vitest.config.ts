import { detlabProject } from '../../vitest.shared.js';

export default detlabProject('onednn');
