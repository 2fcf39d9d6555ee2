// The part of yazl 3's API rdp uses, as its README documents it (the published @types package
// lacks end()'s size callback).
declare module 'yazl' {
  import type { Readable } from 'node:stream';
  import type { EventEmitter } from 'node:events';

  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    compress?: boolean;
    compressionLevel?: number;
    forceZip64Format?: boolean;
    size?: number;
  }

  export class ZipFile extends EventEmitter {
    readonly outputStream: Readable;
    addFile(realPath: string, metadataPath: string, options?: EntryOptions): void;
    addReadStreamLazy(metadataPath: string, options: EntryOptions, getReadStream: (cb: (err: Error | null, stream: Readable) => void) => void): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    addEmptyDirectory(metadataPath: string, options?: { mtime?: Date; mode?: number }): void;
    end(options?: { forceZip64Format?: boolean; comment?: string } | null, calculatedTotalSizeCallback?: (calculatedTotalSize: number) => void): void;
  }

  const yazl: { ZipFile: typeof ZipFile };
  export default yazl;
}
