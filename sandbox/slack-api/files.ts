/**
 * Files uploaded through the external-upload flow (files.getUploadURLExternal → POST bytes →
 * files.completeUploadExternal), keeping the exact bytes for assertions.
 */
import type { IdSource } from './ids.js';
import type { FakeFile, FakeFileSummary } from './types.js';

const MAGIC: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['application/pdf', [0x25, 0x50, 0x44, 0x46]],
];

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  md: 'text/markdown',
  yaml: 'text/yaml',
  yml: 'text/yaml',
};

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Buffer): boolean {
  return startsWith(bytes, MAGIC[0]?.[1] ?? []);
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Slack sniffs content; we check magic bytes first, then the extension. */
export function sniffMimetype(bytes: Buffer, filename: string): string {
  const byMagic = MAGIC.find(([, magic]) => startsWith(bytes, magic));
  if (byMagic) return byMagic[0];
  const ext = filename.split('.').at(-1)?.toLowerCase() ?? '';
  return BY_EXTENSION[ext] ?? 'application/octet-stream';
}

export function fileSummary(file: FakeFile): FakeFileSummary {
  return { id: file.id, name: file.name, title: file.title, mimetype: file.mimetype, size: file.size };
}

export class FileStore {
  private readonly files = new Map<string, FakeFile>();

  constructor(private readonly ids: IdSource) {}

  create(filename: string, declaredLength: number, altText: string | undefined): FakeFile {
    const file: FakeFile = {
      id: this.ids.prefixed('F'),
      name: filename,
      title: filename,
      mimetype: sniffMimetype(Buffer.alloc(0), filename),
      size: 0,
      bytes: Buffer.alloc(0),
      declaredLength,
      uploaded: false,
      completed: false,
      ...(altText === undefined ? {} : { altText }),
    };
    this.files.set(file.id, file);
    return file;
  }

  receive(id: string, bytes: Buffer): FakeFile | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    file.bytes = bytes;
    file.size = bytes.length;
    file.uploaded = true;
    file.mimetype = sniffMimetype(bytes, file.name);
    return file;
  }

  get(id: string): FakeFile | undefined {
    return this.files.get(id);
  }

  all(): FakeFile[] {
    return [...this.files.values()];
  }

  reset(): void {
    this.files.clear();
  }
}
