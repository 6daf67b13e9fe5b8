"""A straight numpy port of mmdet 3.3 `ATSSAssigner.assign` (alpha None), float32 as torch, and the scenes
of atss-reference.json that atss-assigner.test.ts replays. Run: python3 atss_reference.py (numpy only).

Ties in centre distance are broken by the lower prior index (a stable argsort), as detlab does.
"""
import json

import numpy as np

INF = 100000000  # mmdet's INF


def bbox_overlaps(b1, b2, mode='iou', eps=1e-6):
    """mmdet bbox_overlaps (not aligned), 'iou' or 'iof', in float32."""
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = np.maximum(b1[:, None, :2], b2[None, :, :2])
    rb = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    overlap = wh[..., 0] * wh[..., 1]
    union = area1[:, None] + area2[None, :] - overlap if mode == 'iou' else area1[:, None] + 0 * overlap
    union = np.maximum(union, np.float32(eps))
    return (overlap / union).astype(np.float32)


def assign(priors, num_level_priors, gt, labels, topk, ignore=None, ignore_iof_thr=-1):
    """mmdet ATSSAssigner.assign line by line; returns (assigned_gt_inds, max_overlaps, labels)."""
    priors = priors.astype(np.float32)
    gt = gt.astype(np.float32)
    num_gt, num_priors = gt.shape[0], priors.shape[0]
    overlaps = bbox_overlaps(priors, gt)
    inds = np.zeros(num_priors, np.int64)
    if num_gt == 0 or num_priors == 0:
        return inds, np.zeros(num_priors, np.float32), np.full(num_priors, -1)
    gcx, gcy = (gt[:, 0] + gt[:, 2]) / 2, (gt[:, 1] + gt[:, 3]) / 2
    pcx, pcy = (priors[:, 0] + priors[:, 2]) / 2, (priors[:, 1] + priors[:, 3]) / 2
    dist = np.sqrt((pcx[:, None] - gcx[None]) ** 2 + (pcy[:, None] - gcy[None]) ** 2).astype(np.float32)
    if ignore_iof_thr > 0 and ignore is not None and len(ignore):
        ignored = bbox_overlaps(priors, ignore.astype(np.float32), 'iof').max(1) > ignore_iof_thr
        dist[ignored, :] = INF
        inds[ignored] = -1
    candidates, start = [], 0
    for count in num_level_priors:
        idx = np.argsort(dist[start:start + count], axis=0, kind='stable')[:min(topk, count)]
        candidates.append(idx + start)
        start += count
    candidates = np.concatenate(candidates, 0)
    cand_overlaps = overlaps[candidates, np.arange(num_gt)]
    thr = cand_overlaps.mean(0) + cand_overlaps.std(0, ddof=1)
    is_pos = cand_overlaps >= thr[None]
    l, t = pcx[candidates] - gt[:, 0], pcy[candidates] - gt[:, 1]
    r, b = gt[:, 2] - pcx[candidates], gt[:, 3] - pcy[candidates]
    is_pos &= np.minimum(np.minimum(l, t), np.minimum(r, b)) > 0.01
    overlaps_inf = np.full((num_priors, num_gt), -INF, np.float32)
    for g in range(num_gt):
        chosen = candidates[is_pos[:, g], g]
        overlaps_inf[chosen, g] = overlaps[chosen, g]
    max_overlaps, argmax = overlaps_inf.max(1), overlaps_inf.argmax(1)
    positive = max_overlaps != -INF
    inds[positive] = argmax[positive] + 1
    assigned_labels = np.full(num_priors, -1)
    assigned_labels[inds > 0] = labels[inds[inds > 0] - 1]
    return inds, max_overlaps, assigned_labels

def atss_priors(h, w):
    """ATSS anchors (side 8·stride, centred on the cell corner) of an h×w image, as detlab's AnchorGenerator."""
    levels, counts = [], []
    for s in [8, 16, 32, 64, 128]:
        fh, fw = int(np.ceil(h / s)), int(np.ceil(w / s))
        ys, xs = np.meshgrid(np.arange(fh) * s, np.arange(fw) * s, indexing='ij')
        c = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
        levels.append(np.concatenate([c - 4 * s, c + 4 * s], 1))
        counts.append(fh * fw)
    return np.concatenate(levels).astype(np.float32), counts


if __name__ == '__main__':
    rng = np.random.default_rng(0)
    scenes = []
    for t in range(24):
        h, w = (int(v) for v in rng.integers(40, 240, 2))
        priors, counts = atss_priors(h, w)
        k = int(rng.integers(0, 8))
        xy = rng.uniform(0, [w, h], (k, 2))
        # Rounded to 2 decimals first, so that the JSON holds exactly the boxes that were assigned.
        gt = np.round(np.concatenate([xy, np.minimum(xy + rng.uniform(4, [w, h], (k, 2)), [w, h])], 1), 2).astype(np.float32)
        labels = rng.integers(0, 80, k)
        ign, thr = None, -1
        if t % 3 == 0:
            xy = rng.uniform(0, [w, h], (2, 2))
            ign, thr = np.round(np.concatenate([xy, xy + rng.uniform(10, 60, (2, 2))], 1), 2).astype(np.float32), 0.5
        topk = int(rng.choice([1, 3, 9]))
        inds, max_overlaps, _ = assign(priors, counts, gt, labels, topk, ign, thr)
        nonzero = np.nonzero(inds)[0]
        scenes.append(dict(
            image=[h, w], topk=topk, ignore_iof_thr=thr,
            gt_bboxes=[[float(v) for v in row] for row in gt], gt_labels=labels.tolist(),
            gt_bboxes_ignore=None if ign is None else [[float(v) for v in row] for row in ign],
            assigned=[[int(i), int(inds[i]), float(max_overlaps[i]) if inds[i] > 0 else None] for i in nonzero]))
    with open('atss-reference.json', 'w') as f:
        json.dump(scenes, f, separators=(',', ':'))
