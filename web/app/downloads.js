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

/**
 * A PNG of the map canvas with a title above and the legend rows beside it.
 * `legend`: {title, unit, note, rows: [{colour, label}], extra: [{colour, label, outline, hatch}]}.
 */
export async function mapPNG(mapCanvas, title, subtitle, legend) {
  const dpr = mapCanvas.width / mapCanvas.clientWidth || 1;
  const pad = 12 * dpr;
  const head = 48 * dpr;
  const side = 230 * dpr;
  const out = document.createElement('canvas');
  out.width = mapCanvas.width + side;
  out.height = Math.max(mapCanvas.height + head, head + 360 * dpr);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(mapCanvas, 0, head);
  ctx.fillStyle = '#111111';
  ctx.textBaseline = 'top';
  ctx.font = `600 ${16 * dpr}px system-ui, sans-serif`;
  ctx.fillText(title, pad, 8 * dpr);
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = '#444444';
  ctx.fillText(subtitle, pad, 28 * dpr);

  const x = mapCanvas.width + pad;
  let y = head + pad;
  ctx.fillStyle = '#111111';
  ctx.font = `600 ${13 * dpr}px system-ui, sans-serif`;
  ctx.fillText(legend.title, x, y);
  y += 18 * dpr;
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = '#444444';
  ctx.fillText(legend.unit, x, y, side - 2 * pad);
  y += 20 * dpr;
  const row = (colour, label, outline, hatch) => {
    if (hatch) {
      // Diagonal lines in a desert's outline, as the map draws an uncertain desert.
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, 22 * dpr, 14 * dpr);
      ctx.clip();
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(x, y, 22 * dpr, 14 * dpr);
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
      ctx.fillRect(x, y, 22 * dpr, 14 * dpr);
    }
    ctx.fillStyle = '#111111';
    ctx.fillText(label, x + 30 * dpr, y + 1 * dpr, side - 30 * dpr - 2 * pad);
    y += 20 * dpr;
  };
  for (const r of legend.rows) row(r.colour, r.label, false);
  if (legend.note) {
    ctx.fillStyle = '#444444';
    ctx.fillText(legend.note, x, y, side - 2 * pad);
    y += 22 * dpr;
  }
  for (const r of legend.extra || []) row(r.colour, r.label, r.outline, r.hatch);
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'),
  );
}
