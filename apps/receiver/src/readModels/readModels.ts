// The read models the receiver keeps: the one place a read model is registered. The store creates
// their tables, applies their effects when it settles an event, and the read API mounts their
// routes; the processor runs their handlers.
import { lessonProgress } from './lessonProgress/index.js';
import { memberships } from './memberships/index.js';
import type { AnyReadModel } from './ReadModel.js';

export const readModels: readonly AnyReadModel[] = [lessonProgress, memberships];
