import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { ATTACHMENT_TYPES } from '../../shared/channel-limits.js';
import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories } from '../repositories/index.js';
import type { Attachment } from '../repositories/attachments.repository.js';

const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'video/mp4': ['mp4', 'm4v'],
  'application/pdf': ['pdf'],
};
const TYPE_OF_EXTENSION = new Map(Object.entries(EXTENSIONS).flatMap(([type, exts]) => exts.map((e) => [e, type] as const)));
/**
 * Types a client declares when it does not know: the bytes decide alone then. A part without Content-Type is
 * text/plain by RFC 7578 (busboy reports it so), which cannot be told from a declared text/plain.
 */
const UNDECLARED = new Set(['', 'application/octet-stream', 'text/plain']);
const MAX_NAME = 120;

/**
 * A name safe in a Content-Disposition header and on any disk: the last path segment, no control or reserved
 * characters, no leading dots, at most 120 characters, ending in the extension of the type the bytes have.
 */
export const sanitizeFilename = (raw: string, contentType: string): string => {
  const base = raw.split(/[\\/]/).pop() ?? '';
  let name = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/["<>:|?*;%`$]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const wanted = EXTENSIONS[contentType]?.[0] ?? 'bin';
  let stem = dot > 0 && TYPE_OF_EXTENSION.has(ext) ? name.slice(0, dot) : name;
  stem = stem.replace(/[.\s]+$/, '');
  if (!stem) stem = 'attachment';
  const suffix = `.${dot > 0 && EXTENSIONS[contentType]?.includes(ext) ? ext : wanted}`;
  name = [...stem].slice(0, MAX_NAME - suffix.length).join('') + suffix;
  return name;
};

export interface UploadInput {
  filename: string;
  /** The part's Content-Type as the client declared it; only checked against the bytes, never trusted. */
  declaredType: string;
  bytes: Buffer;
}

/** Reply attachments: upload (type decided by the bytes), download, and the purge of files no reply took. */
export const createAttachmentsService = (deps: { repos: Repositories; clock: Clock; logger?: Logger }) => {
  const { repos, clock } = deps;
  const dayMs = 24 * 60 * 60 * 1000;
  const purgeUnused = (maxAgeMs = dayMs): Promise<number> => repos.attachments.purgeUnused(clock.now() - maxAgeMs);
  return {
    async upload(input: UploadInput, actor: Actor) {
      if (input.bytes.length === 0) throw new AppError('validation_failed', 'the file is empty', 'file');
      const sniffed = (await fileTypeFromBuffer(input.bytes))?.mime ?? null;
      const allowed: readonly string[] = ATTACHMENT_TYPES;
      if (!sniffed || !allowed.includes(sniffed)) {
        throw new AppError('unsupported_media_type', `the file is ${sniffed ?? 'of a type Parley does not recognise'}; attachments may be JPEG, PNG, GIF, WebP, MP4 or PDF`, 'file', { allowedTypes: ATTACHMENT_TYPES });
      }
      const declared = input.declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
      if (!UNDECLARED.has(declared) && declared !== sniffed) {
        throw new AppError('unsupported_media_type', `the file was sent as ${declared} but its content is ${sniffed}`, 'file');
      }
      const raw = input.filename.split(/[\\/]/).pop() ?? '';
      const dot = raw.lastIndexOf('.');
      const nameType = dot > 0 ? TYPE_OF_EXTENSION.get(raw.slice(dot + 1).toLowerCase()) : undefined;
      if (nameType && nameType !== sniffed) throw new AppError('unsupported_media_type', `the file is named ${raw} but its content is ${sniffed}`, 'file');
      const attachment = {
        id: newId(),
        uploadedBy: actor.userId,
        filename: sanitizeFilename(input.filename, sniffed),
        contentType: sniffed,
        size: input.bytes.length,
        sha256: createHash('sha256').update(input.bytes).digest('hex'),
        bytes: input.bytes,
        createdAt: clock.now(),
      };
      await repos.attachments.create(attachment);
      return { id: attachment.id, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, sha256: attachment.sha256 };
    },

    async get(id: string): Promise<Attachment> {
      const found = await repos.attachments.get(id);
      if (!found) throw new AppError('not_found', `no attachment ${id}`);
      return found;
    },

    /** Drops files no reply took within a day of upload (an agent attached and then discarded the draft). */
    purgeUnused,

    /** Runs the purge hourly beside the retention purge (worker role); returns the stop function. */
    startTimer(intervalMs = 3600_000): () => Promise<void> {
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        running = running
          .then(async () => {
            const n = await purgeUnused();
            if (n > 0) deps.logger?.info({ attachments: n }, 'purged attachments no reply took');
          })
          .catch((error: unknown) => deps.logger?.warn({ err: error }, 'attachment purge failed'));
      }, intervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },
  };
};

export type AttachmentsService = ReturnType<typeof createAttachmentsService>;
