import type { BatonCommand } from '../cli.js';
import { boardCommand, nextCommand } from './board.js';
import { briefCommand } from './brief.js';
import { hookCommand } from './hook.js';
import { lifecycleCommands } from './lifecycle.js';
import { logCommand } from './log.js';
import { changedFilesCommand, verifyCommand } from './verify.js';

/** Every `baton` subcommand, in the order --help lists them. */
export const COMMANDS: BatonCommand[] = [boardCommand, nextCommand, briefCommand, verifyCommand, changedFilesCommand, logCommand, ...lifecycleCommands, hookCommand];
