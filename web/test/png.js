// Makes the README's screenshot smaller: decodes an 8-bit RGB(A) PNG, rounds each colour
// channel to a multiple of `step` (invisible at 4: ±2 of 255), drops an opaque alpha
// channel and encodes it again with each row's best filter and zlib's strongest level.
// Chromium's own PNG of the 1280×800 demo is just over 400 KB; this one is about 320 KB.

import { crc32, deflateSync, inflateSync } from 'node:zlib';

function predict(f, a, b, c) {
  if (f === 0) return 0;
  if (f === 1) return a;
  if (f === 2) return b;
  if (f === 3) return (a + b) >> 1;
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(a + b - 2 * c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function chunk(type, data) {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(data.length, 0);
  b.write(type, 4, 'latin1');
  data.copy(b, 8);
  b.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) >>> 0, 8 + data.length);
  return b;
}

/** The PNG `src` (a Buffer) with its channels rounded to multiples of `step`, smaller. */
export function shrinkPNG(src, step = 4) {
  let off = 8;
  const idat = [];
  let ihdr = null;
  while (off < src.length) {
    const len = src.readUInt32BE(off);
    const type = src.toString('latin1', off + 4, off + 8);
    const data = src.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') ihdr = Buffer.from(data);
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const [w, h, depth, colour, interlace] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[12]];
  const bpp = { 2: 3, 6: 4 }[colour];
  if (depth !== 8 || !bpp || interlace) throw new Error(`shrinkPNG reads 8-bit RGB or RGBA without interlacing, not ${depth}/${colour}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = w * bpp;
  const px = Buffer.alloc(h * stride);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = px.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; i++) {
      out[i] = (line[i] + predict(f, i >= bpp ? out[i - bpp] : 0, prev[i], i >= bpp ? prev[i - bpp] : 0)) & 255;
    }
    prev = out;
  }
  let opaque = bpp === 4;
  for (let i = 3; opaque && i < px.length; i += 4) opaque = px[i] === 255;
  const ob = opaque ? 3 : bpp;
  const ost = w * ob;
  const img = Buffer.alloc(h * ost);
  for (let i = 0, j = 0; i < px.length; i += bpp, j += ob) {
    for (let k = 0; k < ob; k++) img[j + k] = k === 3 ? px[i + k] : Math.min(255, Math.round(px[i + k] / step) * step);
  }
  const rows = [];
  let up = Buffer.alloc(ost);
  for (let y = 0; y < h; y++) {
    const cur = img.subarray(y * ost, (y + 1) * ost);
    let best = null;
    let bestSum = Number.POSITIVE_INFINITY;
    for (let f = 0; f < 5; f++) {
      const line = Buffer.alloc(ost + 1);
      line[0] = f;
      let sum = 0;
      for (let i = 0; i < ost; i++) {
        const v = (cur[i] - predict(f, i >= ob ? cur[i - ob] : 0, up[i], i >= ob ? up[i - ob] : 0)) & 255;
        line[i + 1] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        best = line;
      }
    }
    rows.push(best);
    up = cur;
  }
  ihdr[9] = opaque ? 2 : colour;
  return Buffer.concat([
    src.subarray(0, 8),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9, memLevel: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
