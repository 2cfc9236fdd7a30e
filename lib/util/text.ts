/** Small text helpers shared by the renderers (chat, terminal). */

/**
 * Cuts to `max` UTF-16 units (never inside a surrogate pair), marking the cut with `…`.
 *
 * @example
 * clip('stop-everything-now', 8); // 'stop-ev…'
 */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  return `${last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut}…`;
}

export { clip };
