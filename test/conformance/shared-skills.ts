import { cp } from 'node:fs/promises';

/**
 * Fills the shared `.agents/skills` folder as an earlier baton left it, with the Codex skills
 * (`baton-<command>` in Codex's wording, and the roles): baton writes nothing there now, but a user who
 * upgraded from it, or another tool, may still have skills of these names there, which OpenCode and
 * Qwen Code both read.
 */
export async function codexSkillsInSharedFolder(codexSkills: string, sharedSkills: string): Promise<void> {
  await cp(codexSkills, sharedSkills, { recursive: true });
}
