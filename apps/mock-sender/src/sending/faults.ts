// Fault injection over a stream of deliveries, both lazy so memory stays bounded:
// duplicates (the same webhook-id delivered K times, as at-least-once delivery does) and a
// shuffle within a bounded window (ordering is not guaranteed upstream).
import type { Random } from '../generators/random.js';

/**
 * Yields each item `copies` times in a row.
 *
 * @example
 * [...withDuplicates(['a', 'b'][Symbol.iterator](), 2)]; // ['a', 'a', 'b', 'b']
 */
export function* withDuplicates<T>(source: Iterator<T>, copies: number): Generator<T> {
  for (let next = source.next(); !next.done; next = source.next()) {
    for (let i = 0; i < copies; i++) yield next.value;
  }
}

/**
 * Reorders items within a sliding window of `window` items: each output is picked at random from
 * the next `window` inputs, so an item moves at most about `window` places and memory is bounded.
 *
 * @example
 * [...shuffleWithin([1, 2, 3, 4][Symbol.iterator](), 2, new Random('1'))];
 */
export function* shuffleWithin<T>(source: Iterator<T>, window: number, rng: Random): Generator<T> {
  const buffer: T[] = [];
  for (let next = source.next(); !next.done; next = source.next()) {
    buffer.push(next.value);
    if (buffer.length >= window) yield takeRandom(buffer, rng);
  }
  while (buffer.length > 0) yield takeRandom(buffer, rng);
}

function takeRandom<T>(buffer: T[], rng: Random): T {
  const index = rng.int(0, buffer.length - 1);
  const item = buffer[index] as T;
  buffer[index] = buffer[buffer.length - 1] as T;
  buffer.pop();
  return item;
}
