#!/usr/bin/env python3
"""Does a generator copy its training images? Compares each sample's distance to its nearest training image with
the same distance for held-out test images (which cannot be copies).

    cgan sample --checkpoint RUN/checkpoints/latest.safetensors --per-class 100 --format npy --out /tmp/s
    python3 Scripts/nearest-training-image.py /tmp/s-images.npy ../shared/data/mnist

Needs numpy. Prints the quantiles of both distance sets and how many samples lie closer to a training image
than the closest 1% of test images do: a generator that memorised would put many there, one that
generalises about 1%. Distances are Euclidean over pixels in [0, 1], against the first 50,000 training images
(the images `cgan train` trains on).
"""
import gzip, os, sys
import numpy as np

def idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255

def find(directory, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    sys.exit(f"error: no {stem}[.gz] in {directory}")

def nearest(queries, train):
    train_sq = (train ** 2).sum(1)
    out = np.empty(len(queries), np.float32)
    for start in range(0, len(queries), 500):
        q = queries[start:start + 500]
        d2 = (q ** 2).sum(1)[:, None] + train_sq[None, :] - 2 * q @ train.T
        out[start:start + 500] = np.sqrt(np.maximum(d2.min(1), 0))
    return out

def main():
    if len(sys.argv) != 3:
        sys.exit("usage: nearest-training-image.py SAMPLES.npy DATA_DIR")
    samples = np.load(sys.argv[1]).astype(np.float32)
    if samples.ndim != 2 or samples.shape[1] != 784:
        sys.exit(f"error: {sys.argv[1]} holds {samples.shape}, expected [N, 784] (cgan sample --format npy)")
    train = idx_images(find(sys.argv[2], "train-images-idx3-ubyte"))[:50000]
    test = idx_images(find(sys.argv[2], "t10k-images-idx3-ubyte"))[:len(samples)]
    s, t = nearest(samples, train), nearest(test, train)
    floor = np.quantile(t, 0.01)
    q = lambda x: " ".join(f"{v:.2f}" for v in np.quantile(x, [0.01, 0.1, 0.5, 0.9]))
    print(f"nearest training image, quantiles 1% 10% 50% 90%: samples {q(s)}; test images {q(t)}")
    print(f"samples closer than the closest 1% of test images ({floor:.2f}): {(s < floor).mean() * 100:.1f}% of {len(s)}")

main()
