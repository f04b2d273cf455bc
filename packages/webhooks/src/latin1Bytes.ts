// Short text into bytes without a call into Node's native Buffer#write, whose fixed cost is several
// times that of copying the few dozen characters verification writes per delivery (its message
// prefix, digests and candidate signatures).

/**
 * Writes the characters of `text` (each below U+0100) as one byte each at `offset`; returns the
 * offset after them. The caller guarantees the room and the range (base64, a digest read as Latin-1).
 */
export function writeLatin1(target: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i += 1) target[offset + i] = text.charCodeAt(i);
  return offset + text.length;
}

/**
 * Writes `text` as UTF-8 at `offset` and returns the offset after it: ASCII byte by byte, anything
 * else through Buffer#write.
 */
export function writeUtf8(target: Buffer, offset: number, text: string): number {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return offset + target.write(text, offset, 'utf8');
    target[offset + i] = code;
  }
  return offset + text.length;
}
