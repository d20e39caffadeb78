// The commands of `ferry`: one file each, exporting `register(program)`. Adding a command is one file and one
// line here. (`ferry --help` lists them in the order they are registered: this module's exports, alphabetically.)
export { register as demo } from './demo.js';
export { register as failback } from './failback.js';
export { register as failover } from './failover.js';
export { register as journal } from './journal/index.js';
export { register as resync } from './resync.js';
export { register as rules } from './rules/index.js';
export { register as serve } from './serve.js';
export { register as ship } from './ship.js';
export { register as status } from './status.js';
export { register as verify } from './verify.js';
