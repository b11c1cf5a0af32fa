import multipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ATTACHMENT_TYPES } from '../../../shared/channel-limits.js';
import { idSchema } from '../../../shared/api.js';
import { AppError } from '../../platform/errors.js';
import type { AttachmentsService } from '../../services/attachments.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const attachmentSchema = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number().int(), sha256: z.string() });

const formatMb = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** `attachment; filename="…"` with an ASCII fallback and the UTF-8 name (RFC 6266). */
const contentDisposition = (filename: string): string =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

/** @fastify/multipart's own errors, as problems that name the `file` field. */
const asProblem = (error: unknown, maxBytes: number): unknown => {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('payload_too_large', `the file is larger than ${formatMb(maxBytes)}`, 'file', { maxBytes });
    case 'FST_FILES_LIMIT':
      return new AppError('validation_failed', 'send one file per upload', 'file');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('validation_failed', 'the form has too many parts; send one part named file', 'file');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type', 'send multipart/form-data with one part named file', 'file');
    default:
      return error;
  }
};

/**
 * Reply attachments: upload one file (multipart, `file` part) and read it back. Multipart parsing is registered in
 * this scope only, so the rest of the API keeps its JSON bodies and limits.
 */
export const registerAttachmentRoutes = async (app: App, deps: { attachments: AttachmentsService; maxBytes: number }): Promise<void> => {
  const { attachments, maxBytes } = deps;
  await app.register(async (plain) => {
    // files: 2 so a second file is seen and refused by name instead of silently dropped.
    await plain.register(multipart, { limits: { fileSize: maxBytes, files: 2, fields: 8, parts: 10, fieldSize: 1024, headerPairs: 50 } });
    const scope = plain.withTypeProvider<ZodTypeProvider>();

    scope.post('/api/v1/attachments', {
      config: { auth: 'conversations:write' },
      schema: {
        tags: ['attachments'],
        summary: `Upload one reply attachment (multipart/form-data, part "file"): ${ATTACHMENT_TYPES.join(', ')}, decided by the bytes; at most ${formatMb(maxBytes)}`,
        response: { 201: attachmentSchema },
      },
    }, async (request, reply) => {
      let file: { filename: string; declaredType: string; bytes: Buffer } | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file') {
            part.file.resume();
            throw new AppError('validation_failed', `send the file in a part named file, not ${part.fieldname}`, 'file');
          }
          if (file) {
            part.file.resume();
            throw new AppError('validation_failed', 'send one file per upload', 'file');
          }
          // Bounded: busboy stops at fileSize and toBuffer throws instead of returning a truncated file.
          file = { filename: part.filename, declaredType: part.mimetype, bytes: await part.toBuffer() };
        }
      } catch (error) {
        throw asProblem(error, maxBytes);
      }
      if (!file) throw new AppError('validation_failed', 'the form has no part named file', 'file');
      return reply.code(201).send(await attachments.upload(file, actorOf(request)));
    });

    scope.get('/api/v1/attachments/:id', {
      config: { auth: 'conversations:read' },
      schema: { tags: ['attachments'], summary: 'Download a reply attachment (always as a download, never rendered inline)', params: z.strictObject({ id: idSchema }) },
    }, async (request, reply) => {
      const found = await attachments.get(request.params.id);
      return reply
        .header('content-type', found.contentType)
        .header('content-disposition', contentDisposition(found.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600')
        .header('content-length', String(found.size))
        .send(found.bytes);
    });
  });
};
