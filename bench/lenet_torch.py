"""PyTorch with one thread on issue 14's w3 (benchmark only; Debian's python3-torch, never required).

  /usr/bin/python3 bench/lenet_torch.py build/data/mnist.bin [--steps N] [--reps N]

The same LeNet as the engine's w3 (bench/workloads.mjs W3): conv2d(8,5,same) + ReLU, maxpool 2,
conv2d(16,5,same) + ReLU, maxpool 2, dense 128 + ReLU, dense 10, softmax cross-entropy, plain SGD
at 0.01, batch 32, on the same MNIST training digits (the packed file, pixel/255, in its order),
batches made once and cycled, so what is timed is forward + backward + update. One thread
(torch.set_num_threads(1)), as the engine: the comparison is per core.

Prints one JSON line: {"median", "best" (steps/s, wall clock), "cpu" (steps per CPU second of
this thread, the median), "torch": version}. Exits with 3 and a one-line reason on stderr when
torch (or numpy) cannot be imported, so that bench/w3_peers.mjs can skip it cleanly.
"""
import json
import struct
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:
    print(f"PyTorch unavailable: {e}", file=sys.stderr)
    sys.exit(3)


def mnist_train(path):
    """The packed file's training digits (tools/pack-datasets.mjs's format): (x N x 1 x 28 x 28, y N)."""
    raw = open(path, "rb").read()
    if raw[:8] != b"RELUDATA":
        raise SystemExit(f"{path}: not a packed dataset")
    header, samples, features, c, h, w, _classes, train, encoding = struct.unpack_from("<9I", raw, 12)
    if (features, c, h, w, encoding) != (784, 1, 28, 28, 1):
        raise SystemExit(f"{path}: not 1x28x28 uint8 MNIST")
    pixels = np.frombuffer(raw, np.uint8, train * features, header)
    labels = np.frombuffer(raw, np.uint8, train, header + samples * features)
    x = torch.from_numpy(pixels.astype(np.float32) / 255).reshape(train, 1, 28, 28)
    return x, torch.from_numpy(labels.astype(np.int64))


def main():
    args = sys.argv[1:]
    path = args[0]
    opt = lambda name, default: int(args[args.index(name) + 1]) if name in args else default
    steps, reps = opt("--steps", 100), opt("--reps", 5)
    torch.set_num_threads(1)
    torch.manual_seed(1)
    x, y = mnist_train(path)
    batch = 32
    batches = [(x[i : i + batch], y[i : i + batch]) for i in range(0, 50 * batch, batch)]
    model = nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    k = 0

    def step(count):
        nonlocal k
        for _ in range(count):
            xb, yb = batches[k % len(batches)]
            k += 1
            optimizer.zero_grad(set_to_none=False)
            loss_fn(model(xb), yb).backward()
            optimizer.step()

    warm = time.perf_counter()
    while time.perf_counter() - warm < 1.0:  # warm-up: first-call setup, caches
        step(max(2, steps // 4))
    rates, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.thread_time()
        step(steps)
        rates.append(steps / (time.perf_counter() - t0))
        cpu.append(steps / (time.thread_time() - c0))
    rates.sort()
    cpu.sort()
    print(json.dumps({"median": rates[len(rates) // 2], "best": rates[-1], "cpu": cpu[len(cpu) // 2],
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
