/** Moved to src/shared so the composer measures replies the way the server does. */
export * from '../../shared/channel-limits.js';
