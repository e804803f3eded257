#!/usr/bin/python3
"""Render docs/images/keypoints_{msra,udp,exact}.png: the three keypoint encodings of
gaussmap.keypoint_heatmaps on one 32x20 heatmap, sigma 1.5, three keypoints — (2.0, 10.0) next to
the left border (Msra's truncation moves its peak to column 3), (13.3, 9.6) off the pixel grid and
(24.5, 10.5) on a half-integer. Each heatmap pixel is drawn as a 12x12 block through gaussmap's
magma colormap; a white cross marks each keypoint's true position (pixel centres at integers).

    PYTHONPATH=build/python /usr/bin/python3 docs/tools/keypoint_pictures.py
(PIL, Debian's python3-pil, writes the PNGs; it is needed only here.)
"""
import os

import numpy as np
from PIL import Image

import gaussmap as gm

SCALE = 12
KEYPOINTS = np.array([[2.0, 10.0], [13.3, 9.6], [24.5, 10.5]])
OUT = os.path.join(os.path.dirname(__file__), "..", "images")

for enc in ("msra", "udp", "exact"):
    # Three keypoints (K = 3) of one instance; the picture shows the three planes' maximum.
    heat, _ = gm.keypoint_heatmaps(KEYPOINTS, (32, 20), 1.5, encoding=enc)
    field = heat.max(axis=0)
    rgba = gm.colorize(field, "magma", range=(0, 1))
    big = np.repeat(np.repeat(rgba, SCALE, axis=0), SCALE, axis=1)
    for x, y in KEYPOINTS:  # pixel centre of (col j, row i) is at (j + 0.5, i + 0.5) * SCALE
        cx, cy = int(round((x + 0.5) * SCALE)), int(round((y + 0.5) * SCALE))
        big[cy, cx - 4:cx + 5, :3] = 255
        big[cy - 4:cy + 5, cx, :3] = 255
    Image.fromarray(big, "RGBA").save(os.path.join(OUT, f"keypoints_{enc}.png"), optimize=True)
    print(enc, "peak columns/rows:",
          [tuple(int(v) for v in np.unravel_index(heat[i].argmax(), heat[i].shape)[::-1])
           for i in range(3)])
