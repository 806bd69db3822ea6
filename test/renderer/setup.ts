import '@testing-library/jest-dom/vitest';

// jsdom has no layout: Svelte's bind:clientHeight needs a ResizeObserver to exist (it never fires here).
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
}
