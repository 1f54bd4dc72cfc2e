/** The floe package root re-exports the SDK, so `import { Producer } from 'floe'` keeps working; apps that need only the SDK install @floe/client. */
export * from '@floe/client';
