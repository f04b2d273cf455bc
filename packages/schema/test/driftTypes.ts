// The type-level checks test/sdkDrift.ts (generated) applies to every catalog event: ours against
// the SDK's. Hand-written; the test in catalog.test.ts proves each can fail and names the field.

/** Compiles only when `From` is assignable to `To`. */
export type Assignable<From extends To, To> = [From, To];

/** Compiles only when the list of differing key paths is empty. */
export type NoKeyDrift<Paths extends never> = Paths;

type ObjectKeys<T> = T extends readonly unknown[] ? never : T extends object ? keyof T & string : never;
type Element<T> = T extends readonly (infer E)[] ? E : never;

/** Key paths found on one side only, e.g. ".data.refunds[].status (SDK only)". */
export type KeyDrift<A, B, Path extends string = ''> = [NonNullable<A>] extends [readonly unknown[]]
  ? KeyDrift<Element<NonNullable<A>>, Element<NonNullable<B>>, `${Path}[]`>
  : [NonNullable<A>] extends [object]
    ?
        | `${Path}.${Exclude<ObjectKeys<NonNullable<A>>, ObjectKeys<NonNullable<B>>>} (ours only)`
        | `${Path}.${Exclude<ObjectKeys<NonNullable<B>>, ObjectKeys<NonNullable<A>>>} (SDK only)`
        | {
            [K in ObjectKeys<NonNullable<A>> & ObjectKeys<NonNullable<B>>]: KeyDrift<
              NonNullable<A>[K],
              NonNullable<B>[K],
              `${Path}.${K}`
            >;
          }[ObjectKeys<NonNullable<A>> & ObjectKeys<NonNullable<B>>]
    : never;

/** Our envelope adds two optional keys the SDK types leave out (see src/Envelope.ts). */
export type WithoutEnvelopeExtras<T> = Omit<T, 'api_version_date' | 'previous_attributes'>;
