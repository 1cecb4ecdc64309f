// How long a PR comment may be. GitHub's error says "body is too long (maximum is 65536
// characters)" without saying what a character is: its servers count code points, and one
// measurement (github-limits, "Add limits for issue comments") found issue comments accepting
// 65,536 four-byte emoji but not one ASCII character more, i.e. 262,144 UTF-8 bytes. JavaScript's
// `length` counts UTF-16 units, which is never fewer than code points; UTF-8 bytes are never fewer
// than either. So the size kept here is the UTF-8 byte count against 65,536: within every reading
// of the limit, at the cost of a few bytes for the emoji in the titles.

/** The most any comment body (marker included) may hold, in UTF-8 bytes. */
export const MAX_COMMENT_SIZE = 65_536

/** Room kept for the hidden marker line StickyComment puts before every body. */
export const MARKER_ROOM = 64

/** What a rendered body (without the marker) may hold. */
export const COMMENT_BODY_BUDGET = MAX_COMMENT_SIZE - MARKER_ROOM

/** The size as counted against the limit: UTF-8 bytes, the strictest count. */
export function commentSize(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
