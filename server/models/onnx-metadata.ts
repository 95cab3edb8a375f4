/**
 * Reads ModelProto.metadata_props (field 14) from ONNX bytes without decoding the graph, so the
 * web process can show what the trainer wrote into a model (run id, dataset fingerprint…) without
 * loading a protobuf schema or an inference session. Unknown fields are skipped by wire type;
 * malformed bytes give an error, never an endless loop.
 */
const METADATA_PROPS = 14;

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get done() {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      // Lengths and tags fit in 2^53; multiply instead of shifting past 32 bits.
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  private advance(n: number) {
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    this.pos += n;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const r = new Reader(bytes);
  // A Map, not an object literal: `out["__proto__"] = v` would silently drop that entry (and any
  // key is whatever the file says). Object.fromEntries then makes every key an own property.
  const out = new Map<string, string>();
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === METADATA_PROPS && wire === 2) {
      const entry = new Reader(r.bytes());
      let key = '';
      let value = '';
      while (!entry.done) {
        const t = entry.varint();
        if (Math.floor(t / 8) === 1 && t % 8 === 2) key = utf8.decode(entry.bytes());
        else if (Math.floor(t / 8) === 2 && t % 8 === 2) value = utf8.decode(entry.bytes());
        else entry.skip(t % 8);
      }
      if (key) out.set(key, value);
    } else {
      r.skip(wire);
    }
  }
  return Object.fromEntries(out);
}
