import { deflateSync } from 'node:zlib';
import { crc32 } from 'node:zlib';

/** Small, well-formed files of each attachment type, built from their formats (no binary fixtures in the repo). */
const pngChunk = (type: string, data: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
};

/** A 1×1 RGB PNG, padded with a tEXt chunk to `size` bytes when asked. */
export const png = (size = 0): Buffer => {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const idat = deflateSync(Buffer.from([0, 255, 0, 0]));
  const head = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat)]);
  const end = pngChunk('IEND', Buffer.alloc(0));
  const pad = size - head.length - end.length - 12;
  const text = pad > 0 ? pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(pad - 8, 0x61)])) : Buffer.alloc(0);
  return Buffer.concat([head, text, end]);
};

/** A minimal baseline JPEG header (SOI, JFIF APP0) and EOI. */
export const jpeg = (): Buffer =>
  Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 0), Buffer.from('ffd9', 'hex')]);

export const gif = (): Buffer => Buffer.concat([Buffer.from('GIF89a', 'ascii'), Buffer.from('010001000000002c00000000010001000002024401003b', 'hex')]);

export const webp = (): Buffer => {
  const vp8 = Buffer.concat([Buffer.from('VP8L', 'ascii'), Buffer.from('0a0000002f0000000007d0fffef7bf00', 'hex')]);
  const body = Buffer.concat([Buffer.from('WEBP', 'ascii'), vp8]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'ascii'), size, body]);
};

/** An ISO base media file with an `isom` ftyp box, as an MP4 begins. */
export const mp4 = (): Buffer => {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'ascii')]);
  const free = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('free', 'ascii')]);
  return Buffer.concat([ftyp, free, Buffer.alloc(32)]);
};

export const pdf = (): Buffer => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

/** A multipart/form-data body from parts, with its content type. */
export const multipartBody = (parts: { name: string; filename?: string; contentType?: string; data: Buffer | string }[]): { payload: Buffer; contentType: string } => {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
};
