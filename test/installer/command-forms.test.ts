import { expect, test } from 'vitest';
import { commandFormsSentence, PACKAGE_TARGETS, TARGETS } from '../../installer/targets/index.js';

test('the board and the brief name how every tool types a command that differs from the first', () => {
  const sentence = commandFormsSentence();
  const reference = TARGETS[0]?.invocation('<command>');
  for (const target of [...TARGETS, ...PACKAGE_TARGETS]) {
    if (target.invocation('<command>') === reference) continue;
    expect(sentence, target.label).toContain(` ${target.invocation('<command>')}`);
    expect(sentence, target.label).toContain(target.label);
  }
});
