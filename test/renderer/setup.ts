import '@testing-library/jest-dom/vitest';

// jsdom has no layout: Svelte's bind:clientHeight needs a ResizeObserver to exist (it never fires here).
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
}

// jsdom has no media playback: play/pause only log "not implemented". Tests check what the page asked to play
// (the <audio> element's src) instead.
const media = globalThis.HTMLMediaElement?.prototype;
if (media) {
  media.play = function play(): Promise<void> {
    return Promise.resolve();
  };
  media.pause = function pause(): void {};
}
// jsdom has no blob: URLs.
if (typeof URL.createObjectURL !== 'function') {
  let n = 0;
  URL.createObjectURL = () => `blob:test/${++n}`;
  URL.revokeObjectURL = () => undefined;
}
// jsdom has no layout, so no scrolling; tests spy on this to check what the page brings into view.
if (typeof Element.prototype.scrollIntoView !== 'function') {
  Element.prototype.scrollIntoView = function scrollIntoView(): void {};
}
