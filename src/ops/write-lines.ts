import { once } from 'node:events';

/**
 * Writes lines to a stream in chunks of about `chunkBytes`, waiting for 'drain' whenever the stream's buffer is
 * full, so a producer of millions of lines runs in constant memory. Returns how many lines were written.
 */
export async function writeLines(out: NodeJS.WritableStream, lines: Iterable<string>, chunkBytes = 64 * 1024): Promise<number> {
  let chunk: string[] = [];
  let size = 0;
  let count = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const ok = out.write(chunk.join(''));
    chunk = [];
    size = 0;
    if (!ok) await once(out as NodeJS.EventEmitter, 'drain');
  };
  for (const line of lines) {
    chunk.push(line);
    size += line.length;
    count++;
    if (size >= chunkBytes) await flush();
  }
  await flush();
  return count;
}

/** A reader that closed the pipe early (`| head`) has what it wanted: exit quietly instead of with a stack. */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
