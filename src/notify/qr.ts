// A QR code of the verification link as terminal text, so an approver can open it from a phone
// pointed at the log. uqr is loaded with a dynamic import(): the bundler puts it in its own chunk,
// and a run that never reaches a prompt never loads it.

/** Unicode half blocks, light modules drawn as glyphs: right for the dark background of the log. */
export async function renderQrCode(text: string): Promise<string> {
  const { renderUnicodeCompact } = await import('uqr')
  // Medium error correction survives the gaps some log fonts leave between lines; a two-module
  // border gives scanners the quiet zone the dark log background would otherwise swallow.
  return renderUnicodeCompact(text, { ecc: 'M', border: 2 })
}
