import { useState } from 'preact/hooks';
import { clip, codePointName, countCharacters, formatCount, splitInvisible } from './visibleText.ts';

interface Props {
  text: string;
  /** UTF-16 units shown until the reader asks for all of it. */
  limit?: number;
  class?: string;
  /** Makes the text (not the button) a link. */
  href?: string;
  /** Multi-line text (a raw body): tabs and line breaks stay as they are. */
  multiline?: boolean;
}

/**
 * Text an attacker wrote: isolated from its surroundings (<bdi>), its invisible characters shown
 * as marks, clipped at `limit` with a button that shows all of it. Left to right whatever its first
 * letter: these are identifiers and JSON, whose punctuation a right-to-left base would reorder
 * (`"שלום x"` would read `x" שלום"`).
 */
export function Clipped({ text, limit = 80, class: className, href, multiline = false }: Props) {
  const [open, setOpen] = useState(false);
  const { shown, clipped } = open ? { shown: text, clipped: false } : clip(text, limit);
  const body = (
    <bdi dir="ltr" class={className === undefined ? 'untrusted' : `untrusted ${className}`}>
      {splitInvisible(shown, multiline).map((piece, i) =>
        'text' in piece ? (
          piece.text
        ) : (
          <span key={i} class="ctl" title={`invisible character ${codePointName(piece.invisible)}`}>
            {codePointName(piece.invisible)}
          </span>
        ),
      )}
      {clipped ? '…' : null}
    </bdi>
  );
  return (
    <>
      {href === undefined ? body : <a href={href}>{body}</a>}
      {clipped && (
        <button type="button" class="expand" onClick={() => setOpen(true)}>
          Show all {formatCount(countCharacters(text))} characters
        </button>
      )}
      {open && text.length > limit && (
        <button type="button" class="expand" onClick={() => setOpen(false)}>
          Show less
        </button>
      )}
    </>
  );
}
