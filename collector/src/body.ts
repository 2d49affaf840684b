import { createGunzip, createInflate, createInflateRaw } from "node:zlib";

/** The request body cannot be read as sent. */
export class BodyError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = "BodyError";
    this.status = status;
  }
}

/**
 * Decompressed bytes held at most while inflating. Past this a body is only counted, so a
 * compression bomb costs CPU but no memory; a legitimate body between this and the limit is
 * inflated a second time, now known to fit.
 */
const RETAIN_WHILE_COUNTING = 8 * 1024 * 1024;

async function readRaw(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        throw new BodyError(413, `request body exceeds RUNTRACE_MAX_BODY_BYTES (${limit} bytes)`);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

type Encoding = "gzip" | "deflate";

function inflater(encoding: Encoding, raw: boolean) {
  if (encoding === "gzip") return createGunzip();
  return raw ? createInflateRaw() : createInflate();
}

/** Inflates, keeping at most `retain` bytes; resolves to the bytes, or to the size alone. */
function inflate(
  input: Buffer,
  encoding: Encoding,
  raw: boolean,
  limit: number,
  retain: number,
): Promise<{ size: number; body?: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = inflater(encoding, raw);
    const chunks: Buffer[] = [];
    let size = 0;
    let keeping = true;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        chunks.length = 0;
        reject(
          new BodyError(
            413,
            `request body exceeds RUNTRACE_MAX_BODY_BYTES (${limit} bytes) once decompressed`,
          ),
        );
        return;
      }
      if (keeping && size > retain) {
        keeping = false;
        chunks.length = 0;
      }
      if (keeping) chunks.push(chunk);
    });
    stream.on("error", (error) => reject(error));
    stream.on("end", () =>
      resolve({ size, body: keeping ? Buffer.concat(chunks, size) : undefined }),
    );
    stream.end(input);
  });
}

async function decompress(input: Buffer, encoding: Encoding, limit: number): Promise<Buffer> {
  // "deflate" is zlib-wrapped per HTTP, but some clients send raw deflate.
  const raw = encoding === "deflate" && input.length > 0 && (input[0]! & 0x0f) !== 8;
  try {
    const first = await inflate(input, encoding, raw, limit, RETAIN_WHILE_COUNTING);
    if (first.body) return first.body;
    const second = await inflate(input, encoding, raw, limit, limit);
    return second.body!;
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, `invalid ${encoding} body: ${(error as Error).message}`);
  }
}

/** Refuses (413) a request whose declared length is over `limit`, before anything is read. */
export function checkDeclaredLength(request: Request, limit: number): void {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new BodyError(413, `request body exceeds RUNTRACE_MAX_BODY_BYTES (${limit} bytes)`);
  }
}

/**
 * Reads a request body, decompressing `gzip` or `deflate`, and refuses it (413) once it is
 * larger than `limit` bytes, counted after decompression. `raw` is the body as it arrived (still
 * compressed), so the request can be passed on unchanged.
 */
export async function readBody(
  request: Request,
  limit: number,
): Promise<{ body: Buffer; raw: Buffer }> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  checkDeclaredLength(request, limit);
  const raw = await readRaw(request.body, limit);
  if (encoding === "identity" || encoding === "") return { body: raw, raw };
  if (encoding === "gzip" || encoding === "x-gzip") {
    return { body: await decompress(raw, "gzip", limit), raw };
  }
  if (encoding === "deflate") return { body: await decompress(raw, "deflate", limit), raw };
  throw new BodyError(
    415,
    `unsupported Content-Encoding "${encoding}": send gzip, deflate or none`,
  );
}
