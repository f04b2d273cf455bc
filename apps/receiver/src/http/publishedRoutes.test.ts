// The read API's routes as Express serves them and as the OpenAPI publishes them (the schema
// package's receiverRoutes, the source of contracts/openapi.json's `paths`) are the same set: a
// route added to one and not the other fails here before any contract test runs.
import { receiverRoutes } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { readApiRoutePatterns } from './createReadApiRouter.js';

/** `/events/{id}` as Express writes it: `/events/:id`. */
const expressPath = (template: string) => template.replaceAll(/\{(\w+)\}/g, ':$1');

describe('the published routes', () => {
  it('list every read API route the router serves (the read models’ included), and no other behind the bearer token', () => {
    const published = receiverRoutes.filter((r) => r.auth === 'bearer').map((r) => expressPath(r.path));
    expect(new Set(published)).toEqual(new Set(readApiRoutePatterns));
  });
});
