// POSTs one signed delivery, the way a sender does, and reads the whole answer.

/** A delivery already signed: by the webhooks package's `signedDelivery`, or by a reference library. */
export interface Signed {
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export interface Answer {
  status: number;
  /** The body as text. */
  text: string;
  headers: Headers;
}

/**
 * POSTs `signed` to `url` as JSON (extra headers win) and resolves with the answer read to its end.
 *
 * @example
 * const answer = await deliver(`${receiver.url}/webhooks`, signedDelivery({ secret, payload: docsExample() }));
 * expect(JSON.parse(answer.text)).toEqual({ status: 'accepted' });
 */
export async function deliver(
  url: string,
  signed: Signed,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers, ...extraHeaders },
    body: signed.body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
