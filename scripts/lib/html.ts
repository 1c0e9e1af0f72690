/**
 * HTML escaping for the dashboard. Everything that comes from a repository (titles, ids, branch names,
 * warnings, document text) passes through here before it is put into a page, in text or in an attribute.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}
