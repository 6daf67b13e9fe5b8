/**
 * The benchmark's baseline: pycocotools' COCOeval for boxes (`evaluate`, `accumulate`, `summarize` in
 * cocoeval.py) ported line by line to plain JavaScript, without the typed arrays and the sort-once grouping of
 * @detlab/datasets' CocoEvaluator. One object per box, a Map per (image, category), gt and detections sorted
 * again for every area range, detections concatenated and sorted again for every (category, area, maxDets).
 * It must give the same 12 numbers (up to summation order in the means); detlab itself never uses it.
 */

const linspace = (a, b, n) => Array.from({ length: n }, (_, i) => (i === n - 1 ? b : i * ((b - a) / (n - 1)) + a));

/** bbIou of pycocotools' maskApi.c for one detection list against one gt list: [D][G]. */
function bbIou(dt, gt) {
  return dt.map((d) => gt.map((g) => {
    const [dx, dy, dw, dh] = d.bbox, [gx, gy, gw, gh] = g.bbox;
    const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
    if (w <= 0) return 0;
    const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
    if (h <= 0) return 0;
    const i = w * h, da = dw * dh;
    return i / (g.iscrowd ? da : da + gw * gh - i);
  }));
}

/** Stable argsort by descending key, as np.argsort(-x, kind='mergesort'). */
const argsortDesc = (keys) => keys.map((_, i) => i).sort((a, b) => keys[b] - keys[a]);

export function naiveCocoEval(cocoGt, dets, { maxDets = [1, 10, 100] } = {}) {
  const p = {
    imgIds: [...new Set(cocoGt.images.map((im) => im.id))].sort((a, b) => a - b),
    catIds: [...new Set(cocoGt.categories.map((c) => c.id))].sort((a, b) => a - b),
    iouThrs: linspace(0.5, 0.95, 10),
    recThrs: linspace(0, 1, 101),
    maxDets: [...maxDets].sort((a, b) => a - b),
    areaRng: [[0, 1e10], [0, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e10]],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
  const imgSet = new Set(p.imgIds), catSet = new Set(p.catIds);
  const key = (i, c) => `${i},${c}`;
  const gts = new Map(), dts = new Map();
  const push = (map, k, v) => (map.get(k) ?? map.set(k, []).get(k)).push(v);
  for (const a of cocoGt.annotations) {
    if (imgSet.has(a.image_id) && catSet.has(a.category_id)) push(gts, key(a.image_id, a.category_id), { ...a, ignore: a.iscrowd ? 1 : 0 });
  }
  for (let j = 0; j < dets.length; j += 1) {
    const bbox = Array.from(dets.boxes.subarray(4 * j, 4 * j + 4));
    const d = { id: j + 1, image_id: dets.imageIds[j], category_id: dets.categoryIds[j], bbox, score: dets.scores[j], area: bbox[2] * bbox[3] };
    if (imgSet.has(d.image_id) && catSet.has(d.category_id)) push(dts, key(d.image_id, d.category_id), d);
  }

  // evaluate: computeIoU per (image, category), then evaluateImg per (category, area range, image)
  const maxDetMax = p.maxDets[p.maxDets.length - 1];
  const ious = new Map();
  for (const i of p.imgIds) {
    for (const c of p.catIds) {
      const gt = gts.get(key(i, c)) ?? [], dt = dts.get(key(i, c)) ?? [];
      if (gt.length === 0 && dt.length === 0) continue;
      const sorted = argsortDesc(dt.map((d) => d.score)).map((x) => dt[x]).slice(0, maxDetMax);
      ious.set(key(i, c), sorted.length && gt.length ? bbIou(sorted, gt) : []);
    }
  }
  const T = p.iouThrs.length;
  const evaluateImg = (imgId, catId, [lo, hi], maxDet) => {
    let gt = gts.get(key(imgId, catId)) ?? [], dt = dts.get(key(imgId, catId)) ?? [];
    if (gt.length === 0 && dt.length === 0) return null;
    const gtIgnoreAll = gt.map((g) => (g.ignore || g.area < lo || g.area > hi ? 1 : 0));
    const gtind = gtIgnoreAll.map((_, x) => x).sort((a, b) => gtIgnoreAll[a] - gtIgnoreAll[b]);
    gt = gtind.map((x) => gt[x]);
    const gtIg = gtind.map((x) => gtIgnoreAll[x]);
    dt = argsortDesc(dt.map((d) => d.score)).slice(0, maxDet).map((x) => dt[x]);
    const all = ious.get(key(imgId, catId));
    const iou = all.length ? all.map((row) => gtind.map((x) => row[x])) : [];
    const dtm = Array.from({ length: T }, () => new Array(dt.length).fill(0));
    const dtIg = Array.from({ length: T }, () => new Array(dt.length).fill(0));
    if (iou.length) {
      p.iouThrs.forEach((t, ti) => {
        const gtm = new Array(gt.length).fill(0);
        dt.forEach((d, di) => {
          let best = Math.min(t, 1 - 1e-10), m = -1;
          for (let gi = 0; gi < gt.length; gi += 1) {
            if (gtm[gi] > 0 && !gt[gi].iscrowd) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[gi] === 1) break;
            if (iou[di][gi] < best) continue;
            best = iou[di][gi];
            m = gi;
          }
          if (m === -1) return;
          dtIg[ti][di] = gtIg[m];
          dtm[ti][di] = gt[m].id;
          gtm[m] = d.id;
        });
      });
    }
    dt.forEach((d, di) => {
      for (let ti = 0; ti < T; ti += 1) if (dtm[ti][di] === 0 && (d.area < lo || d.area > hi)) dtIg[ti][di] = 1;
    });
    return { dtm, dtIg, dtScores: dt.map((d) => d.score), gtIg };
  };
  const evalImgs = p.catIds.flatMap((c) => p.areaRng.flatMap((a) => p.imgIds.map((i) => evaluateImg(i, c, a, maxDetMax))));

  // accumulate
  const R = p.recThrs.length, K = p.catIds.length, A = p.areaRng.length, M = p.maxDets.length, I = p.imgIds.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (let k = 0; k < K; k += 1) {
    for (let a = 0; a < A; a += 1) {
      p.maxDets.forEach((maxDet, m) => {
        const E = evalImgs.slice((k * A + a) * I, (k * A + a + 1) * I).filter((e) => e !== null);
        if (E.length === 0) return;
        const scores = E.flatMap((e) => e.dtScores.slice(0, maxDet));
        const inds = argsortDesc(scores);
        const npig = E.reduce((n, e) => n + e.gtIg.filter((g) => g === 0).length, 0);
        if (npig === 0) return;
        for (let t = 0; t < T; t += 1) {
          const dtm = E.flatMap((e) => e.dtm[t].slice(0, maxDet));
          const dtIg = E.flatMap((e) => e.dtIg[t].slice(0, maxDet));
          let tp = 0, fp = 0;
          const rc = [], pr = [];
          for (const x of inds) {
            if (dtm[x] && !dtIg[x]) tp += 1;
            if (!dtm[x] && !dtIg[x]) fp += 1;
            rc.push(tp / npig);
            pr.push(tp / (fp + tp + 2.220446049250313e-16));
          }
          recall[((t * K + k) * A + a) * M + m] = rc.length ? rc[rc.length - 1] : 0;
          for (let i = pr.length - 1; i > 0; i -= 1) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          p.recThrs.forEach((r, ri) => {
            let pi = 0;
            while (pi < rc.length && rc[pi] < r) pi += 1; // np.searchsorted(rc, r, side='left')
            precision[((((t * R + ri) * K + k) * A + a) * M) + m] = pi < rc.length ? pr[pi] : 0;
          });
        }
      });
    }
  }

  // summarize
  const summarize = (ap, iouThr, areaLbl, maxDet) => {
    const a = p.areaRngLbl.indexOf(areaLbl), m = p.maxDets.indexOf(maxDet);
    const values = [];
    p.iouThrs.forEach((thr, t) => {
      if (iouThr !== undefined && thr !== iouThr) return;
      for (let r = 0; r < (ap ? R : 1); r += 1) {
        for (let k = 0; k < K; k += 1) {
          const v = ap ? precision[((((t * R + r) * K + k) * A + a) * M) + m] : recall[((t * K + k) * A + a) * M + m];
          if (v > -1) values.push(v);
        }
      }
    });
    return values.length ? values.reduce((s, v) => s + v, 0) / values.length : -1;
  };
  const md = p.maxDets;
  const stats = [
    summarize(true, undefined, 'all', md[2]), summarize(true, 0.5, 'all', md[2]), summarize(true, 0.75, 'all', md[2]),
    summarize(true, undefined, 'small', md[2]), summarize(true, undefined, 'medium', md[2]), summarize(true, undefined, 'large', md[2]),
    summarize(false, undefined, 'all', md[0]), summarize(false, undefined, 'all', md[1]), summarize(false, undefined, 'all', md[2]),
    summarize(false, undefined, 'small', md[2]), summarize(false, undefined, 'medium', md[2]), summarize(false, undefined, 'large', md[2]),
  ];
  return { stats, precision, recall };
}
