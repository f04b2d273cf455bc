// The read API's wire shapes, one file each.
export * from './MembershipPage.js';
export * from './MembershipRecord.js';
