/** Test support: a multipart/form-data body as the fake platform servers receive it, parsed by the platform's own FormData. */
export interface FakeMultipart {
  fields: Record<string, string>;
  files: { name: string; filename: string; contentType: string; bytes: Buffer }[];
}

/** Parses a multipart body (fetch's Request does the MIME work); throws when the body is not multipart. */
export async function parseMultipart(body: Buffer, contentType: string | undefined): Promise<FakeMultipart> {
  if (!contentType?.startsWith('multipart/form-data')) throw new Error(`expected multipart/form-data, got ${contentType ?? 'no content type'}`);
  const form = await new Request('http://fake.local/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();
  const out: FakeMultipart = { fields: {}, files: [] };
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') out.fields[name] = value;
    else out.files.push({ name, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return out;
}
