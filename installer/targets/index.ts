import { claudeTarget } from './claude.js';
import { codexTarget } from './codex.js';
import { copilotTarget } from './copilot.js';
import { cursorTarget } from './cursor.js';
import type { Target } from './target.js';

/** Every tool baton installs into, in the order plans list them. */
export const TARGETS: readonly Target[] = [claudeTarget, codexTarget, copilotTarget, cursorTarget];

export const TARGET_IDS: readonly string[] = TARGETS.map((target) => target.id);
