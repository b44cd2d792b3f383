// Downloads of what is on screen: the areas (and sites) in view as CSV or GeoJSON, and
// the map as a PNG with its title and legend drawn beside it.

/** The gap fields, in the API's order, as CSV columns. */
export const AREA_COLUMNS = [
  'geoid',
  'name',
  'demand',
  'nearest_km',
  'sites_within',
  'capacity_within',
  'sites_in_area',
  'capacity_in_area',
  'access_2sfca',
  'access_e2sfca',
  'shortfall',
  'desert',
  'desert_reason',
  'demand_moe',
  'desert_certainty',
  'shortfall_in_area',
  'target_met',
];

/** True when two [w, s, e, n] boxes overlap. */
export function intersects(a, b) {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text: a header row then one row per object. */
export function toCSV(columns, rows) {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Saves a Blob under a file name through a temporary link. */
export function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Splits `text` into lines no wider than `width` in the context's current font. */
export function wrapLines(ctx, text, width) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A PNG of the map canvas with a title above and the legend beside it. Every line of the
 * legend is wrapped to the legend's width, never squeezed, and the picture grows to hold it.
 * `legend`: {title, unit, note, rows: [{colour, label}], extra: [{colour, label, outline, hatch}],
 * sites: [{colour, label, dot: ring colour}]}.
 */
export async function mapPNG(mapCanvas, title, subtitle, legend) {
  const dpr = mapCanvas.width / mapCanvas.clientWidth || 1;
  const pad = 12 * dpr;
  const head = 52 * dpr;
  const side = 320 * dpr;
  const text = side - 2 * pad;
  const swatchW = 22 * dpr;
  const labelW = text - swatchW - 8 * dpr;
  const line = 15 * dpr;
  const fonts = {
    title: `600 ${16 * dpr}px system-ui, sans-serif`,
    sub: `${12 * dpr}px system-ui, sans-serif`,
    head: `600 ${13 * dpr}px system-ui, sans-serif`,
    body: `${12 * dpr}px system-ui, sans-serif`,
  };
  // Lay the legend out first, to know how tall it is.
  const measure = document.createElement('canvas').getContext('2d');
  const block = (font, s, width) => {
    measure.font = font;
    return wrapLines(measure, s, width);
  };
  const items = [];
  items.push({ kind: 'text', font: fonts.head, colour: '#111111', lines: block(fonts.head, legend.title, text) });
  if (legend.unit) items.push({ kind: 'text', font: fonts.body, colour: '#444444', lines: block(fonts.body, `(${legend.unit})`, text) });
  for (const r of legend.rows) items.push({ kind: 'row', row: r, lines: block(fonts.body, r.label, labelW) });
  if (legend.note) items.push({ kind: 'text', font: fonts.body, colour: '#444444', lines: block(fonts.body, legend.note, text) });
  for (const r of legend.extra || []) items.push({ kind: 'row', row: r, lines: block(fonts.body, r.label, labelW) });
  if (legend.sites?.length) {
    items.push({ kind: 'text', font: fonts.head, colour: '#111111', lines: block(fonts.head, 'Sites', text) });
    for (const r of legend.sites) items.push({ kind: 'row', row: r, lines: block(fonts.body, r.label, labelW) });
  }
  const gap = 6 * dpr;
  const legendHeight = items.reduce((hgt, it) => hgt + Math.max(it.kind === 'row' ? 16 * dpr : 0, it.lines.length * line) + gap, 0);

  const out = document.createElement('canvas');
  out.width = mapCanvas.width + side;
  out.height = Math.max(mapCanvas.height, legendHeight + 2 * pad) + head;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(mapCanvas, 0, head);
  ctx.fillStyle = '#111111';
  ctx.textBaseline = 'top';
  ctx.font = fonts.title;
  ctx.fillText(title, pad, 8 * dpr);
  ctx.font = fonts.sub;
  ctx.fillStyle = '#444444';
  ctx.fillText(subtitle, pad, 30 * dpr);

  const x = mapCanvas.width + pad;
  let y = head + pad;
  const swatch = ({ colour, outline, hatch, dashed, suggestion, dot }) => {
    if (dot) {
      // A site's dot as the map draws it: the service's colour, ringed in `dot`'s colour.
      ctx.beginPath();
      ctx.arc(x + 11 * dpr, y + 7 * dpr, 6 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 1.5 * dpr;
      ctx.strokeStyle = dot;
      ctx.stroke();
    } else if (suggestion) {
      ctx.beginPath();
      ctx.arc(x + 11 * dpr, y + 7 * dpr, 6 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 2.5 * dpr;
      ctx.strokeStyle = colour;
      ctx.stroke();
    } else if (dashed) {
      ctx.save();
      ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(x + 2 * dpr, y + 2 * dpr, 18 * dpr, 10 * dpr);
      ctx.restore();
    } else if (hatch) {
      // Diagonal lines in a desert's outline, as the map draws an uncertain desert.
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, swatchW, 14 * dpr);
      ctx.clip();
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(x, y, swatchW, 14 * dpr);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5 * dpr;
      for (let d = -14; d < 22; d += 5) {
        ctx.beginPath();
        ctx.moveTo(x + d * dpr, y + 14 * dpr);
        ctx.lineTo(x + (d + 14) * dpr, y);
        ctx.stroke();
      }
      ctx.restore();
      ctx.strokeStyle = '#d6004c';
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(x + 1 * dpr, y + 1 * dpr, 20 * dpr, 12 * dpr);
    } else if (outline) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 4 * dpr;
      ctx.strokeRect(x + 2 * dpr, y + 2 * dpr, 18 * dpr, 10 * dpr);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(x + 2 * dpr, y + 2 * dpr, 18 * dpr, 10 * dpr);
    } else {
      ctx.fillStyle = colour;
      ctx.fillRect(x, y, swatchW, 14 * dpr);
      ctx.strokeStyle = '#999999';
      ctx.lineWidth = 1;
      ctx.strokeRect(x, y, swatchW, 14 * dpr);
    }
  };
  for (const it of items) {
    if (it.kind === 'row') {
      swatch(it.row);
      ctx.font = fonts.body;
      ctx.fillStyle = '#111111';
      for (const [k, l] of it.lines.entries()) ctx.fillText(l, x + swatchW + 8 * dpr, y + 1 * dpr + k * line);
      y += Math.max(16 * dpr, it.lines.length * line) + gap;
    } else {
      ctx.font = it.font;
      ctx.fillStyle = it.colour;
      for (const [k, l] of it.lines.entries()) ctx.fillText(l, x, y + k * line);
      y += it.lines.length * line + gap;
    }
  }
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'),
  );
}
