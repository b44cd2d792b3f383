// Canvas pixels of the page's map, counted inside the page: rendered features say what
// MapLibre placed, only pixels say what a reader sees (a layer drawn over the others
// once hid every area while the features were all there).

/**
 * Run with `page.evaluate(canvasStats, opts)`: once the map is settled, the canvas's
 * pixels (`total`), those that are not the background (`nonBackground`), those that
 * differ from the last call with `remember` (`changed`, with `compare`), and those near
 * each of `colours` (`near`, [r, g, b] each). Self-contained: it is sent to the page as text.
 */
export async function canvasStats({ remember = false, compare = false, colours = [] } = {}) {
  await window.gapmap.settled();
  const c = window.gapmap.map.getCanvas();
  const off = document.createElement('canvas');
  off.width = c.width;
  off.height = c.height;
  const ctx = off.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(c, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const bg = [238, 240, 242];
  let nonBackground = 0;
  let changed = 0;
  const near = colours.map(() => 0);
  const prev = window.__gapmapPixels;
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 12) nonBackground++;
    if (compare && prev && Math.abs(r - prev[i]) + Math.abs(g - prev[i + 1]) + Math.abs(b - prev[i + 2]) > 30) changed++;
    colours.forEach((col, k) => {
      if (Math.abs(r - col[0]) + Math.abs(g - col[1]) + Math.abs(b - col[2]) <= 12) near[k]++;
    });
  }
  if (remember) window.__gapmapPixels = d;
  return { total: d.length / 4, nonBackground, changed, near };
}
