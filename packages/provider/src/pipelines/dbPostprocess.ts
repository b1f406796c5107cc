/**
 * Post-processing of a DB (Differentiable Binarization) text-detection map into text boxes, after PaddleOCR's
 * `DBPostProcess` (`ppocr/postprocess/db_postprocess.py`, `boxes_from_bitmap` with `score_mode='fast'`) and the
 * `filter_tag_det_res` step of `tools/infer/predict_det.py`; the method is Liao et al., "Real-time Scene Text Detection
 * with Differentiable Binarization", AAAI 2020.
 *
 * Differences from the Python code, all deterministic: regions are 8-connected components of the binary map (OpenCV's
 * `findContours` traces the same outer borders; holes are ignored); the minimum-area rectangle is computed by rotating
 * calipers over the convex hull of the region's pixel centres (what `cv2.minAreaRect` computes); and the `pyclipper`
 * rounded offset ("unclip") of a rectangle by `d` followed by `minAreaRect` is computed exactly as the rectangle grown by
 * `d` on every side, without clipper's integer snapping.
 */
import type { Point } from './image.ts';

/** Parameters of the DB post-process; the defaults are PaddleOCR's inference defaults. */
export type DbPostprocessOptions = {
  /** Probability above which a pixel is text. @default 0.3 */
  thresh?: number;
  /** Minimum mean probability inside a box to keep it. @default 0.6 */
  boxThresh?: number;
  /** Growth of a shrunk text kernel back to the text's size: offset = area × ratio / perimeter. @default 1.5 */
  unclipRatio?: number;
  /** Most regions considered, in raster order of their first pixel. @default 1000 */
  maxCandidates?: number;
  /** Shortest box side kept before unclipping, in map pixels (after: `minSize + 2`). @default 3 */
  minSize?: number;
};

/** A detected text box: four integer corners in source-image pixels, clockwise from top-left, and its score. */
export type DetectedBox = {
  /** Top-left, top-right, bottom-right, bottom-left, in source-image pixels. */
  box: [Point, Point, Point, Point];
  /** Mean detection probability inside the box before unclipping, 0…1. */
  score: number;
};

type Rect = { corners: Point[]; width: number; height: number };

/**
 * Turns a detection probability map into text boxes.
 * @param prob - The model's sigmoid output, `mapHeight × mapWidth` values in 0…1, row-major.
 * @param mapWidth - Map width in pixels (the resized input's width).
 * @param mapHeight - Map height in pixels.
 * @param srcWidth - Width of the source image, in pixels; boxes are scaled to it.
 * @param srcHeight - Height of the source image, in pixels.
 * @param options - Thresholds; PaddleOCR's defaults.
 * @returns Boxes in source-image pixels, unsorted.
 */
export function dbPostprocess(
  prob: Float32Array,
  mapWidth: number,
  mapHeight: number,
  srcWidth: number,
  srcHeight: number,
  { thresh = 0.3, boxThresh = 0.6, unclipRatio = 1.5, maxCandidates = 1000, minSize = 3 }: DbPostprocessOptions = {},
): DetectedBox[] {
  const boxes: DetectedBox[] = [];
  const regions = connectedRegions(prob, mapWidth, mapHeight, thresh, maxCandidates);
  for (const points of regions) {
    const rect = minAreaRect(convexHull(points));
    if (Math.min(rect.width, rect.height) < minSize) continue;
    const mini = orderMiniBox(rect.corners);
    const score = boxScoreFast(prob, mapWidth, mapHeight, mini);
    if (score < boxThresh) continue;
    const distance = (rect.width * rect.height * unclipRatio) / (2 * (rect.width + rect.height));
    const grown = growRect(rect, distance);
    if (Math.min(grown.width, grown.height) < minSize + 2) continue;
    const scaled = orderMiniBox(grown.corners).map(
      ([x, y]): Point => [
        clamp(roundHalfEven((x / mapWidth) * srcWidth), 0, srcWidth),
        clamp(roundHalfEven((y / mapHeight) * srcHeight), 0, srcHeight),
      ],
    );
    const box = orderPointsClockwise(scaled).map(
      ([x, y]): Point => [clamp(x, 0, srcWidth - 1), clamp(y, 0, srcHeight - 1)],
    ) as DetectedBox['box'];
    const rectWidth = Math.trunc(Math.hypot(box[0][0] - box[1][0], box[0][1] - box[1][1]));
    const rectHeight = Math.trunc(Math.hypot(box[0][0] - box[3][0], box[0][1] - box[3][1]));
    if (rectWidth <= 3 || rectHeight <= 3) continue;
    boxes.push({ box, score });
  }
  return boxes;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Rounds half to even, as NumPy's `np.round` does.
 * @param v - A number.
 * @returns The nearest integer; ties go to the even one.
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * 8-connected components of `prob > thresh`, each as the leftmost and rightmost pixel centre of each of its rows
 * (enough for the convex hull), in raster order of their first pixel.
 */
function connectedRegions(prob: Float32Array, width: number, height: number, thresh: number, max: number): Point[][] {
  const n = width * height;
  const state = new Uint8Array(n); // 0 = background or visited, 1 = unvisited foreground
  for (let i = 0; i < n; i++) state[i] = prob[i] > thresh ? 1 : 0;
  const stack = new Int32Array(n);
  const regions: Point[][] = [];
  for (let start = 0; start < n && regions.length < max; start++) {
    if (state[start] !== 1) continue;
    const minX = new Map<number, number>();
    const maxX = new Map<number, number>();
    let top = 0;
    stack[top++] = start;
    state[start] = 0;
    while (top > 0) {
      const p = stack[--top];
      const x = p % width;
      const y = (p - x) / width;
      const lo = minX.get(y);
      if (lo === undefined || x < lo) minX.set(y, x);
      const hi = maxX.get(y);
      if (hi === undefined || x > hi) maxX.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (state[q] === 1) {
            state[q] = 0;
            stack[top++] = q;
          }
        }
      }
    }
    const points: Point[] = [];
    for (const [y, x] of minX) {
      points.push([x, y]);
      const x2 = maxX.get(y) as number;
      if (x2 !== x) points.push([x2, y]);
    }
    regions.push(points);
  }
  return regions;
}

/** Convex hull, counter-clockwise in image coordinates, by Andrew's monotone chain. */
function convexHull(points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length <= 2) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Minimum-area enclosing rectangle of a convex polygon, by rotating calipers (Toussaint 1983). */
function minAreaRect(hull: Point[]): Rect {
  if (hull.length === 0) return { corners: [], width: 0, height: 0 };
  if (hull.length === 1) return { corners: [hull[0], hull[0], hull[0], hull[0]], width: 0, height: 0 };
  let best: { area: number; ex: number; ey: number; u0: number; u1: number; v0: number; v1: number } | undefined;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ex = (b[0] - a[0]) / len;
    const ey = (b[1] - a[1]) / len;
    let u0 = Number.POSITIVE_INFINITY;
    let u1 = Number.NEGATIVE_INFINITY;
    let v0 = Number.POSITIVE_INFINITY;
    let v1 = Number.NEGATIVE_INFINITY;
    for (const p of hull) {
      const u = p[0] * ex + p[1] * ey;
      const v = -p[0] * ey + p[1] * ex;
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
    const area = (u1 - u0) * (v1 - v0);
    if (!best || area < best.area - 1e-9) best = { area, ex, ey, u0, u1, v0, v1 };
  }
  if (!best) return { corners: [hull[0], hull[0], hull[0], hull[0]], width: 0, height: 0 };
  const { ex, ey, u0, u1, v0, v1 } = best;
  const at = (u: number, v: number): Point => [u * ex - v * ey, u * ey + v * ex];
  return { corners: [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)], width: u1 - u0, height: v1 - v0 };
}

/** The rectangle grown by `d` on every side (same centre and axes). */
function growRect(rect: Rect, d: number): Rect {
  const [a, b, , e] = rect.corners;
  const ux = rect.width > 0 ? (b[0] - a[0]) / rect.width : 1;
  const uy = rect.width > 0 ? (b[1] - a[1]) / rect.width : 0;
  const vx = rect.height > 0 ? (e[0] - a[0]) / rect.height : -uy;
  const vy = rect.height > 0 ? (e[1] - a[1]) / rect.height : ux;
  const origin: Point = [a[0] - d * ux - d * vx, a[1] - d * uy - d * vy];
  const w = rect.width + 2 * d;
  const h = rect.height + 2 * d;
  const at = (s: number, t: number): Point => [origin[0] + s * ux + t * vx, origin[1] + s * uy + t * vy];
  return { corners: [at(0, 0), at(w, 0), at(w, h), at(0, h)], width: w, height: h };
}

/** PaddleOCR's `get_mini_boxes` corner order: sort by x, then pick top/bottom of each side by y. */
function orderMiniBox(corners: Point[]): Point[] {
  const p = [...corners].sort((a, b) => a[0] - b[0]);
  const [i1, i4] = p[1][1] > p[0][1] ? [0, 1] : [1, 0];
  const [i2, i3] = p[3][1] > p[2][1] ? [2, 3] : [3, 2];
  return [p[i1], p[i2], p[i3], p[i4]];
}

/** PaddleOCR's `order_points_clockwise`: top-left has the smallest x + y, bottom-right the largest; then y − x. */
function orderPointsClockwise(pts: Point[]): Point[] {
  const sums = pts.map((p) => p[0] + p[1]);
  const iMin = sums.indexOf(Math.min(...sums));
  const iMax = sums.indexOf(Math.max(...sums));
  const rest = pts.filter((_, i) => i !== iMin && i !== iMax);
  if (rest.length !== 2) return pts;
  const diffs = rest.map((p) => p[1] - p[0]);
  const [tr, bl] = diffs[0] <= diffs[1] ? [rest[0], rest[1]] : [rest[1], rest[0]];
  return [pts[iMin], tr, pts[iMax], bl];
}

/**
 * PaddleOCR's `box_score_fast`: the mean probability over the pixels of the box's bounding rectangle that lie inside
 * the box (corners truncated to integers, edges included, as `cv2.fillPoly` fills).
 */
function boxScoreFast(prob: Float32Array, width: number, height: number, box: Point[]): number {
  const xs = box.map((p) => p[0]);
  const ys = box.map((p) => p[1]);
  const xmin = clamp(Math.floor(Math.min(...xs)), 0, width - 1);
  const xmax = clamp(Math.ceil(Math.max(...xs)), 0, width - 1);
  const ymin = clamp(Math.floor(Math.min(...ys)), 0, height - 1);
  const ymax = clamp(Math.ceil(Math.max(...ys)), 0, height - 1);
  const poly = box.map(([x, y]): Point => [Math.trunc(x - xmin), Math.trunc(y - ymin)]);
  let orientation = 0;
  for (let i = 0; i < 4; i++) {
    const a = poly[i];
    const b = poly[(i + 1) % 4];
    orientation += a[0] * b[1] - b[0] * a[1];
  }
  const sign = orientation >= 0 ? 1 : -1;
  let sum = 0;
  let count = 0;
  for (let y = 0; y <= ymax - ymin; y++) {
    for (let x = 0; x <= xmax - xmin; x++) {
      let inside = true;
      for (let i = 0; i < 4 && inside; i++) {
        const a = poly[i];
        const b = poly[(i + 1) % 4];
        if (sign * ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])) < 0) inside = false;
      }
      if (inside) {
        sum += prob[(y + ymin) * width + (x + xmin)];
        count++;
      }
    }
  }
  return count === 0 ? 0 : sum / count;
}
