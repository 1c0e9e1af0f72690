import type { BatonCommand } from '../cli.js';
import { changedFilesCommand, verifyCommand } from './verify.js';

/** Every `baton` subcommand, in the order --help lists them. */
export const COMMANDS: BatonCommand[] = [verifyCommand, changedFilesCommand];
