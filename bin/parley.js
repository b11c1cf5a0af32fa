#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the TypeScript entry point through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/main.ts');
