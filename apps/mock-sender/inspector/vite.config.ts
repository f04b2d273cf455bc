import { inspectorViteConfig } from '@webhook-contracts/inspector-kit/vite';
import { defineConfig } from 'vite';

export default defineConfig(inspectorViteConfig());
