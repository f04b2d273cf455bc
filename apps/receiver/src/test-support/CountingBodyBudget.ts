// An InflightBodyBudget that counts the bodies it cuts, for tests that check an eviction happened
// (and only one). The count comes from the eviction callback each hold is given, which the budget
// calls exactly once per body it cuts.
import { type BodyHold, InflightBodyBudget } from '../http/InflightBodyBudget.js';

export class CountingBodyBudget extends InflightBodyBudget {
  /** Bodies cut so far to make room for others. */
  evicted = 0;

  override hold(evict: () => void): BodyHold {
    return super.hold(() => {
      this.evicted++;
      evict();
    });
  }
}
