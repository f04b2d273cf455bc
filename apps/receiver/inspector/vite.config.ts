import { inspectorViteConfig } from '@webhook-contracts/inspector-kit/vite';
import { MembershipStatus } from '@webhook-contracts/schema';
import { defineConfig } from 'vite';

// The membership statuses come from the schema here, at build time: importing the enum in the page
// would bundle TypeBox and the generated catalog (six times the page's size).
export default defineConfig(
  inspectorViteConfig({ define: { __MEMBERSHIP_STATUSES__: JSON.stringify(MembershipStatus.enum) } }),
);
